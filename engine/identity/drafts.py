"""Drafts: "save and continue later" for the form of a ready task.

A draft holds the posted text exactly as typed (not validated: a half-filled form is the point),
one per case and task, visible to everyone who may see the case. Saving is audited as
``draft_saved`` with the field names only (the values are personal data and already stored in
the draft). A completed task's draft is deleted by the web layer after the step committed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete

from engine import clock
from engine.audit.log import NewEvent, append
from engine.errors import NotFound
from engine.identity.models import TaskDraft
from engine.service_layer.actors import Actor
from engine.store.models import Case

if TYPE_CHECKING:
    from engine.service_layer.core import Engine


@dataclass(frozen=True, slots=True, kw_only=True)
class Draft:
    values: dict[str, Any]
    saved_by: str
    saved_at: datetime


class DraftService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @staticmethod
    def _case(s: Any, case_id: uuid.UUID, actor: Actor) -> Case:
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(f"case {case_id} not found", user_message="Der Vorgang wurde nicht gefunden.")
        actor.require_authority(case.authority_id)
        return case

    def save(self, case_id: uuid.UUID, task_id: str, values: dict[str, Any], actor: Actor) -> Draft:
        actor.require_role("clerk", "admin", "designer")
        now = clock.now()
        with self.engine.db.sessions.begin() as s:
            self._case(s, case_id, actor)
            row = s.get(TaskDraft, (case_id, task_id))
            if row is None:
                row = TaskDraft(case_id=case_id, task_id=task_id, values=values, saved_by=actor.name, saved_at=now)
                s.add(row)
            else:
                row.values, row.saved_by, row.saved_at = values, actor.name, now
            s.flush()
            append(s, [NewEvent(type="draft_saved", actor=actor.name, case_id=case_id,
                                payload={"task_id": task_id, "fields": sorted(values)})], at=now)
        return Draft(values=values, saved_by=actor.name, saved_at=now)

    def load(self, case_id: uuid.UUID, task_id: str, actor: Actor) -> Draft | None:
        with self.engine.db.read() as s:
            self._case(s, case_id, actor)
            row = s.get(TaskDraft, (case_id, task_id))
            return Draft(values=dict(row.values), saved_by=row.saved_by, saved_at=row.saved_at) if row else None

    def discard(self, case_id: uuid.UUID, task_id: str) -> None:
        # Most steps have no draft: look first, so that they do not pay for a write transaction.
        with self.engine.db.read() as s:
            if s.get(TaskDraft, (case_id, task_id)) is None:
                return
        with self.engine.db.sessions.begin() as s:
            s.execute(delete(TaskDraft).where(TaskDraft.case_id == case_id, TaskDraft.task_id == task_id))

    def tasks_with_drafts(self, case_id: uuid.UUID) -> set[str]:
        with self.engine.db.read() as s:
            return set(s.execute(
                TaskDraft.__table__.select().with_only_columns(TaskDraft.task_id).where(TaskDraft.case_id == case_id)
            ).scalars())
