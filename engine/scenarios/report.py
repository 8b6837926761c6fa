"""Scenario results as text for the command line and test reports (German)."""

from __future__ import annotations

from collections.abc import Sequence

from engine.scenarios.runner import ScenarioResult


def format_result(result: ScenarioResult, *, verbose: bool = False) -> list[str]:
    """Lines for one scenario: a status line, then every failure (and notes)."""
    mark = "OK    " if result.passed else "FEHLER"
    lines = [f"{mark} {result.name} [{result.file}] ({result.duration_ms:.0f} ms)"]
    lines += [f"       - {f}" for f in result.failures]
    lines += [f"       Hinweis: {n}" for n in result.notes]
    if verbose and result.path:
        lines.append(f"       Pfad: {' → '.join(result.path)}")
    if verbose and result.rule_refs:
        lines.append(f"       Regeln: {', '.join(result.rule_refs)}")
    return lines


def summary(results: Sequence[ScenarioResult]) -> str:
    failed = sum(1 for r in results if not r.passed)
    total_ms = sum(r.duration_ms for r in results)
    if not results:
        return "Keine Testfälle gefunden."
    state = "alle bestanden" if not failed else f"{failed} fehlgeschlagen"
    return f"{len(results)} Testfälle, {state} ({total_ms / 1000:.1f} s)."
