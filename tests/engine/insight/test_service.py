"""Insight on real cases (SQLite and PostgreSQL): per element and the overview, within scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.errors import Forbidden, NotFound
from engine.insight.service import InsightService
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.store.models import Authority

ANTRAG = {"name": "Erika Beispielfrau", "geburtsdatum": "1990-05-01", "dringend": False}
DESIGNER = Actor(name="gestalterin", roles=frozenset({"designer"}))


def test_statistics_of_real_cases(engine: Engine, clerk: Actor, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    done = engine.cases.start("beispiel", "neubukow-salzhaff", clerk)
    fixed_clock.advance(timedelta(hours=3))
    engine.cases.submit(done.case.id, done.ready[0].task_id, ANTRAG, clerk)
    pickup = engine.cases.view(done.case.id, clerk, log_read=False).ready[0]
    fixed_clock.advance(timedelta(days=2))
    engine.cases.submit(done.case.id, pickup.task_id, {"abgeholt": True}, clerk)
    waiting = engine.cases.start("beispiel", "neubukow", clerk)
    engine.cases.start("beispiel", "neubukow", clerk, sandbox=True)  # never counted
    fixed_clock.advance(timedelta(hours=5))

    insight = InsightService(engine).version("beispiel", 1, DESIGNER)
    assert (insight.cases, insight.open_cases, insight.completed_cases) == (2, 1, 1)
    form = insight.elements["antrag_erfassen"]
    assert (form.passed, form.waiting, form.median_s, form.waiting_median_s) == (1, 1, 3 * 3600.0, 5 * 3600.0)
    assert insight.elements["abholung"].median_s == 2 * 86400.0
    assert insight.elements["abholung"].heat == 1.0
    assert insight.elements["start"].passed == 2
    assert list(insight.diagrams) == ["beispiel.bpmn"]
    assert insight.as_dict()["elements"]["abholung"]["passed"] == 1
    assert waiting.case.status == "active"

    with engine.db.read() as s:
        neubukow = s.execute(select(Authority.id).where(Authority.key == "neubukow")).scalar_one()
    scoped = Actor(name="pruefer", roles=frozenset({"auditor"}), authority_ids=frozenset({neubukow}))
    mine = InsightService(engine).version("beispiel", 1, scoped)
    assert mine.cases == 1 and mine.elements["antrag_erfassen"].passed == 0

    overview = InsightService(engine).overview(DESIGNER, weeks=2)
    # Started on Sunday 15 Nov (week 46), finished on Tuesday 17 Nov (week 47).
    assert {(w.week, w.authority_key, w.started, w.finished) for w in overview.per_week
            if w.started or w.finished} == {("2026-W46", "neubukow-salzhaff", 1, 0),
                                            ("2026-W47", "neubukow-salzhaff", 0, 1), ("2026-W47", "neubukow", 1, 0)}
    [duration] = overview.durations
    assert duration.median_s == (3 * 3600 + 2 * 86400)
    assert [(a.bucket, a.count) for a in overview.open_by_age if a.count] == [("bis 7 Tage", 1)]


def test_insight_needs_a_role_and_an_existing_version(engine: Engine, clerk: Actor) -> None:
    with pytest.raises(Forbidden):
        InsightService(engine).overview(clerk)
    with pytest.raises(NotFound):
        InsightService(engine).version("beispiel", 99, DESIGNER)
