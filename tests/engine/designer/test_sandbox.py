"""The sandbox: draft cases on a separate seeded SQLite database, messages held, time movable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.designer.service import DesignerService
from engine.errors import DesignError
from engine.register.models import Person
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.store.models import Case, OutboxMessage

PERSON = {"familienname": "Beispielfrau", "vornamen": "Erika", "geburtsdatum": "1984-08-12",
          "seriennummer": "C01X00T47", "passart": "01"}


def count(engine: Engine, column) -> int:  # type: ignore[no-untyped-def]
    with engine.db.read() as s:
        return int(s.execute(select(func.count(column))).scalar() or 0)


def test_sandbox_cases_hold_their_messages_and_leave_the_real_database_alone(
        designer: DesignerService, gestalterin: Actor, engine: Engine, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    draft = designer.drafts.create("nachricht_test", gestalterin)
    view = designer.sandbox_start(draft.id, "neubukow", gestalterin, {"empfaenger": "schwerin"})
    assert designer.sandbox.database_path(draft.id).is_file()
    outcome = designer.sandbox.submit(draft.id, view.case.id, view.ready[0].task_id, PERSON, gestalterin)
    assert outcome.case.status == "waiting"

    held = designer.sandbox.messages(draft.id, view.case.id)
    assert [(m.kind, m.status) for m in sorted(held, key=lambda m: m.kind, reverse=True)] == [
        ("xmeld", "held"), ("order", "held")]
    assert any("fortschreibung.dokument.0006" in m.xml for m in held)
    sandbox = designer.sandbox.engine_of(draft.id)
    assert count(sandbox, Person.id) > 0  # seeded with demo residents
    with sandbox.db.read() as s:
        assert s.execute(select(Case.sandbox).where(Case.id == view.case.id)).scalar_one() is True
    assert count(engine, Case.id) == 0 and count(engine, OutboxMessage.id) == 0
    assert [c.id for c in designer.sandbox.cases(draft.id, gestalterin)] == [view.case.id]


def test_time_moves_forward_and_fires_timers(designer: DesignerService, gestalterin: Actor, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    draft = designer.drafts.create("beispiel", gestalterin)
    view = designer.sandbox_start(draft.id, "neubukow-salzhaff", gestalterin)
    designer.sandbox.submit(draft.id, view.case.id, view.ready[0].task_id,
                            {"name": "Erika Beispielfrau", "geburtsdatum": "1990-05-01"}, gestalterin)
    assert designer.sandbox.advance(draft.id, timedelta(days=29)) == []
    assert designer.sandbox.advance(draft.id, timedelta(days=2)) == [view.case.id]
    after = designer.sandbox.view(draft.id, view.case.id, gestalterin)
    assert after.case.status == "completed" and after.path[-1] == "ende_verfallen"
    assert designer.sandbox.now(draft.id) - fixed_clock.now() == timedelta(days=31)
    with pytest.raises(ValueError):
        designer.sandbox.advance(draft.id, timedelta(days=-1))


def test_a_changed_draft_is_a_new_sandbox_version_and_errors_stop_it(
        designer: DesignerService, gestalterin: Actor, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    draft = designer.drafts.create("beispiel", gestalterin)
    first = designer.sandbox_start(draft.id, "neubukow-salzhaff", gestalterin)
    bpmn = draft.package.files["beispiel.bpmn"].replace('name="Antrag erfassen"', 'name="Antrag aufnehmen"')
    designer.drafts.save(draft.id, {"beispiel.bpmn": bpmn}, gestalterin, expected_revision=1)
    second = designer.sandbox_start(draft.id, "neubukow-salzhaff", gestalterin)
    assert (first.case.version_no, second.case.version_no) == (1, 2)
    assert second.ready[0].name == "Antrag aufnehmen"
    assert designer.sandbox.view(draft.id, first.case.id, gestalterin).ready[0].name == "Antrag erfassen"

    broken = bpmn.replace("verfallen = True", "verfallen = (")
    designer.drafts.save(draft.id, {"beispiel.bpmn": broken}, gestalterin, expected_revision=2)
    with pytest.raises(DesignError):
        designer.sandbox_start(draft.id, "neubukow-salzhaff", gestalterin)

    designer.sandbox.reset(draft.id)
    assert not designer.sandbox.database_path(draft.id).exists()
    assert designer.sandbox.cases(draft.id, gestalterin) == []
