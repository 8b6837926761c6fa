"""Appending to and reading the audit log (inside the caller's transaction).

Appends lock the chain head (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite already holds its
write lock from ``BEGIN IMMEDIATE``) so that concurrent steps extend the global chain one after
the other. Call :func:`append` as late as possible in a step to keep that lock short.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.chain import (
    GENESIS,
    Break,
    EventRecord,
    VerifyResult,
    canonical,
    compute_hash,
    record_hash,
    verify,
)
from engine.store.models import AuditEvent, AuditHead, Case


@dataclass(frozen=True, slots=True, kw_only=True)
class NewEvent:
    """An event to append. ``type`` follows ``<subject>_<past_tense_verb>`` (``case_started``)."""

    type: str
    actor: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    case_id: uuid.UUID | None = None


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def append(session: Session, events: Sequence[NewEvent], *, at: datetime) -> list[AuditEvent]:
    """Append ``events`` to the global chain and to their case chains; returns the rows."""
    if not events:
        return []
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, global_seq=0, hash=GENESIS)
        session.add(head)
    cases: dict[uuid.UUID, Case] = {}
    rows = []
    stamp = _iso(at)
    for ev in events:
        case = None
        if ev.case_id is not None:
            case = cases.get(ev.case_id) or session.get(Case, ev.case_id)
            if case is None:
                raise LookupError(f"audit event for unknown case {ev.case_id}")
            cases[ev.case_id] = case
        row = AuditEvent(
            id=uuid.uuid4(),
            global_seq=head.global_seq + 1,
            case_id=ev.case_id,
            case_seq=(case.audit_seq + 1) if case else None,
            type=ev.type,
            actor=ev.actor,
            at=stamp,
            payload=canonical(ev.payload),
            prev_global_hash=head.hash,
            prev_case_hash=(case.audit_hash or GENESIS) if case else None,
        )
        row.hash = compute_hash(
            id=str(row.id),
            global_seq=row.global_seq,
            case_id=str(row.case_id) if row.case_id else None,
            case_seq=row.case_seq,
            type=row.type,
            actor=row.actor,
            at=row.at,
            payload=row.payload,
            prev_global_hash=row.prev_global_hash,
            prev_case_hash=row.prev_case_hash,
        )
        session.add(row)
        head.global_seq, head.hash = row.global_seq, row.hash
        if case is not None:
            case.audit_seq, case.audit_hash = row.case_seq or 0, row.hash
        rows.append(row)
    session.flush()
    return rows


def to_record(row: AuditEvent) -> EventRecord:
    return EventRecord(
        id=str(row.id),
        global_seq=row.global_seq,
        case_id=str(row.case_id) if row.case_id else None,
        case_seq=row.case_seq,
        type=row.type,
        actor=row.actor,
        at=row.at,
        payload=row.payload,
        prev_global_hash=row.prev_global_hash,
        prev_case_hash=row.prev_case_hash,
        hash=row.hash,
    )


def verify_database(session: Session, *, batch: int = 5000) -> VerifyResult:
    """Verify the whole log against the stored global head and every case's head."""
    records: list[EventRecord] = []
    last = 0
    while True:
        rows = session.execute(
            select(AuditEvent).where(AuditEvent.global_seq > last).order_by(AuditEvent.global_seq).limit(batch)
        ).scalars().all()
        if not rows:
            break
        records.extend(to_record(r) for r in rows)
        last = rows[-1].global_seq
        session.expunge_all()
    head_row = session.get(AuditHead, 1)
    head = (head_row.global_seq, head_row.hash) if head_row else None
    case_heads = {
        str(cid): (seq, h or GENESIS)
        for cid, seq, h in session.execute(select(Case.id, Case.audit_seq, Case.audit_hash))
    }
    return verify(records, head=head, case_heads=case_heads)


def verify_case(session: Session, case_id: uuid.UUID) -> VerifyResult:
    """Verify one case's chain (content, links, head). Cheap: reads only that case's events."""
    rows = session.execute(
        select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.case_seq)
    ).scalars().all()
    case = session.get(Case, case_id)
    breaks: list[Break] = []
    last_seq, last_hash = 0, GENESIS
    for r in rows:
        rec = to_record(r)
        if rec.case_seq != last_seq + 1:
            breaks.append(Break(rec.global_seq, rec.id, rec.case_id, f"case sequence jumps from {last_seq}"))
        if record_hash(rec) != rec.hash:
            breaks.append(Break(rec.global_seq, rec.id, rec.case_id, "event content does not match its hash"))
        if rec.prev_case_hash != last_hash:
            breaks.append(Break(rec.global_seq, rec.id, rec.case_id, "link to the previous case event is broken"))
        last_seq, last_hash = rec.case_seq or 0, rec.hash
    if case is not None and (case.audit_seq, case.audit_hash or GENESIS) != (last_seq, last_hash):
        breaks.append(Break(None, None, str(case_id), f"case head is at {case.audit_seq} but events end at {last_seq}"))
    return VerifyResult(len(rows), tuple(breaks))


def case_events(session: Session, case_id: uuid.UUID) -> list[AuditEvent]:
    return list(
        session.execute(
            select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.case_seq)
        ).scalars()
    )


def export_records(rows: Iterable[AuditEvent]) -> list[dict[str, Any]]:
    """Events as plain dicts (payload decoded) for JSON export and dossiers."""
    out = []
    for r in rows:
        rec = to_record(r)
        out.append(
            {
                "id": rec.id,
                "global_seq": rec.global_seq,
                "case_seq": rec.case_seq,
                "type": rec.type,
                "actor": rec.actor,
                "at": rec.at,
                "payload": json.loads(rec.payload),
                "prev_case_hash": rec.prev_case_hash,
                "prev_global_hash": rec.prev_global_hash,
                "hash": rec.hash,
            }
        )
    return out
