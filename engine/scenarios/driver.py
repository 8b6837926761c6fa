"""Driving one case through the service layer, the way a clerk would: the reusable core of
scenario runs (and of a later runner for spiff-arena ``test_*.json`` unit tests).

A :class:`CaseDriver` starts a case, submits data to a ready user task named by its BPMN id,
delivers business messages, and moves a fixed clock on (firing due timers). It raises
:class:`StepProblem` with a German sentence when the case is not where the caller expects it;
errors of the engine itself (:class:`~engine.errors.AmtskofferError`) pass through unchanged.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, text

from engine import clock
from engine.errors import AmtskofferError
from engine.scenarios.model import Duration
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.service_layer.views import CaseSummary, CaseView
from engine.store.models import Case, Document, OutboxMessage


class StepProblem(AmtskofferError):
    """The case is not in the state a scripted step needs (task not ready, message not taken)."""

    user_message = "Der Testschritt passt nicht zum Stand des Vorgangs."


class CaseDriver:
    def __init__(self, engine: Engine, actor: Actor, fixed_clock: clock.FixedClock) -> None:
        self.engine = engine
        self.actor = actor
        self.clock = fixed_clock
        self.case_id: uuid.UUID | None = None
        self.number = ""

    # -- acting ---------------------------------------------------------------------------------
    def start(self, service_id: str, authority: str, data: Mapping[str, Any] | None = None) -> CaseView:
        view = self.engine.cases.start(service_id, authority, self.actor, data or {})
        self.case_id, self.number = view.case.id, view.case.number
        return view

    def summary(self) -> CaseSummary:
        with self.engine.db.read() as s:
            case = s.get(Case, self._id())
            assert case is not None
            return self.engine.cases.summary(s, case)

    def ready_specs(self) -> list[str]:
        return [t["spec"] for t in self.summary().ready_tasks]

    def submit(self, task_spec: str, data: Mapping[str, Any]) -> None:
        """Complete the ready user task with BPMN id ``task_spec``."""
        summary = self.summary()
        task = next((t for t in summary.ready_tasks if t["spec"] == task_spec), None)
        if task is None:
            ready = ", ".join(t["spec"] for t in summary.ready_tasks) or "keine"
            waits = ", ".join(f"{w['kind']} {w['name']}" for w in summary.waiting_for)
            raise StepProblem(
                f"task {task_spec} not ready",
                user_message=f"Die Aufgabe „{task_spec}“ ist nicht bereit. Bereit: {ready}; Status: "
                             f"{summary.status}" + (f"; wartet auf: {waits}" if waits else "") + ".",
            )
        self.engine.cases.submit(self._id(), task["task_id"], data, self.actor)

    def deliver(self, name: str, payload: Mapping[str, Any]) -> None:
        result = self.engine.cases.deliver_message(name, payload, source="scenario", actor=self.actor)
        if result.status != "correlated":
            raise StepProblem(f"message {name} parked: {result.reason}",
                              user_message=f"Kein Vorgang wartet auf die Nachricht „{name}“ mit diesen "
                                           "Korrelationswerten.")
        if result.case_id != self.case_id:
            raise StepProblem(f"message {name} went to case {result.case_id}",
                              user_message=f"Die Nachricht „{name}“ wurde einem anderen Vorgang zugeordnet.")

    def advance(self, duration: Duration) -> list[uuid.UUID]:
        """Move the clock on and fire every due timer; returns the cases whose timers fired."""
        self.clock.instant = duration.after(self.clock.instant)
        return self.engine.cases.fire_due_timers()

    # -- reading --------------------------------------------------------------------------------
    def view(self) -> CaseView:
        return self.engine.cases.view(self._id(), self.actor, log_read=False)

    def version(self) -> int:
        with self.engine.db.read() as s:
            return int(s.execute(select(Case.version).where(Case.id == self._id())).scalar_one())

    def outbox(self) -> list[OutboxMessage]:
        with self.engine.db.read() as s:
            return list(s.execute(select(OutboxMessage).where(OutboxMessage.case_id == self._id())
                                  .order_by(OutboxMessage.created_at, self._insertion_order())).scalars())

    def documents(self) -> list[Document]:
        with self.engine.db.read() as s:
            return list(s.execute(select(Document).where(Document.case_id == self._id())
                                  .order_by(Document.created_at, self._insertion_order())).scalars())

    def _insertion_order(self) -> Any:
        # Rows of one step share created_at (the step's clock) and have random UUIDs; SQLite's rowid
        # keeps the order they were written in. Other databases fall back to the id (stable, not ordered).
        return text("rowid") if self.engine.db.is_sqlite else text("id")

    def _id(self) -> uuid.UUID:
        if self.case_id is None:
            raise StepProblem("no case started", user_message="Es wurde noch kein Vorgang gestartet.")
        return self.case_id
