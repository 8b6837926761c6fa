"""Validating a draft: the catalog check plus bpmnlint, grouped for the diagram.

The catalog check (:func:`engine.catalog.check.check_package`: BPMN/DMN schema, references,
restricted-script compile, forms, operations …) decides whether a package may be published;
bpmnlint adds modelling-style warnings (:mod:`engine.designer.bpmnlint`). A
:class:`Validation` keeps both, in that order, and groups them by file and element id so the
modeler can put a marker on each element (``markers()``). Problems are stored with the draft
as plain dicts (:func:`problem_to_dict`/:func:`problem_from_dict`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from engine.catalog.check import check_package
from engine.catalog.package import PackageFiles
from engine.catalog.problems import Problem
from engine.designer.bpmnlint import BpmnLinter
from engine.operations.registry import OperationRegistry
from engine.settings import Settings


@dataclass(frozen=True, slots=True, kw_only=True)
class Validation:
    content_hash: str
    """The package content the problems belong to."""
    problems: tuple[Problem, ...]
    lint_ran: bool
    lint_note: str = ""
    """Why bpmnlint did not run (German), empty when it ran."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def publishable(self) -> bool:
        """No errors (warnings, including every bpmnlint finding, do not block)."""
        return not self.errors

    def markers(self) -> dict[str, dict[str, list[Problem]]]:
        """{file: {element id: problems}} for the problems located on an element."""
        out: dict[str, dict[str, list[Problem]]] = {}
        for p in self.problems:
            if p.element_id:
                out.setdefault(p.file, {}).setdefault(p.element_id, []).append(p)
        return out

    def diagram_markers(self) -> dict[str, dict[str, list[Problem]]]:
        """:meth:`markers` of the BPMN and DMN files only (form problems point into JSON instead)."""
        return {f: m for f, m in self.markers().items() if f.endswith((".bpmn", ".dmn"))}

    def by_file(self) -> dict[str, list[Problem]]:
        out: dict[str, list[Problem]] = {}
        for p in self.problems:
            out.setdefault(p.file, []).append(p)
        return out


def validate_package(package: PackageFiles, registry: OperationRegistry, settings: Settings,
                     linter: BpmnLinter | None) -> Validation:
    """Catalog check and (if ``linter`` is given) bpmnlint on ``package``."""
    problems = list(check_package(package, registry, settings))
    ran, note = False, "bpmnlint ist für diese Prüfung abgeschaltet."
    if linter is not None:
        report = linter.lint(package)
        problems.extend(report.problems)
        ran, note = report.ran, report.note
    return Validation(content_hash=package.content_hash, problems=tuple(problems), lint_ran=ran, lint_note=note)


def problem_to_dict(p: Problem) -> dict[str, Any]:
    return asdict(p)


def problem_from_dict(d: Mapping[str, Any]) -> Problem:
    return Problem(code=str(d["code"]), file=str(d["file"]), message=str(d.get("message", "")),
                   user_message=str(d.get("user_message", "")), line=d.get("line"), element_id=d.get("element_id"),
                   severity=str(d.get("severity", "error")))
