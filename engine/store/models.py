"""Tables of the engine core (typed SQLAlchemy 2 models).

Identifiers of cases, events and messages are UUIDs: cases will be created offline on several
mobile-office laptops and merged into the office server later, so ids must never collide.

The SpiffWorkflow state is stored as TEXT, never JSON/JSONB: the 3.2.0 delta format depends on
the order of the ``tasks`` keys, which a JSONB column would change (silently losing data).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from engine.store.types import UTCDateTime


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), uuid.UUID: Uuid(), dict[str, Any]: JSON()}


class Authority(Base):
    """An authority (Amt, amtsfreie Gemeinde, Stadt) with its official keys and roles."""

    __tablename__ = "authority"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # amt | gemeinde | stadt | landkreis | extern
    ags: Mapped[str | None] = mapped_column(String(8))
    ars: Mapped[str | None] = mapped_column(String(12))
    verband: Mapped[str | None] = mapped_column(String(9))
    dvdv_kennung: Mapped[str | None] = mapped_column(String(64))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    address: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    email: Mapped[str | None] = mapped_column(String(200))
    municipalities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """Member municipalities [{name, ags, ars}]: residents of these belong to this authority."""
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Authority-specific values processes may read (e.g. Land fees not set by federal law)."""
    created_at: Mapped[datetime]


class PackageVersion(Base):
    """One version of a service package; its files are stored here once, addressed by hash."""

    __tablename__ = "package_version"
    __table_args__ = (
        UniqueConstraint("service_id", "content_hash"),
        UniqueConstraint("service_id", "version_no"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    service_id: Mapped[str] = mapped_column(String(64), index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)
    files: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    """{relative path: text} for every file of the package (BPMN, DMN, forms, templates, tests).
    Deferred: loaded only when a version is compiled, not with every case step."""
    status: Mapped[str] = mapped_column(String(12))  # draft | published | retired
    change_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100), default="")
    published_at: Mapped[datetime | None]
    published_by: Mapped[str | None] = mapped_column(String(100))


class Case(Base):
    """A case (Vorgang): one run of a service for one citizen at one authority."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_authority_status", "authority_id", "status"),
        Index("ix_cases_next_timer", "next_timer_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    service_id: Mapped[str] = mapped_column(String(64), index=True)
    package_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("package_version.id"))
    authority_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("authority.id"))
    status: Mapped[str] = mapped_column(String(16))  # active | waiting | completed | cancelled | error
    title: Mapped[str] = mapped_column(String(300), default="")
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Searchable summary (applicant name, birth date …) set by ``case.set_labels``."""
    ready_tasks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """[{task_id, spec, name, lane}] of the user tasks waiting now (denormalised for lists)."""
    waiting_for: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """[{kind: timer|message, name, due}] events the case waits for."""
    next_timer_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=0)
    """Optimistic lock: every step increments it; a step based on an older version fails."""
    state_seq: Mapped[int] = mapped_column(Integer, default=0)
    audit_seq: Mapped[int] = mapped_column(Integer, default=0)
    audit_hash: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime]
    started_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    sandbox: Mapped[bool] = mapped_column(Boolean, default=False)


class CaseState(Base):
    """The serialized workflow after each step; rows are never updated.

    The newest row is the current state. Older rows are the restore points that corrections
    go back to (SpiffWorkflow's own history is compacted away to keep steps cheap).
    """

    __tablename__ = "case_state"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(Text)
    serializer: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]


class CaseStep(Base):
    """What happened in each step: which task, who, with which input; the runtime's own log."""

    __tablename__ = "case_step"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    """The state row this step produced (its input was state ``seq - 1``)."""
    kind: Mapped[str] = mapped_column(String(16))  # start | submit | correct | timer | message
    task_id: Mapped[str | None] = mapped_column(String(36))
    task_spec: Mapped[str | None] = mapped_column(String(200))
    task_name: Mapped[str | None] = mapped_column(String(300))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
    submitted: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    path: Mapped[list[str]] = mapped_column(JSON, default=list)
    """BPMN element ids completed during this step, in order (for the path on the diagram)."""
    irreversible: Mapped[bool] = mapped_column(Boolean, default=False)
    """The step changed something outside the case (register, outgoing message)."""
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    """A later correction went back before this step."""


class CaseSubscription(Base):
    """A BPMN message the case waits for, with the correlation values it expects."""

    __tablename__ = "case_subscription"
    __table_args__ = (Index("ix_subscription_message", "message_name", "correlation"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    message_name: Mapped[str] = mapped_column(String(200))
    correlation: Mapped[str] = mapped_column(String(500))
    """Canonical JSON {property: value} of the expected correlation values."""
    expressions: Mapped[dict[str, Any]] = mapped_column(JSON)
    """{property: retrieval expression} evaluated on an incoming payload."""


class AuditEvent(Base):
    """Append-only, hash-chained audit events (globally and per case); see engine.audit."""

    __tablename__ = "audit_event"
    __table_args__ = (
        UniqueConstraint("case_id", "case_seq"),
        Index("ix_audit_case", "case_id", "case_seq"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    global_seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    case_seq: Mapped[int | None] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(60), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[str] = mapped_column(String(40))
    """ISO-8601 UTC text: hashed exactly as stored, independent of the database's date types."""
    payload: Mapped[str] = mapped_column(Text)
    """Canonical JSON of the event details."""
    prev_global_hash: Mapped[str] = mapped_column(String(64))
    prev_case_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The end of the global chain (single row): detects deletion of the newest events."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    global_seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class OutboxMessage(Base):
    """An outgoing message, written in the step's transaction (transactional outbox).

    ``kind`` ``xmeld``: an XMeld message, valid against the XSD bundle when written; ``order``:
    a JSON order to a producer channel (e.g. the document manufacturer). See engine.messaging.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    """Equals the nachrichtenUUID in the message header: delivery is idempotent by it."""
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"), index=True)
    authority_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("authority.id"), index=True)
    """The sending authority: who may see and re-send the message."""
    kind: Mapped[str] = mapped_column(String(10), default="xmeld")  # xmeld | order
    message_type: Mapped[str] = mapped_column(String(120))
    """XMeld: the message type (root element); order: the kind of order (auftragsart)."""
    code: Mapped[str] = mapped_column(String(8))
    author: Mapped[str] = mapped_column(String(64))
    """DVDV identifier of the sending authority."""
    reader: Mapped[str] = mapped_column(String(64))
    """XMeld: DVDV identifier of the reader; order: the channel (``bundesdruckerei``)."""
    reader_name: Mapped[str] = mapped_column(String(200), default="")
    xml: Mapped[bytes] = mapped_column(LargeBinary)
    """The document as delivered: XMeld XML, or the order's JSON."""
    valid: Mapped[bool] = mapped_column(Boolean)
    validation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12))  # pending | delivered | dead | held
    transport: Mapped[str] = mapped_column(String(20), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    claimed_until: Mapped[datetime | None]
    """Lease of the worker delivering it now; an expired lease (killed worker) frees the row."""
    claim_token: Mapped[str | None] = mapped_column(String(36))
    """Which claim holds the lease: a worker whose lease expired cannot record a result."""
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    sandbox: Mapped[bool] = mapped_column(Boolean, default=False)


class InboundMessage(Base):
    """A received message (XMeld or JSON business message) and what became of it."""

    __tablename__ = "inbound_message"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    source: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10), default="xmeld")  # xmeld | json
    message_type: Mapped[str | None] = mapped_column(String(120))
    message_uuid: Mapped[str | None] = mapped_column(String(36), unique=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    """``xmeld:<nachrichtenUUID>`` or ``json:<name>:<id>``: a second delivery is acknowledged, not processed."""
    message_name: Mapped[str | None] = mapped_column(String(200))
    """The BPMN message it was mapped to."""
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """What was handed to the waiting case."""
    body: Mapped[bytes] = mapped_column(LargeBinary)
    valid: Mapped[bool] = mapped_column(Boolean)
    validation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12))  # received | correlated | parked | rejected
    reason: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))
    authority_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("authority.id"), index=True)
    """The addressed authority (reader) if known, else the authority of the correlated case."""
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]


class Document(Base):
    """A document produced for a case (PDF): Meldebestätigung, receipt, …"""

    __tablename__ = "document"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(80))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
