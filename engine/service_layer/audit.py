"""Audit trail queries: verification, case history, export."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from engine import clock
from engine.audit.chain import VerifyResult
from engine.audit.log import NewEvent, append, case_events, export_records, verify_case, verify_database
from engine.errors import NotFound
from engine.service_layer.actors import Actor
from engine.store.models import AuditEvent, Case

if TYPE_CHECKING:
    from engine.service_layer.core import Engine


class AuditService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def verify(self, progress: Callable[[int], None] | None = None) -> VerifyResult:
        with self.engine.db.read() as s:
            return verify_database(s, progress=progress)

    def event_count(self) -> int:
        with self.engine.db.read() as s:
            return s.execute(select(func.count(AuditEvent.id))).scalar_one()

    def verify_case(self, case_id: uuid.UUID, actor: Actor) -> VerifyResult:
        with self.engine.db.read() as s:
            case = s.get(Case, case_id)
            if case is None:
                raise NotFound(f"case {case_id} not found")
            actor.require_authority(case.authority_id)
            return verify_case(s, case_id)

    def export_case(self, case_id: uuid.UUID, actor: Actor) -> dict[str, Any]:
        """The case history as JSON-ready data: case facts, every event, chain status.

        An export is a read of the case and is logged as one (before the export is taken, so
        the export contains its own read event).
        """
        with self.engine.db.sessions.begin() as s:
            case = s.get(Case, case_id)
            if case is None:
                raise NotFound(f"case {case_id} not found")
            actor.require_authority(case.authority_id)
            append(s, [NewEvent(type="case_read", actor=actor.name, case_id=case_id,
                                payload={"zweck": "export"})], at=clock.now())
        with self.engine.db.read() as s:
            case = s.get(Case, case_id)
            assert case is not None
            summary = self.engine.cases.summary(s, case)
            result = verify_case(s, case_id)
            return {
                "case": {
                    "id": str(case.id), "number": case.number, "service_id": case.service_id,
                    "service_title": summary.service_title, "version_no": summary.version_no,
                    "authority": summary.authority_key, "status": case.status, "title": case.title,
                    "started_at": case.started_at.isoformat(), "started_by": case.started_by,
                    "completed_at": case.completed_at.isoformat() if case.completed_at else None,
                },
                "chain": {"verified": result.ok, "events": result.events,
                          "breaks": [{"global_seq": b.global_seq, "event_id": b.event_id, "reason": b.reason}
                                     for b in result.breaks]},
                "events": export_records(case_events(s, case_id)),
            }
