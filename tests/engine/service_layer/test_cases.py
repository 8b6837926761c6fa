"""Cases end to end through the service layer, on SQLite and PostgreSQL.

The sample package ``beispiel`` has a user task with a form, a script task, a DMN table, a
service task, an exclusive gateway, a message catch event with correlation and a boundary
timer. After every step the stored state is reloaded and compared with the live workflow.
"""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.errors import Conflict, InputInvalid, NotFound
from engine.service_layer.actors import Actor
from engine.store.models import AuditEvent, Authority, Case
from tests.helpers import assert_reload_equal

ANTRAG = {"name": "Erika Beispielfrau", "geburtsdatum": "1990-05-01", "dringend": False}


def start(engine, clerk):  # type: ignore[no-untyped-def]
    view = engine.cases.start("beispiel", "neubukow-salzhaff", clerk)
    assert_reload_equal(engine, view.case.id)
    return view


def submit(engine, clerk, view, data):  # type: ignore[no-untyped-def]
    assert len(view.ready) == 1, view.ready
    outcome = engine.cases.submit(view.case.id, view.ready[0].task_id, data, clerk)
    assert outcome.case.id == view.case.id
    assert_reload_equal(engine, view.case.id)
    return engine.cases.view(view.case.id, clerk, log_read=False)


def audit_types(engine, case_id):  # type: ignore[no-untyped-def]
    with engine.db.read() as s:
        return list(s.execute(select(AuditEvent.type).where(AuditEvent.case_id == case_id)
                              .order_by(AuditEvent.case_seq)).scalars())


def test_urgent_path_with_message_correlation(engine, clerk, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    view = start(engine, clerk)
    assert view.case.status == "active"
    assert view.ready[0].spec == "antrag_erfassen"
    assert view.ready[0].instructions == f"Bitte die Angaben für Vorgang {view.case.number} erfassen."

    view = submit(engine, clerk, view, {**ANTRAG, "dringend": True})
    assert view.case.status == "waiting"
    assert view.data["alter"] == 36
    assert view.data["gebuehr"] == Decimal("20.00")
    assert view.data["zustaendigkeit"]["selbst_zustaendig"] is True
    assert view.path == ["start", "antrag_erfassen", "alter_berechnen", "gebuehr_ermitteln",
                         "zustaendigkeit_pruefen", "dringend_pruefen"]
    assert view.case.title == "Erika Beispielfrau"

    wrong = engine.cases.deliver_message("bescheid_eingegangen", {"antrag_nr": "V-0000-FALSCH"})
    assert wrong.status == "parked"
    right = engine.cases.deliver_message("bescheid_eingegangen", {"antrag_nr": view.case.number, "text": "ok"})
    assert right.status == "correlated" and right.case_id == view.case.id
    assert_reload_equal(engine, view.case.id)

    view = engine.cases.view(view.case.id, clerk)
    assert view.data["bescheid"] == {"antrag_nr": view.case.number, "text": "ok"}
    assert [t.spec for t in view.ready] == ["abholung"]
    view = submit(engine, clerk, view, {"abgeholt": True})
    assert view.case.status == "completed"
    assert view.path[-1] == "ende_ausgehaendigt"

    types = audit_types(engine, view.case.id)
    assert types[0] == "case_started"
    assert types.count("step_completed") == 2
    assert "decision_evaluated" in types and "message_received" in types and "case_read" in types
    assert types[-1] == "case_completed"
    assert engine.audit.verify().ok


def test_timer_fires_by_the_step_clock(engine, clerk, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    view = submit(engine, clerk, start(engine, clerk), ANTRAG)
    assert [t.spec for t in view.ready] == ["abholung"]
    (timer,) = [w for w in view.case.waiting_for if w["kind"] == "timer"]
    assert timer["due"] == "2026-12-15T09:00:00+00:00"  # 30 days after 15 Nov 2026, 10:00 Berlin
    fixed_clock.advance(timedelta(days=29))
    assert engine.cases.fire_due_timers() == []
    fixed_clock.advance(timedelta(days=2))
    assert engine.cases.fire_due_timers() == [view.case.id]
    assert_reload_equal(engine, view.case.id)
    view = engine.cases.view(view.case.id, clerk)
    assert view.case.status == "completed"
    assert view.data["verfallen"] is True
    assert "timer_fired" in audit_types(engine, view.case.id)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**ANTRAG, "geburtsdatum": "31.02.1990"}, "geburtsdatum"),
        ({**ANTRAG, "geburtsdatum": "2030-01-01"}, "geburtsdatum"),
        ({**ANTRAG, "geburtsdatum": "1850-01-01"}, "geburtsdatum"),
        ({**ANTRAG, "name": "Smith 😀"}, "name"),
        ({"geburtsdatum": "1990-05-01"}, "name"),
    ],
)
def test_bad_input_changes_nothing(engine, clerk, fixed_clock, data, field) -> None:  # type: ignore[no-untyped-def]
    view = start(engine, clerk)
    with engine.db.read() as s:
        before = (s.get(Case, view.case.id).state_seq, s.execute(select(func.count(AuditEvent.id))).scalar())
    with pytest.raises(InputInvalid) as err:
        engine.cases.submit(view.case.id, view.ready[0].task_id, data, clerk)
    assert field in err.value.errors
    assert all(m and m[0].isupper() for m in err.value.errors[field])  # German sentences for the clerk
    with engine.db.read() as s:
        case = s.get(Case, view.case.id)
        after = (case.state_seq, s.execute(select(func.count(AuditEvent.id))).scalar())
    assert after == before
    # and the same task can still be completed
    assert submit(engine, clerk, engine.cases.view(view.case.id, clerk, log_read=False), ANTRAG).case.version == 2


def test_cold_loads_give_the_same_results(engine, clerk, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    view = start(engine, clerk)
    engine.workflows.clear()
    outcome = engine.cases.submit(view.case.id, view.ready[0].task_id, ANTRAG, clerk)
    engine.workflows.clear()
    outcome = engine.cases.submit(view.case.id, outcome.ready[0]["task_id"], {"abgeholt": True}, clerk)
    assert outcome.case.status == "completed"


def test_two_submits_of_the_same_task_exactly_one_wins(engine, clerk, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    view = start(engine, clerk)
    task_id = view.ready[0].task_id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def go(name: str) -> None:
        barrier.wait()
        try:
            engine.cases.submit(view.case.id, task_id, {**ANTRAG, "name": name}, clerk, expected_version=1)
            outcomes.append("ok")
        except Conflict as err:
            assert "bearbeitet" in err.user_message or "nicht mehr offen" in err.user_message
            outcomes.append("conflict")

    threads = [threading.Thread(target=go, args=(n,)) for n in ("Anna Eins", "Berta Zwei")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    with engine.db.read() as s:
        assert s.get(Case, view.case.id).state_seq == 2
    assert engine.audit.verify().ok


def test_stale_version_is_a_conflict(engine, clerk, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    view = start(engine, clerk)
    with pytest.raises(Conflict):
        engine.cases.submit(view.case.id, view.ready[0].task_id, ANTRAG, clerk, expected_version=0)


def test_correcting_an_earlier_step(engine, clerk, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    view = submit(engine, clerk, start(engine, clerk), ANTRAG)
    assert [t.spec for t in view.ready] == ["abholung"]
    step = next(s for s in view.steps if s.task_spec == "antrag_erfassen")
    assert step.correctable
    engine.cases.correct(view.case.id, step.id, {**ANTRAG, "geburtsdatum": "2005-03-01", "dringend": True}, clerk)
    assert_reload_equal(engine, view.case.id)
    view = engine.cases.view(view.case.id, clerk)
    assert view.case.status == "waiting"  # now on the urgent path, waiting for the message
    assert view.data["alter"] == 21 and view.data["gebuehr"] == Decimal("10.00")
    old = next(s for s in view.steps if s.id == step.id)
    assert old.superseded and not old.correctable
    assert view.steps[-1].kind == "correct"
    with engine.db.read() as s:
        event = s.execute(select(AuditEvent).where(AuditEvent.case_id == view.case.id,
                                                   AuditEvent.type == "step_corrected")).scalar_one()
    assert '"geburtsdatum":{"after":"2005-03-01","before":"1990-05-01"}' in event.payload
    assert engine.audit.verify().ok


def test_correction_keeps_what_was_typed_for_later_steps(engine, clerk, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    view = submit(engine, clerk, start(engine, clerk), ANTRAG)
    step = next(s for s in view.steps if s.task_spec == "antrag_erfassen")
    outcome = engine.cases.correct(view.case.id, step.id, {**ANTRAG, "name": "Erika Neu"}, clerk)
    assert outcome.ready[0]["spec"] == "abholung"
    view = engine.cases.view(view.case.id, clerk)
    assert view.ready[0].values == {}  # nothing was entered for this step before
    antrag_steps = [s for s in view.steps if s.task_spec == "antrag_erfassen"]
    assert [s.superseded for s in antrag_steps] == [True, False]


def test_other_authority_cannot_see_or_change_the_case(engine, clerk, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    view = start(engine, clerk)
    with engine.db.read() as s:
        other = s.execute(select(Authority.id).where(Authority.key == "luetzow-luebstorf")).scalar_one()
    stranger = Actor(name="fremd", roles=frozenset({"clerk"}), authority_ids=frozenset({other}))
    with pytest.raises(NotFound):
        engine.cases.view(view.case.id, stranger)
    with pytest.raises(NotFound):
        engine.cases.submit(view.case.id, view.ready[0].task_id, ANTRAG, stranger)
    assert engine.cases.list(stranger) == []
    assert [c.id for c in engine.cases.list(clerk)] == [view.case.id]


def test_unknown_task_and_completed_case_are_conflicts(engine, clerk, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    view = start(engine, clerk)
    with pytest.raises(Conflict):
        engine.cases.submit(view.case.id, str(uuid.uuid4()), ANTRAG, clerk)
    view = submit(engine, clerk, view, ANTRAG)
    task_id = view.ready[0].task_id
    submit(engine, clerk, view, {"abgeholt": True})
    with pytest.raises(Conflict):
        engine.cases.submit(view.case.id, task_id, {"abgeholt": True}, clerk)


def test_every_read_is_logged(engine, clerk, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    view = start(engine, clerk)
    engine.cases.view(view.case.id, clerk)
    engine.cases.view(view.case.id, Actor(name="pruefer", roles=frozenset({"auditor"})))
    with engine.db.read() as s:
        readers = list(s.execute(select(AuditEvent.actor).where(AuditEvent.case_id == view.case.id,
                                                               AuditEvent.type == "case_read")).scalars())
    assert readers == [clerk.name, "pruefer"]
