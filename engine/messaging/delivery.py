"""Delivering committed outbox messages: lease, send, record – one message at a time.

Contract of :func:`deliver_due`: for up to ``limit`` due messages (status ``pending``,
``next_attempt_at`` reached, no live lease), in three steps each:

1. *claim* (own transaction): set ``claimed_until = now + Settings.outbox_lease_s`` and a fresh
   ``claim_token``. PostgreSQL skips rows another worker holds (``FOR UPDATE SKIP LOCKED``);
   SQLite serialises writers anyway. A worker killed after this step leaves a lease that simply
   runs out; the next round sends the message again.
2. *send* through the transport, outside any transaction (no database lock is held while the
   network is slow).
3. *record* (own transaction, only if the claim token still matches, i.e. the lease was not
   taken over): ``delivered``, or another failed attempt with the next time from
   :func:`engine.messaging.backoff.retry_delay`, or ``dead`` after ``Settings.outbox_max_attempts``
   attempts. Each outcome is an audit event (``message_delivered``, ``message_failed``,
   ``message_dead_lettered``), in the case's chain when the message belongs to a case.

Because a message can be sent again after a crash between 2 and 3, delivery is at-least-once;
receivers deduplicate by the message id, which makes it exactly-once where it counts.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from engine import clock
from engine.audit.log import NewEvent, append
from engine.messaging.backoff import retry_delay
from engine.messaging.outbox import DEAD, DELIVERED, PENDING, READER_BEHOERDE
from engine.messaging.transports import Outgoing, Transport, TransportFailed, build
from engine.store.models import Case, OutboxMessage

if TYPE_CHECKING:
    from engine.service_layer.core import Engine

log = logging.getLogger("amtskoffer.messaging")
ACTOR = "outbox"
"""Actor name of the delivery worker in audit events."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryRound:
    """What one call of :func:`deliver_due` did."""

    delivered: int = 0
    failed: int = 0
    """Failed attempts that will be retried."""
    dead: int = 0
    """Messages that gave up in this round."""
    superseded: int = 0
    """Results not recorded because the lease had run out and another worker took over."""

    @property
    def attempted(self) -> int:
        return self.delivered + self.failed + self.dead + self.superseded


@dataclass(frozen=True, slots=True)
class _Claim:
    message: Outgoing
    token: str
    case_id: uuid.UUID | None
    attempts: int


def _claim(engine: Engine, now: datetime) -> _Claim | None:
    lease = timedelta(seconds=engine.settings.outbox_lease_s)
    with engine.db.sessions.begin() as s:
        row = s.execute(
            select(OutboxMessage)
            .where(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now,
                   or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).scalar_one_or_none()
        if row is None:
            return None
        token = str(uuid.uuid4())
        row.claimed_until = now + lease
        row.claim_token = token
        message = Outgoing(id=row.id, kind=row.kind, message_type=row.message_type, reader=row.reader, body=row.xml,
                           reader_kind=(row.validation or {}).get("reader_kind") or READER_BEHOERDE)
        return _Claim(message=message, token=token, case_id=row.case_id, attempts=row.attempts)


def _record(engine: Engine, claim: _Claim, transport: Transport, error: str | None, now: datetime) -> str:
    """Store the outcome; returns delivered | failed | dead | superseded."""
    settings = engine.settings
    with engine.db.sessions.begin() as s:
        if claim.case_id is not None:
            # Same lock order as a step (case row, then the audit head): no deadlock with a
            # clerk's step on the same case, and the case's audit sequence stays consistent.
            s.execute(select(Case.id).where(Case.id == claim.case_id).with_for_update())
        row = s.execute(
            select(OutboxMessage).where(OutboxMessage.id == claim.message.id,
                                        OutboxMessage.claim_token == claim.token).with_for_update()
        ).scalar_one_or_none()
        if row is None or row.status != PENDING:
            return "superseded"
        row.attempts = row.attempts + 1
        row.claimed_until = None
        row.claim_token = None
        row.transport = transport.name
        details = {"message_id": str(row.id), "kind": row.kind, "message_type": row.message_type,
                   "reader": row.reader, "transport": transport.name, "attempt": row.attempts}
        if error is None:
            row.status, row.delivered_at, row.last_error = DELIVERED, now, None
            outcome, event = "delivered", "message_delivered"
        elif row.attempts >= settings.outbox_max_attempts:
            row.status, row.last_error, row.next_attempt_at = DEAD, error, None
            outcome, event = "dead", "message_dead_lettered"
            details["error"] = error
        else:
            row.last_error = error
            row.next_attempt_at = now + retry_delay(row.id, row.attempts, base_s=settings.outbox_retry_base_s,
                                                    cap_s=settings.outbox_retry_cap_s)
            outcome, event = "failed", "message_failed"
            details |= {"error": error, "next_attempt_at": row.next_attempt_at.isoformat()}
        s.flush()
        append(s, [NewEvent(type=event, actor=ACTOR, payload=details, case_id=row.case_id)], at=now)
    return outcome


def deliver_due(engine: Engine, *, now: datetime | None = None, limit: int = 50,
                transport: Transport | None = None) -> DeliveryRound:
    """One delivery round (see the module docstring). ``now`` pins the time (tests)."""
    chosen = transport or build(engine.settings)
    counts = {"delivered": 0, "failed": 0, "dead": 0, "superseded": 0}
    for _ in range(limit):
        claimed_at = now or clock.now()
        claim = _claim(engine, claimed_at)
        if claim is None:
            break
        error: str | None = None
        try:
            chosen.send(claim.message)
        except TransportFailed as err:
            error = f"{err.user_message} ({err})"
        except Exception as err:  # a transport's own bug must not stop the other messages
            log.exception("message_transport_crashed id=%s", claim.message.id)
            error = f"Interner Fehler des Versandwegs ({err.__class__.__name__}: {err})"
        outcome = _record(engine, claim, chosen, error, now or clock.now())
        counts[outcome] += 1
        if outcome != "delivered":
            log.warning("message_%s id=%s type=%s reader=%s error=%s", outcome, claim.message.id,
                        claim.message.message_type, claim.message.reader, error)
    return DeliveryRound(**counts)
