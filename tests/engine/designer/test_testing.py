"""Scenario files and spiff-arena unit tests run against a draft before it is published."""

from __future__ import annotations

from datetime import date

from engine.designer.service import DesignerService
from engine.service_layer.actors import Actor
from tests.engine.designer.conftest import spiff_model


def test_scenarios_of_a_draft_pass_and_a_broken_draft_fails_them(designer: DesignerService,
                                                                   gestalterin: Actor) -> None:
    draft = designer.drafts.create("register_test", gestalterin)
    report = designer.test_draft(draft.id, gestalterin)
    assert report.passed and report.counts == {"passed": 1, "failed": 0, "total": 1}, report.as_dict()
    assert report.summary_de() == "1 von 1 Testfällen bestanden."

    bpmn = draft.package.files["register_test.bpmn"].replace('id="dokument_erfassen"', 'id="dokument_aufnehmen"')
    bpmn = bpmn.replace('targetRef="dokument_erfassen"', 'targetRef="dokument_aufnehmen"')
    bpmn = bpmn.replace('sourceRef="dokument_erfassen"', 'sourceRef="dokument_aufnehmen"')
    designer.drafts.save(draft.id, {"register_test.bpmn": bpmn}, gestalterin, expected_revision=1)
    failed = designer.test_draft(draft.id, gestalterin)
    assert not failed.passed and failed.counts["failed"] == 1
    [scenario] = failed.scenarios
    assert any("dokument_erfassen" in f and "nicht bereit" in f for f in scenario.failures), scenario.failures


def test_unit_tests_of_an_imported_model_run_with_the_draft(designer: DesignerService, gestalterin: Actor) -> None:
    draft = designer.import_spiff(spiff_model(), gestalterin).draft
    report = designer.test_draft(draft.id, gestalterin, today=date(2026, 11, 15))
    assert report.scenarios == () and len(report.unit_tests) == 3 and report.passed
    only = designer.test_draft(draft.id, gestalterin, only=["tests/spiff/nichts.json"])
    assert only.counts["total"] == 0 and not only.passed
    assert only.summary_de() == "Das Verfahren hat keine Testfälle."
