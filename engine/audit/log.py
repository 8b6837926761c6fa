"""Appending to and reading the audit log (inside the caller's transaction).

Appends lock the chain head (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite already holds its
write lock from ``BEGIN IMMEDIATE``) so that concurrent steps extend the global chain one after
the other. Call :func:`append` as late as possible in a step to keep that lock short.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

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


def append(session: Session, events: Sequence[NewEvent], *, at: datetime) -> list[EventRecord]:
    """Append ``events`` to the global chain and to their case chains; returns the records.

    Uses Core statements on the session's connection (events are only ever inserted); the
    case rows' chain heads are updated in the database and in any loaded ORM object.
    """
    if not events:
        return []
    conn = session.connection()
    head_table = AuditHead.__table__
    head = conn.execute(select(head_table.c.global_seq, head_table.c.hash)
                        .where(head_table.c.id == 1).with_for_update()).first()
    if head is None:
        conn.execute(insert(head_table).values(id=1, global_seq=0, hash=GENESIS))
        global_seq, global_hash = 0, GENESIS
    else:
        global_seq, global_hash = head
    case_heads: dict[uuid.UUID, list[Any]] = {}
    records: list[EventRecord] = []
    stamp = _iso(at)
    for ev in events:
        case_id = str(ev.case_id) if ev.case_id is not None else None
        prev_case = None
        case_seq = None
        if ev.case_id is not None:
            if ev.case_id not in case_heads:
                case = session.get(Case, ev.case_id)
                if case is None:
                    raise LookupError(f"audit event for unknown case {ev.case_id}")
                case_heads[ev.case_id] = [case.audit_seq, case.audit_hash or GENESIS, case]
            ch = case_heads[ev.case_id]
            case_seq, prev_case = ch[0] + 1, ch[1]
        fields = dict(id=str(uuid.uuid4()), global_seq=global_seq + 1, case_id=case_id, case_seq=case_seq,
                      type=ev.type, actor=ev.actor, at=stamp, payload=canonical(ev.payload),
                      prev_global_hash=global_hash, prev_case_hash=prev_case)
        record = EventRecord(**fields, hash=compute_hash(**fields))
        records.append(record)
        global_seq, global_hash = record.global_seq, record.hash
        if ev.case_id is not None:
            case_heads[ev.case_id][0:2] = [case_seq, record.hash]
    conn.execute(insert(AuditEvent.__table__), [
        {**{k: getattr(r, k) for k in ("global_seq", "case_seq", "type", "actor", "at", "payload",
                                       "prev_global_hash", "prev_case_hash", "hash")},
         "id": uuid.UUID(r.id), "case_id": uuid.UUID(r.case_id) if r.case_id else None}
        for r in records])
    conn.execute(update(head_table).where(head_table.c.id == 1).values(global_seq=global_seq, hash=global_hash))
    for case_id_key, (seq, h, case) in case_heads.items():
        conn.execute(update(Case.__table__).where(Case.id == case_id_key).values(audit_seq=seq, audit_hash=h))
        set_committed_value(case, "audit_seq", seq)
        set_committed_value(case, "audit_hash", h)
    return records


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


def verify_database(session: Session, *, batch: int = 5000,
                    progress: Callable[[int], None] | None = None) -> VerifyResult:
    """Verify the whole log against the stored global head and every case's head.

    ``progress`` is called with the number of events read in each batch (for a progress bar).
    """
    records: list[EventRecord] = []
    last = 0
    while True:
        rows = session.execute(
            select(AuditEvent).where(AuditEvent.global_seq > last).order_by(AuditEvent.global_seq).limit(batch)
        ).scalars().all()
        if not rows:
            break
        records.extend(to_record(r) for r in rows)
        if progress is not None:
            progress(len(rows))
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
