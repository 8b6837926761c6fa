"""bpmnlint findings as warnings on diagram elements (real Node run when available)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.catalog.package import PackageFiles
from engine.designer.bpmnlint import BpmnLinter, parse_report, to_problems
from engine.designer.skeleton import skeleton_package
from engine.designer.validation import validate_package
from engine.operations import default_registry
from engine.settings import PROJECT_ROOT, Settings
from tests.engine.designer.conftest import fixture_package

BROKEN = (PROJECT_ROOT / "frontend" / "demo" / "fixtures" / "broken.bpmn").read_text(encoding="utf-8")

REPORT = """

/tmp/lint/a.bpmn
  beispiel_participant    error  Element is missing label/name  label-required
  start                   error  Element is missing bpmndi      no-bpmndi
  f1#waypoint             warning  Flow overlaps                 custom-rule

/tmp/lint/b.bpmn
                          error  Parse error: unparsable content <nope detected

\u2716 4 problems (3 errors, 1 warning)
"""


def test_report_rows_become_findings_per_file() -> None:
    findings = parse_report(REPORT, {"/tmp/lint/a.bpmn": "a.bpmn", "/tmp/lint/b.bpmn": "b.bpmn"})
    assert [(f.file, f.element_id, f.category, f.rule) for f in findings] == [
        ("a.bpmn", "beispiel_participant", "error", "label-required"),
        ("a.bpmn", "start", "error", "no-bpmndi"),
        ("a.bpmn", "f1", "warning", "custom-rule"),
        ("b.bpmn", "", "error", ""),
    ]
    assert findings[3].message.startswith("Parse error")
    problems = to_problems(findings, PackageFiles("x", {"a.bpmn": fixture_package("beispiel").files["beispiel.bpmn"]}))
    assert problems[1].user_message == "Das Element hat keine grafische Darstellung im Diagramm (BPMNDI)."
    assert problems[1].line == 18 and problems[1].element_id == "start" and problems[1].severity == "warning"
    assert problems[2].user_message == "bpmnlint: Flow overlaps" and problems[2].code == "bpmnlint/custom-rule"
    assert problems[3].element_id is None and problems[3].code == "bpmnlint/import"


def test_without_node_the_validation_says_why() -> None:
    report = BpmnLinter(node="").lint(fixture_package("beispiel"))
    assert not report.ran and report.problems == ()
    assert "Node.js" in report.note
    validation = validate_package(fixture_package("beispiel"), default_registry(), Settings(), BpmnLinter(node=""))
    assert validation.publishable and not validation.lint_ran and "Node.js" in validation.lint_note


def _real_linter() -> BpmnLinter:
    linter = BpmnLinter()
    reason = linter.unavailable()
    if reason:
        if os.environ.get("AMTSKOFFER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"bpmnlint is required in CI: {reason}")
        pytest.skip(f"bpmnlint not available here: {reason}")
    return linter


def test_real_bpmnlint_marks_the_elements_of_a_broken_diagram(tmp_path: Path) -> None:
    linter = _real_linter()
    package = PackageFiles("x", {"kaputt.bpmn": BROKEN, "gut.bpmn": skeleton_package("x").files["x.bpmn"]})
    report = linter.lint(package)
    assert report.ran and report.note == ""
    found = {(p.file, p.element_id, p.code) for p in report.problems}
    assert found == {("kaputt.bpmn", "Task_Lose", "bpmnlint/no-disconnected"),
                     ("kaputt.bpmn", "Task_Lose", "bpmnlint/no-implicit-start"),
                     ("kaputt.bpmn", "Task_Lose", "bpmnlint/no-implicit-end")}
    assert all(p.severity == "warning" and p.line for p in report.problems)


def test_real_bpmnlint_in_a_validation_marks_diagram_elements() -> None:
    linter = _real_linter()
    validation = validate_package(fixture_package("beispiel"), default_registry(), Settings(), linter)
    assert validation.lint_ran and validation.publishable  # bpmnlint findings never block
    markers = validation.diagram_markers()["beispiel.bpmn"]
    assert {p.code for p in markers["antrag_erfassen"]} == {"bpmnlint/no-bpmndi"}  # the fixture has no layout
    assert "bpmnlint/label-required" in {p.code for p in markers["start"]}
