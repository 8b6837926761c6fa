"""Messages for people: what the clerk, the admin and the auditor see and may do.

Contract of :class:`MessageService` (``engine.messages``-style object built from an ``Engine``):
every query is limited to the actor's authorities (``Actor.authority_ids``; ``None`` sees all)
– a message of another authority is "not found", like a case. Reading needs one of the roles
clerk, admin or auditor; :meth:`resend` and :meth:`reprocess` need admin and are audited
(``message_resent``; reprocessing leads to the case's own step events or ``message_parked``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine import clock
from engine.audit.log import NewEvent, append
from engine.errors import Conflict, NotFound
from engine.messaging import inbound as inbound_store
from engine.messaging.outbox import DEAD, DELIVERED, HELD, PENDING
from engine.service_layer.actors import Actor
from engine.store.models import Case, InboundMessage, OutboxMessage
from engine.xoev import message_types

if TYPE_CHECKING:
    from engine.service_layer.core import Engine

READ_ROLES = ("clerk", "admin", "auditor")


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxView:
    """An outgoing message as shown in a case, the outbox list and the dead letters."""

    id: uuid.UUID
    kind: str
    """``xmeld`` or ``order``."""
    message_type: str
    title: str
    """German title of the message type (or the order kind)."""
    code: str
    case_id: uuid.UUID | None
    case_number: str | None
    author: str
    reader: str
    reader_name: str
    status: str
    """pending | delivered | dead | held"""
    transport: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    sandbox: bool
    valid: bool
    validation: dict[str, Any]
    body: bytes | None = None
    """The XML (or the order's JSON); only filled by :meth:`MessageService.get`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundView:
    """A received message and what became of it."""

    id: uuid.UUID
    kind: str
    """``xmeld`` or ``json``."""
    source: str
    message_type: str | None
    message_name: str | None
    message_uuid: str | None
    status: str
    """received | correlated | parked | rejected"""
    reason: str | None
    case_id: uuid.UUID | None
    case_number: str | None
    valid: bool
    validation: dict[str, Any]
    payload: dict[str, Any] | None
    received_at: datetime
    processed_at: datetime | None
    body: bytes | None = None


class MessageService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- outgoing ---------------------------------------------------------------------------
    def _titles(self) -> dict[str, str]:
        try:
            return {name: t.title_de for name, t in message_types(self.engine.settings).items()}
        except Exception:  # a broken type folder must not hide the messages themselves
            return {}

    def _outbox_views(self, s: Session, stmt: Select[Any], *, with_body: bool = False) -> list[OutboxView]:
        titles = self._titles()
        views = []
        for row, number in s.execute(stmt):
            views.append(OutboxView(
                id=row.id, kind=row.kind, message_type=row.message_type,
                title=titles.get(row.message_type, row.message_type) if row.kind == "xmeld"
                else f"Auftrag: {row.message_type}",
                code=row.code, case_id=row.case_id, case_number=number, author=row.author, reader=row.reader,
                reader_name=row.reader_name, status=row.status, transport=row.transport, attempts=row.attempts,
                next_attempt_at=row.next_attempt_at, last_error=row.last_error, created_at=row.created_at,
                delivered_at=row.delivered_at, sandbox=row.sandbox, valid=row.valid,
                validation=dict(row.validation or {}), body=row.xml if with_body else None,
            ))
        return views

    @staticmethod
    def _outbox_query(actor: Actor) -> Select[Any]:
        stmt = select(OutboxMessage, Case.number).outerjoin(Case, Case.id == OutboxMessage.case_id)
        if actor.authority_ids is not None:
            stmt = stmt.where(OutboxMessage.authority_id.in_(actor.authority_ids))
        return stmt

    def for_case(self, case_id: uuid.UUID, actor: Actor) -> list[OutboxView]:
        """The messages and orders a case sent, oldest first (within a step: XMeld, then orders)."""
        actor.require_role(*READ_ROLES)
        with self.engine.db.read() as s:
            case = s.get(Case, case_id)
            if case is None:
                raise NotFound(f"case {case_id} not found", user_message="Der Vorgang wurde nicht gefunden.")
            actor.require_authority(case.authority_id)
            # Messages of one step share their time stamp: XMeld before orders, then by type.
            stmt = self._outbox_query(Actor.system()).where(OutboxMessage.case_id == case_id) \
                .order_by(OutboxMessage.created_at, OutboxMessage.kind.desc(), OutboxMessage.message_type,
                          OutboxMessage.id)
            return self._outbox_views(s, stmt)

    def outbox(self, actor: Actor, *, status: str | None = None, limit: int = 100) -> list[OutboxView]:
        """The outbox, newest first (``status``: pending, delivered, dead or held)."""
        actor.require_role(*READ_ROLES)
        stmt = self._outbox_query(actor).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id).limit(limit)
        if status:
            stmt = stmt.where(OutboxMessage.status == status)
        with self.engine.db.read() as s:
            return self._outbox_views(s, stmt)

    def dead_letters(self, actor: Actor, *, limit: int = 100) -> list[OutboxView]:
        """Messages that could not be delivered after every attempt."""
        return self.outbox(actor, status=DEAD, limit=limit)

    def get(self, message_id: uuid.UUID, actor: Actor) -> OutboxView:
        """One message with its XML (or JSON)."""
        actor.require_role(*READ_ROLES)
        with self.engine.db.read() as s:
            views = self._outbox_views(s, self._outbox_query(actor).where(OutboxMessage.id == message_id),
                                       with_body=True)
        if not views:
            raise NotFound(f"outbox message {message_id} not found", user_message="Die Nachricht wurde nicht gefunden.")
        return views[0]

    def resend(self, message_id: uuid.UUID, actor: Actor) -> OutboxView:
        """Put a dead (or waiting) message back into the queue, due now; attempts start again."""
        actor.require_role("admin")
        now = clock.now()
        with self.engine.db.sessions.begin() as s:
            row = s.get(OutboxMessage, message_id)
            if row is None or (actor.authority_ids is not None and row.authority_id not in actor.authority_ids):
                raise NotFound(f"outbox message {message_id} not found",
                               user_message="Die Nachricht wurde nicht gefunden.")
            if row.case_id is not None:  # lock order of a step: case row, then the message, then the audit head
                s.execute(select(Case.id).where(Case.id == row.case_id).with_for_update())
            s.refresh(row, with_for_update=True)
            if row.status == HELD:
                raise Conflict(f"message {message_id} is held (sandbox)",
                               user_message="Nachrichten aus Testvorgängen werden nie versendet.")
            if row.status == DELIVERED:
                raise Conflict(f"message {message_id} was delivered",
                               user_message="Die Nachricht wurde bereits zugestellt. Eine erneute Zustellung "
                               "derselben Nachricht würde der Empfänger als Wiederholung verwerfen.")
            previous = {"status": row.status, "attempts": row.attempts, "last_error": row.last_error}
            row.status, row.attempts, row.next_attempt_at = PENDING, 0, now
            row.claimed_until = row.claim_token = None
            s.flush()
            append(s, [NewEvent(type="message_resent", actor=actor.name, case_id=row.case_id, payload={
                "message_id": str(row.id), "message_type": row.message_type, "reader": row.reader,
                "previous": previous})], at=now)
        return self.get(message_id, actor)

    # -- incoming ---------------------------------------------------------------------------
    @staticmethod
    def _inbound_query(actor: Actor) -> Select[Any]:
        stmt = select(InboundMessage, Case.number).outerjoin(Case, Case.id == InboundMessage.case_id)
        if actor.authority_ids is not None:
            stmt = stmt.where(InboundMessage.authority_id.in_(actor.authority_ids))
        return stmt

    @staticmethod
    def _inbound_views(s: Session, stmt: Select[Any], *, with_body: bool = False) -> list[InboundView]:
        return [InboundView(
            id=row.id, kind=row.kind, source=row.source, message_type=row.message_type,
            message_name=row.message_name, message_uuid=row.message_uuid, status=row.status, reason=row.reason,
            case_id=row.case_id, case_number=number, valid=row.valid, validation=dict(row.validation or {}),
            payload=dict(row.payload) if row.payload is not None else None, received_at=row.received_at,
            processed_at=row.processed_at, body=row.body if with_body else None,
        ) for row, number in s.execute(stmt)]

    def inbound(self, actor: Actor, *, status: str | None = None, limit: int = 100) -> list[InboundView]:
        """Received messages, newest first (``status``: correlated, parked, rejected, received).

        Messages whose reader is not configured here have no authority: only actors who see all
        authorities (admins without restriction, the system) see them.
        """
        actor.require_role(*READ_ROLES)
        stmt = self._inbound_query(actor).order_by(InboundMessage.received_at.desc(), InboundMessage.id).limit(limit)
        if status:
            stmt = stmt.where(InboundMessage.status == status)
        with self.engine.db.read() as s:
            return self._inbound_views(s, stmt)

    def parked(self, actor: Actor, *, limit: int = 100) -> list[InboundView]:
        return self.inbound(actor, status=inbound_store.PARKED, limit=limit)

    def inbound_message(self, inbound_id: uuid.UUID, actor: Actor) -> InboundView:
        actor.require_role(*READ_ROLES)
        with self.engine.db.read() as s:
            views = self._inbound_views(s, self._inbound_query(actor).where(InboundMessage.id == inbound_id),
                                        with_body=True)
        if not views:
            raise NotFound(f"inbound message {inbound_id} not found",
                           user_message="Die Nachricht wurde nicht gefunden.")
        return views[0]

    def reprocess(self, inbound_id: uuid.UUID, actor: Actor) -> inbound_store.InboundResult:
        """Assign a parked message again (e.g. the case now waits for it)."""
        actor.require_role("admin")
        self.inbound_message(inbound_id, actor)  # visibility check
        return inbound_store.reprocess(self.engine, inbound_id)
