"""bpmnlint (the bpmn-io modelling rules) on a package's diagrams, as problems on elements.

Runs ``node frontend/bin/lint-bpmn.mjs FILES`` (the recommended rule set configured in
``frontend/.bpmnlintrc``) as a subprocess on temporary copies of the BPMN files and maps its
report to :class:`~engine.catalog.problems.Problem` objects with the element id, the line of
that element and a German message. bpmnlint judges modelling style (labels, diagram
interchange, implicit starts and ends …), not whether the engine can run a diagram, so its
findings are **warnings**: they are shown on the elements but never block publishing; the
catalog check decides that.

Node.js and the front-end packages (``frontend/node_modules``) are optional at run time: when
they are missing :meth:`BpmnLinter.lint` returns no problems and a German note saying why,
instead of failing the validation.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.catalog.compiled import index_elements
from engine.catalog.package import PackageFiles
from engine.catalog.problems import Problem
from engine.settings import PROJECT_ROOT

SCRIPT = Path("frontend") / "bin" / "lint-bpmn.mjs"
TIMEOUT_S = 60.0
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CATEGORIES = {"error", "warning", "warn", "info"}

RULES_DE = {
    "label-required": "Das Element hat keine Beschriftung (Name).",
    "no-bpmndi": "Das Element hat keine grafische Darstellung im Diagramm (BPMNDI).",
    "no-disconnected": "Das Element ist mit nichts verbunden.",
    "no-implicit-end": "Das Element beendet den Ablauf, ohne ein Endereignis zu sein (implizites Ende).",
    "no-implicit-start": "Das Element beginnt einen Ablauf, ohne ein Startereignis zu sein (impliziter Start).",
    "no-implicit-split": "Das Element verzweigt ohne Gateway in mehrere Flüsse (impliziter Split).",
    "start-event-required": "Der Prozess hat kein Startereignis.",
    "end-event-required": "Der Prozess hat kein Endereignis.",
    "fake-join": "Mehrere eingehende Flüsse treffen ohne Gateway auf das Element (Schein-Zusammenführung).",
    "conditional-flows": "Ein ausgehender Fluss braucht eine Bedingung oder muss der Standardfluss sein.",
    "no-complex-gateway": "Komplexe Gateways werden nicht unterstützt.",
    "no-inclusive-gateway": "Inklusive Gateways sollten vermieden werden.",
    "no-gateway-join-fork": "Das Gateway führt zusammen und verzweigt zugleich; bitte in zwei Gateways trennen.",
    "no-duplicate-sequence-flows": "Zwei Sequenzflüsse verbinden dieselben Elemente.",
    "no-overlapping-elements": "Das Element überlappt ein anderes im Diagramm.",
    "single-blank-start-event": "Der Prozess hat mehr als ein einfaches Startereignis.",
    "single-event-definition": "Das Ereignis hat mehr als eine Ereignisdefinition.",
    "superfluous-gateway": "Das Gateway ist überflüssig (ein Eingang, ein Ausgang).",
    "superfluous-termination": "Das Terminierungs-Endereignis ist überflüssig.",
    "sub-process-blank-start-event": "Der Teilprozess muss mit einem einfachen Startereignis beginnen.",
    "event-sub-process-typed-start-event": "Der Ereignis-Teilprozess braucht ein typisiertes Startereignis.",
    "link-event": "Link-Ereignisse müssen paarweise mit gleichem Namen vorkommen.",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class LintReport:
    problems: tuple[Problem, ...]
    ran: bool
    """False when bpmnlint could not run (then ``note`` says why)."""
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class LintFinding:
    """One line of bpmnlint's report."""

    file: str
    element_id: str
    category: str
    message: str
    rule: str


class BpmnLinter:
    """Runs the project's bpmnlint setup; see the module docstring."""

    def __init__(self, root: Path = PROJECT_ROOT, *, node: str | None = None, timeout_s: float = TIMEOUT_S) -> None:
        self.root = root
        self.node = node if node is not None else (shutil.which("node") or "")
        self.timeout_s = timeout_s

    def unavailable(self) -> str:
        """Why bpmnlint cannot run here (German), or an empty string if it can."""
        if not self.node:
            return "bpmnlint wurde nicht ausgeführt: Node.js ist auf diesem Rechner nicht installiert."
        if not (self.root / SCRIPT).is_file():
            return f"bpmnlint wurde nicht ausgeführt: {SCRIPT} fehlt."
        if not (self.root / "frontend" / "node_modules" / "bpmnlint").is_dir():
            return ("bpmnlint wurde nicht ausgeführt: die Frontend-Pakete fehlen "
                    "(„npm ci“ im Ordner frontend/ bzw. „make assets“).")
        return ""

    def lint(self, package: PackageFiles) -> LintReport:
        """bpmnlint's findings on every BPMN file of ``package`` (warnings, located by element)."""
        reason = self.unavailable()
        if reason:
            return LintReport(problems=(), ran=False, note=reason)
        names = package.bpmn_files()
        if not names:
            return LintReport(problems=(), ran=True)
        with tempfile.TemporaryDirectory(prefix="amtskoffer-lint-") as tmp:
            paths = {}
            for name in names:
                target = Path(tmp) / name
                target.write_text(package.files[name], encoding="utf-8")
                paths[str(target.resolve())] = name
            env = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"}
            env.pop("INIT_CWD", None)
            try:
                done = subprocess.run([self.node, str(self.root / SCRIPT), *paths], cwd=self.root, env=env,
                                      capture_output=True, text=True, timeout=self.timeout_s, check=False)
            except (OSError, subprocess.TimeoutExpired) as err:
                return LintReport(problems=(), ran=False, note=f"bpmnlint wurde abgebrochen: {err}")
        if done.returncode not in (0, 1):
            detail = (done.stderr or done.stdout).strip().splitlines()
            last = detail[-1] if detail else f"Exit {done.returncode}"
            return LintReport(problems=(), ran=False, note=f"bpmnlint ist fehlgeschlagen: {last}")
        findings = parse_report(done.stdout, paths)
        return LintReport(problems=tuple(to_problems(findings, package)), ran=True)


def parse_report(output: str, files: Mapping[str, str]) -> list[LintFinding]:
    """bpmnlint's console report → findings; ``files`` maps the linted paths to package names.

    The report is a header line with the file's path per file, followed by rows
    ``  <element id>  <category>  <message>  <rule>`` separated by two or more spaces (an empty
    element id for import errors).
    """
    findings: list[LintFinding] = []
    current: str | None = None
    for raw in output.splitlines():
        line = _ANSI.sub("", raw).rstrip()
        if not line.strip() or line.lstrip().startswith("✖"):
            continue
        stripped = line.strip()
        if not raw.startswith(" ") and stripped in files:
            current = files[stripped]
            continue
        if current is None:
            continue
        cells = re.split(r"\s{2,}", stripped)
        at = next((i for i, c in enumerate(cells) if c in _CATEGORIES), None)
        if at is None or at + 1 >= len(cells):
            continue
        element = " ".join(cells[:at]).split("#", 1)[0]
        rule = cells[at + 2] if at + 2 < len(cells) else ""
        findings.append(LintFinding(file=current, element_id=element, category=cells[at], message=cells[at + 1],
                                    rule=rule))
    return findings


def to_problems(findings: Sequence[LintFinding], package: PackageFiles) -> list[Problem]:
    index = index_elements(package)
    out = []
    for f in findings:
        info = index.get(f.element_id) if f.element_id else None
        german = RULES_DE.get(f.rule) or f"bpmnlint: {f.message}"
        out.append(Problem(code=f"bpmnlint/{f.rule or 'import'}", file=f.file, message=f"{f.rule}: {f.message}",
                           user_message=german, line=info.line if info else None,
                           element_id=f.element_id or None, severity="warning"))
    return out
