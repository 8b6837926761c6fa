"""Writing messages into the outbox, inside the caller's transaction.

Contract: :func:`queue_xmeld` and :func:`queue_order` add one :class:`OutboxMessage` row to the
session they are given and nothing else; the row commits or rolls back with that session (the
step), so a message exists exactly when the step that sent it exists. Nothing leaves the machine
here – :mod:`engine.messaging.delivery` sends committed rows later.

Statuses: ``pending`` (waiting for its next attempt; ``last_error`` says why an earlier one
failed), ``delivered``, ``dead`` (gave up after ``Settings.outbox_max_attempts``; an admin can
re-send), ``held`` (written by a sandbox case: never delivered).

Readers: ``reader`` is the DVDV identifier of an authority, or – for a message to a customer
(``b2privat``/``dienstleister2kunde`` header, :class:`~engine.xoev.KundeRef`) – the customer's
display name; ``reader_name`` the name in both cases. A message to a customer also records
``header`` and ``reader_kind = "kunde"`` with its validation result (the transports read
``reader_kind`` from there: the outbox table has no column of its own for it).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from engine.errors import DesignError
from engine.store.models import OutboxMessage
from engine.xoev import FAMILIES, GeneratedMessage, KundeRef

PENDING = "pending"
DELIVERED = "delivered"
DEAD = "dead"
HELD = "held"
STATUSES = (PENDING, DELIVERED, DEAD, HELD)

XMELD = "xmeld"
ORDER = "order"
ORDER_FORMAT = "amtskoffer-auftrag/1"
"""Version of the JSON order document (see docs: messaging)."""

READER_BEHOERDE = "behoerde"
READER_KUNDE = "kunde"
"""``reader_kind`` of a message to a customer (see the module docstring)."""

CHANNEL = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
"""Order channels are simple names: they become folder names and header values."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Sender:
    """Who sends from which case: the part of a step an outbox row needs."""

    authority_id: uuid.UUID
    case_id: uuid.UUID | None
    sandbox: bool
    now: datetime
    transport: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReaderAddress:
    """How the outbox and the audit trail name a message's reader."""

    reader: str
    """DVDV identifier, or the customer's display name (at most 64 characters)."""
    reader_name: str
    """Name of the authority or the customer (at most 200 characters)."""
    kind: str
    """``behoerde`` or ``kunde``."""


def reader_address(message: GeneratedMessage) -> ReaderAddress:
    reader = message.reader
    if isinstance(reader, KundeRef):
        name = reader.display_name
        return ReaderAddress(reader=name[:64], reader_name=name[:200], kind=READER_KUNDE)
    return ReaderAddress(reader=reader.dvdv_kennung, reader_name=reader.name[:200], kind=READER_BEHOERDE)


def queue_xmeld(session: Session, message: GeneratedMessage, sender: Sender, *, schema_version: str) -> OutboxMessage:
    """Add a validated XMeld message to the outbox (``held`` for sandbox cases).

    The author must be an authority (:class:`~engine.xoev.AuthorityRef`): the engine only sends
    as one of its authorities.
    """
    address = reader_address(message)
    validation: dict[str, Any] = {"valid": True, "schema": f"XMeld {schema_version}",
                                  "validated_at": sender.now.isoformat()}
    if not FAMILIES[message.header].is_g2g:
        validation |= {"header": message.header, "reader_kind": address.kind}
    # build_message returns only messages that passed the XSD: valid by construction.
    return _queue(session, sender, message_id=message.message_id, kind=XMELD, message_type=message.message_type,
                  code=message.code, author=message.author.dvdv_kennung,  # type: ignore[union-attr]
                  reader=address.reader, reader_name=address.reader_name, body=message.xml, validation=validation)


def _queue(session: Session, sender: Sender, *, message_id: uuid.UUID, kind: str, message_type: str, code: str,
           author: str, reader: str, reader_name: str, body: bytes, validation: dict[str, Any]) -> OutboxMessage:
    """The outbox row, due now – or ``held`` in a sandbox case, where nothing leaves."""
    row = OutboxMessage(
        id=message_id, case_id=sender.case_id, authority_id=sender.authority_id, kind=kind, message_type=message_type,
        code=code, author=author, reader=reader, reader_name=reader_name, xml=body, valid=True,
        validation=validation, status=HELD if sender.sandbox else PENDING, transport=sender.transport, attempts=0,
        next_attempt_at=None if sender.sandbox else sender.now, created_at=sender.now, sandbox=sender.sandbox,
    )
    session.add(row)
    return row


def json_value(value: Any) -> Any:
    """Task data as JSON: dates ISO 8601, money (Decimal) and UUIDs as text."""
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise DesignError(f"order data contains a {type(value).__name__}",
                      user_message=f"Ein Auftrag kann keinen Wert vom Typ {type(value).__name__} enthalten.")


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    """A JSON order to a producer channel (format ``amtskoffer-auftrag/1``)."""

    order_id: uuid.UUID
    channel: str
    kind: str
    """``auftragsart``, e.g. ``dokument_herstellen``."""
    case: Mapping[str, Any]
    """``{id, nummer, verfahren}`` of the ordering case."""
    authority: Mapping[str, Any]
    """``{key, name, dvdv_kennung}`` of the ordering authority."""
    created_at: datetime
    data: Mapping[str, Any]

    def document(self) -> bytes:
        body = {
            "format": ORDER_FORMAT,
            "auftrag_id": str(self.order_id),
            "auftragsart": self.kind,
            "empfaenger": self.channel,
            "vorgang": json_value(self.case),
            "behoerde": json_value(self.authority),
            "erstellt_am": self.created_at.isoformat(timespec="milliseconds"),
            "daten": json_value(self.data),
        }
        return json.dumps(body, ensure_ascii=False, sort_keys=True, indent=2).encode("utf-8")


def queue_order(session: Session, order: Order, sender: Sender, *, author: str) -> OutboxMessage:
    """Add a JSON order to the outbox (``held`` for sandbox cases)."""
    if not CHANNEL.match(order.channel):
        raise DesignError(f"order channel {order.channel!r} is not a simple name",
                          user_message=f"Der Auftragsempfänger „{order.channel}“ ist kein gültiger Kanalname "
                          "(Kleinbuchstaben, Ziffern, - und _).")
    return _queue(session, sender, message_id=order.order_id, kind=ORDER, message_type=order.kind[:120], code="",
                  author=author[:64], reader=order.channel, reader_name=order.channel, body=order.document(),
                  validation={"format": ORDER_FORMAT})
