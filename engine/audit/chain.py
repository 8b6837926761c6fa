"""Hash chains over audit events: canonical encoding, hashing and verification (pure).

Every event belongs to the global chain (ordered by ``global_seq``) and, if it concerns a
case, to that case's chain (ordered by ``case_seq``). An event's hash is SHA-256 over the
canonical encoding of all its fields *including both predecessor hashes*, so one hash value
links both chains. Verification recomputes every hash and checks every link and the stored
heads; it reports the first broken event. Changing a byte of any field, deleting, inserting
or reordering events therefore always breaks verification.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

GENESIS = "0" * 64


def jsonable(value: Any) -> Any:
    """Plain JSON values for audit payloads: dates as ISO text, Decimal as text, UUID as text."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, float):
        # Floats have no canonical text form across platforms/libraries; store them as text.
        return repr(value)
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def canonical(value: Any) -> str:
    """Canonical JSON text: sorted keys, no insignificant whitespace, UTF-8 characters kept."""
    return json.dumps(jsonable(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class EventRecord:
    """An audit event as stored."""

    id: str
    global_seq: int
    case_id: str | None
    case_seq: int | None
    type: str
    actor: str
    at: str
    payload: str
    """Canonical JSON text, hashed as stored."""
    prev_global_hash: str
    prev_case_hash: str | None
    hash: str


def compute_hash(
    *,
    id: str,
    global_seq: int,
    case_id: str | None,
    case_seq: int | None,
    type: str,
    actor: str,
    at: str,
    payload: str,
    prev_global_hash: str,
    prev_case_hash: str | None,
) -> str:
    body = canonical(
        {
            "id": id,
            "global_seq": global_seq,
            "case_id": case_id,
            "case_seq": case_seq,
            "type": type,
            "actor": actor,
            "at": at,
            "payload": payload,
            "prev_global_hash": prev_global_hash,
            "prev_case_hash": prev_case_hash,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record_hash(e: EventRecord) -> str:
    return compute_hash(
        id=e.id,
        global_seq=e.global_seq,
        case_id=e.case_id,
        case_seq=e.case_seq,
        type=e.type,
        actor=e.actor,
        at=e.at,
        payload=e.payload,
        prev_global_hash=e.prev_global_hash,
        prev_case_hash=e.prev_case_hash,
    )


@dataclass(frozen=True, slots=True)
class Break:
    """Where and why a chain is broken."""

    global_seq: int | None
    event_id: str | None
    case_id: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class VerifyResult:
    events: int
    breaks: tuple[Break, ...]

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first(self) -> Break | None:
        return min(self.breaks, key=lambda b: (b.global_seq is None, b.global_seq or 0), default=None)


def verify(
    events: Iterable[EventRecord],
    *,
    head: tuple[int, str] | None,
    case_heads: Mapping[str, tuple[int, str]] | None = None,
) -> VerifyResult:
    """Verify the global chain, every case chain and the stored heads.

    ``events`` in any order; ``head`` is the stored (global_seq, hash) of the newest event
    (None if the log is empty); ``case_heads`` maps case id → stored (case_seq, hash) of its
    newest event (from the case table), which detects deletion of a case's newest event.
    """
    ordered = sorted(events, key=lambda e: (e.global_seq, e.id))
    breaks: list[Break] = []
    prev_hash = GENESIS
    prev_seq = 0
    case_last: dict[str, tuple[int, str]] = {}
    for e in ordered:
        if e.global_seq != prev_seq + 1:
            breaks.append(Break(e.global_seq, e.id, e.case_id, f"global sequence jumps from {prev_seq}"))
        if record_hash(e) != e.hash:
            breaks.append(Break(e.global_seq, e.id, e.case_id, "event content does not match its hash"))
        if e.prev_global_hash != prev_hash:
            breaks.append(Break(e.global_seq, e.id, e.case_id, "link to the previous event is broken"))
        if e.case_id is not None:
            last_seq, last_hash = case_last.get(e.case_id, (0, GENESIS))
            if e.case_seq != last_seq + 1:
                breaks.append(
                    Break(e.global_seq, e.id, e.case_id, f"case sequence jumps from {last_seq} to {e.case_seq}")
                )
            if e.prev_case_hash != last_hash:
                breaks.append(Break(e.global_seq, e.id, e.case_id, "link to the previous case event is broken"))
            case_last[e.case_id] = (e.case_seq or 0, e.hash)
        elif e.case_seq is not None or e.prev_case_hash is not None:
            breaks.append(Break(e.global_seq, e.id, None, "case fields set on an event without case"))
        prev_hash, prev_seq = e.hash, e.global_seq
    if head is None:
        if ordered:
            breaks.append(Break(None, None, None, "events exist but the chain head is missing"))
    elif (prev_seq, prev_hash) != tuple(head):
        breaks.append(
            Break(prev_seq + 1 if prev_seq < head[0] else prev_seq, None, None,
                  f"chain head is at {head[0]} but the events end at {prev_seq}")
        )
    for case_id, stored in (case_heads or {}).items():
        actual = case_last.get(case_id, (0, GENESIS))
        if stored[0] == 0 and actual == (0, GENESIS):
            continue
        if actual != tuple(stored):
            breaks.append(
                Break(None, None, case_id, f"case head is at {stored[0]} but its events end at {actual[0]}")
            )
    return VerifyResult(len(ordered), tuple(breaks))
