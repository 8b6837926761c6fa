"""Drafts on real databases: validation on save, optimistic locking, publishing, imports."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine.designer.archive import export_zip
from engine.designer.service import DesignerService
from engine.errors import Conflict, DesignError, Forbidden, InputInvalid
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.store.models import AuditEvent, PackageVersion
from tests.engine.designer.conftest import fixture_package, spiff_model

ANTRAG = {"name": "Erika Beispielfrau", "geburtsdatum": "1990-05-01", "dringend": False}


def events(engine: Engine, type_: str) -> list[dict]:  # type: ignore[type-arg]
    with engine.db.read() as s:
        return [json.loads(p) for p in s.execute(select(AuditEvent.payload).where(AuditEvent.type == type_)
                                                 .order_by(AuditEvent.global_seq)).scalars()]


def versions(engine: Engine, service_id: str) -> list[int]:
    with engine.db.read() as s:
        return sorted(s.execute(select(PackageVersion.version_no)
                                .where(PackageVersion.service_id == service_id)).scalars())


def test_a_draft_starts_from_the_newest_version(designer: DesignerService, gestalterin: Actor, engine: Engine) -> None:
    draft = designer.drafts.create("beispiel", gestalterin)
    assert draft.package.files == fixture_package("beispiel").files
    assert draft.info.base_version_id is not None and draft.info.revision == 1 and draft.info.status == "open"
    assert draft.validation.publishable and draft.info.errors == 0
    assert events(engine, "package_draft_created")[-1]["source"] == "version"
    assert [d.id for d in designer.drafts.list(gestalterin, service_id="beispiel")] == [draft.id]


def test_save_validates_and_locates_problems_on_elements(designer: DesignerService, gestalterin: Actor,
                                                         engine: Engine) -> None:
    draft = designer.drafts.create("beispiel", gestalterin)
    bpmn = draft.package.files["beispiel.bpmn"].replace("verfallen = True", "verfallen = (True")
    saved = designer.drafts.save(draft.id, {"beispiel.bpmn": bpmn}, gestalterin, expected_revision=1)
    assert saved.info.revision == 2 and saved.info.errors == 1 and not saved.validation.publishable
    [problem] = saved.validation.errors
    assert problem.code == "script-compile" and problem.element_id == "verfall_vermerken" and problem.line
    assert saved.validation.diagram_markers()["beispiel.bpmn"]["verfall_vermerken"] == [problem]
    again = designer.drafts.get(draft.id, gestalterin)  # stored, not recomputed
    assert again.validation.errors == [problem] and again.info.revision == 2
    payload = events(engine, "package_draft_saved")[-1]
    assert payload["changed"] == ["beispiel.bpmn"] and payload["errors"] == 1 and payload["revision"] == 2
    assert "verfallen" not in json.dumps(payload)  # content is not in the log

    with pytest.raises(DesignError) as err:
        designer.drafts.publish(draft.id, gestalterin, "Fehlerhaft")
    assert "1 Fehler" in err.value.user_message
    assert versions(engine, "beispiel") == [1]
    assert designer.drafts.get(draft.id, gestalterin).info.status == "open"


def test_a_stale_revision_is_refused_and_changes_nothing(designer: DesignerService, gestalterin: Actor) -> None:
    draft = designer.drafts.create("beispiel", gestalterin)
    kollege = Actor(name="kollege", roles=frozenset({"designer"}))
    designer.drafts.save(draft.id, {"tests/neu.yaml": "name: neu\n"}, kollege, expected_revision=1)
    with pytest.raises(Conflict) as err:
        designer.drafts.save(draft.id, {"tests/alt.yaml": "name: alt\n"}, gestalterin, expected_revision=1)
    assert "kollege" in err.value.user_message
    current = designer.drafts.get(draft.id, gestalterin)
    assert current.info.revision == 2 and "tests/alt.yaml" not in current.package.files
    assert "tests/neu.yaml" in current.package.files


def test_bad_paths_are_all_reported_and_nothing_is_saved(designer: DesignerService, gestalterin: Actor) -> None:
    draft = designer.drafts.create("beispiel", gestalterin)
    with pytest.raises(InputInvalid) as err:
        designer.drafts.save(draft.id, {"../aussen.bpmn": "x", "bild.png": "x", ".versteckt.json": "{}",
                                        "service.toml": None}, gestalterin, expected_revision=1)
    assert set(err.value.errors) == {"../aussen.bpmn", "bild.png", ".versteckt.json", "service.toml"}
    assert designer.drafts.get(draft.id, gestalterin).info.revision == 1


def test_publishing_makes_a_new_version_and_running_cases_stay_on_theirs(
        designer: DesignerService, gestalterin: Actor, engine: Engine, clerk: Actor, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    running = engine.cases.start("beispiel", "neubukow-salzhaff", clerk)
    draft = designer.drafts.create("beispiel", gestalterin)
    bpmn = draft.package.files["beispiel.bpmn"].replace('name="Alter berechnen"', 'name="Alter ermitteln"')
    designer.drafts.save(draft.id, {"beispiel.bpmn": bpmn}, gestalterin, expected_revision=1,
                         change_note="Aufgabe umbenannt")
    result = designer.drafts.publish(draft.id, gestalterin, expected_revision=2)
    assert result.created and result.version_no == 2 and result.previous_version_no == 1
    assert result.diff is not None and [e.element_id for e in result.diff.elements] == ["alter_berechnen"]
    assert versions(engine, "beispiel") == [1, 2]
    assert events(engine, "package_published")[-1]["change_note"] == "Aufgabe umbenannt"
    assert events(engine, "package_draft_published")[-1]["version_no"] == 2

    engine.cases.submit(running.case.id, running.ready[0].task_id, ANTRAG, clerk)
    view = engine.cases.view(running.case.id, clerk, log_read=False)
    assert view.case.version_no == 1 and view.path[2] == "alter_berechnen"
    fresh = engine.cases.start("beispiel", "neubukow-salzhaff", clerk)
    assert fresh.case.version_no == 2

    with pytest.raises(Conflict):
        designer.drafts.save(draft.id, {"tests/x.yaml": "x: 1\n"}, gestalterin, expected_revision=2)
    with pytest.raises(Conflict):
        designer.drafts.publish(draft.id, gestalterin, "noch einmal")


def test_publishing_needs_a_change_note_and_identical_content_makes_no_version(
        designer: DesignerService, gestalterin: Actor, engine: Engine) -> None:
    draft = designer.drafts.create("beispiel", gestalterin)
    with pytest.raises(InputInvalid) as err:
        designer.drafts.publish(draft.id, gestalterin, "  ")
    assert "Änderungsnotiz" in err.value.errors["change_note"][0]
    result = designer.drafts.publish(draft.id, gestalterin, "Unverändert")
    assert not result.created and result.version_no == 1 and result.diff is not None and result.diff.identical
    assert versions(engine, "beispiel") == [1]


def test_a_new_service_starts_from_a_valid_skeleton(designer: DesignerService, gestalterin: Actor,
                                                    engine: Engine) -> None:
    draft = designer.drafts.create("hundesteuer_anmeldung", gestalterin)
    assert sorted(draft.package.files) == ["hundesteuer_anmeldung.bpmn", "service.toml"]
    assert draft.validation.publishable and draft.info.base_version_id is None
    result = designer.drafts.publish(draft.id, gestalterin, "Erste Fassung")
    assert result.version_no == 1 and result.diff is None
    with engine.db.read() as s:
        assert "hundesteuer_anmeldung" in {i.service_id for i in engine.catalog.services_for(s)}
    with pytest.raises(InputInvalid):
        designer.drafts.create("Ungültig!", gestalterin)


def test_only_designers_work_on_drafts(designer: DesignerService, gestalterin: Actor, clerk: Actor) -> None:
    with pytest.raises(Forbidden):
        designer.drafts.create("beispiel", clerk)
    draft = designer.drafts.create("beispiel", gestalterin)
    with pytest.raises(Forbidden):
        designer.drafts.get(draft.id, clerk)
    designer.drafts.discard(draft.id, gestalterin)
    assert designer.drafts.list(gestalterin) == []
    with pytest.raises(Conflict):
        designer.drafts.save(draft.id, {"tests/x.yaml": "x: 1\n"}, gestalterin, expected_revision=1)


def test_imports_become_drafts_with_notes(designer: DesignerService, gestalterin: Actor) -> None:
    zipped = designer.import_zip(export_zip(fixture_package("familie")), gestalterin)
    assert zipped.draft.package.content_hash == fixture_package("familie").content_hash
    assert zipped.draft.info.base_version_id is None and zipped.draft.validation.publishable
    spiff = designer.import_spiff(spiff_model(), gestalterin)
    assert spiff.draft.info.service_id == "meldung_vorpruefung"
    assert any("Platzhalter" in n for n in spiff.notes)
    # spiff-arena's connector is not one of our operations: the draft shows it, publishing would refuse it.
    codes = {p.code for p in spiff.draft.validation.errors}
    assert "unknown-operation" in codes and not spiff.draft.validation.publishable


def test_diffs_of_versions_and_of_a_draft(designer: DesignerService, gestalterin: Actor) -> None:
    draft = designer.drafts.create("beispiel", gestalterin)
    dmn = draft.package.files["gebuehr.dmn"].replace('Decimal("10.00")', 'Decimal("12.00")')
    designer.drafts.save(draft.id, {"gebuehr.dmn": dmn}, gestalterin, expected_revision=1)
    diff = designer.diff_draft(draft.id, gestalterin)
    assert diff.marks() == {"r1": "changed"}
    designer.drafts.publish(draft.id, gestalterin, "Gebühr erhöht")
    assert designer.diff_versions("beispiel", 1, 2).marks() == {"r1": "changed"}
    assert designer.diff_versions("beispiel", 2, 2).identical
    assert designer.version("beispiel").files["gebuehr.dmn"] == dmn


def test_replace_all_files_and_revalidate(designer: DesignerService, gestalterin: Actor, engine: Engine) -> None:
    from engine.designer.bpmnlint import BpmnLinter
    from engine.designer.drafts import DraftService

    draft = designer.drafts.create("beispiel", gestalterin)
    files = {p: t for p, t in draft.package.files.items() if p != "gebuehr.dmn"}
    replaced = designer.drafts.replace(draft.id, files, gestalterin, expected_revision=1)
    assert "gebuehr.dmn" not in replaced.package.files and replaced.info.revision == 2
    assert "decision-missing" in {p.code for p in replaced.validation.errors}
    assert events(engine, "package_draft_saved")[-1]["changed"] == ["gebuehr.dmn"]
    again = DraftService(engine, linter=BpmnLinter(node="")).revalidate(draft.id, gestalterin)
    assert not again.validation.lint_ran and "Node.js" in again.validation.lint_note
    assert "Node.js" in designer.drafts.get(draft.id, gestalterin).validation.lint_note
