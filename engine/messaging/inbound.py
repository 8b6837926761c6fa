"""Receiving messages: store, deduplicate, map to a BPMN message, correlate with the waiting case.

Contract:

- :func:`receive_xml` takes an XMeld message from outside. It is parsed defused (no DTD, no
  entities, no network; a DOCTYPE is refused) and validated against the XSD bundle; a message
  that fails either is stored as ``rejected``. A message whose ``nachrichtenUUID`` was received
  before is acknowledged (``duplicate``) and not processed again. Otherwise the message type is
  looked up in ``xoev_schemas/inbound/<message type>.toml`` (BPMN message name + XPath per
  payload key, see :mod:`engine.messaging.mapping`) and handed to
  :meth:`CaseService.deliver_message`. No mapping, a reader that is not configured here, or no
  waiting case: the message is ``parked`` with a German reason, for an admin to look at.
- :func:`receive_json` does the same for non-XMeld business messages (``dokument_eingetroffen``
  from the document manufacturer): stored, deduplicated by ``nachricht_id`` (or ``id``) in the
  payload when given, correlated by name.
- A message is marked ``correlated`` in the same transaction as the step of the case that took
  it, so it is processed exactly once even if the process dies in between; a message left in
  ``received`` (crash before correlation) is taken up again by :func:`retry_stuck`.
- :func:`scan_folder` processes ``<var>/inbound/*.xml`` and ``*.json`` and moves each file to
  ``done/`` (correlated, duplicate) or ``parked/`` (parked, rejected; with ``<file>.grund.txt``).
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import clock
from engine.audit.chain import jsonable
from engine.audit.log import NewEvent, append
from engine.errors import AmtskofferError, Conflict, DesignError, MessageInvalid
from engine.messaging.mapping import load_mapping
from engine.store.models import Authority, Case, InboundMessage
from engine.xoev import XMeldValidator
from engine.xoev.catalog import parse_untrusted

if TYPE_CHECKING:
    from engine.service_layer.core import Engine

log = logging.getLogger("amtskoffer.messaging")
ACTOR = "inbound"
MAX_BYTES = 5 * 1024 * 1024
"""Larger messages are rejected unread (XMeld messages are a few kilobytes)."""
STUCK_AFTER = timedelta(minutes=5)

RECEIVED = "received"
CORRELATED = "correlated"
PARKED = "parked"
REJECTED = "rejected"
DUPLICATE = "duplicate"
"""Only a result, never a stored status: the first delivery's row stays as it is."""

_HEADER = "nachrichtenkopf.g2g/identifikation.nachricht/"


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundResult:
    """What became of a received message."""

    status: str
    """correlated | parked | rejected | duplicate"""
    inbound_id: uuid.UUID
    """The stored message (for a duplicate: the first delivery)."""
    case_id: uuid.UUID | None = None
    reason: str = ""
    """German, for parked and rejected messages."""
    message_type: str | None = None
    message_uuid: str | None = None

    @property
    def accepted(self) -> bool:
        """True if the sender may consider the message delivered (everything but ``rejected``)."""
        return self.status != REJECTED


def _store(engine: Engine, row: InboundMessage, events: list[NewEvent], now: datetime) -> InboundMessage | None:
    """Insert ``row``; None if its dedupe key exists already (then nothing is written)."""
    if row.dedupe_key is not None:
        with engine.db.read() as s:
            if s.execute(select(InboundMessage.id).where(InboundMessage.dedupe_key == row.dedupe_key)).first():
                return None
    try:
        with engine.db.sessions.begin() as s:
            s.add(row)
            s.flush()
            append(s, events, at=now)
    except IntegrityError:  # the same message arriving twice at the same moment
        return None
    return row


def _existing(engine: Engine, dedupe_key: str) -> InboundMessage:
    with engine.db.read() as s:
        return s.execute(select(InboundMessage).where(InboundMessage.dedupe_key == dedupe_key)).scalar_one()


def _reject(engine: Engine, body: bytes, *, source: str, kind: str, reason: str, detail: dict[str, Any],
            message_type: str | None = None) -> InboundResult:
    now = clock.now()
    row = InboundMessage(id=uuid.uuid4(), source=source[:200], kind=kind, message_type=message_type, body=body,
                         valid=False, validation=detail, status=REJECTED, reason=reason, received_at=now,
                         processed_at=now)
    event = NewEvent(type="message_rejected", actor=ACTOR, payload={
        "inbound_id": str(row.id), "source": source, "kind": kind, "message_type": message_type, "reason": reason})
    _store(engine, row, [event], now)
    log.warning("message_rejected source=%s reason=%s", source, reason)
    return InboundResult(status=REJECTED, inbound_id=row.id, reason=reason, message_type=message_type)


def _text(value: Any) -> Any:
    if isinstance(value, etree._Element):
        return "".join(value.itertext()).strip()
    if isinstance(value, str):  # lxml's "smart strings" keep a reference to the tree
        return str(value).strip() or None
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    return value


def receive_xml(engine: Engine, body: bytes, *, source: str) -> InboundResult:
    """Receive one XMeld message (see the module docstring)."""
    if len(body) > MAX_BYTES:
        return _reject(engine, b"", source=source, kind="xmeld", detail={"bytes": len(body)},
                       reason=f"Die Nachricht ist zu groß ({len(body)} Bytes, höchstens {MAX_BYTES}).")
    try:
        tree = parse_untrusted(body)
    except MessageInvalid as err:
        return _reject(engine, body, source=source, kind="xmeld", reason=err.user_message,
                       detail={"valid": False, "error": str(err)})
    validator = XMeldValidator.for_bundle(engine.settings.xoev_schema_dir)
    issues = list(validator.iter_errors(body))
    root = tree.getroot()
    message_type = etree.QName(root).localname
    if issues:
        shown = "; ".join(f"Zeile {i.line}: {i.message}" for i in issues[:3])
        return _reject(engine, body, source=source, kind="xmeld", message_type=message_type,
                       reason=f"Die Nachricht entspricht nicht dem XMeld-Schema {validator.version} "
                       f"({len(issues)} Fehler). {shown}",
                       detail={"valid": False, "issues": [str(i) for i in issues[:50]]})

    message_uuid = (root.findtext(_HEADER + "nachrichtenUUID") or "").strip().lower() or None
    reader = (root.findtext("nachrichtenkopf.g2g/leser/kennung") or "").strip()
    now = clock.now()
    with engine.db.read() as s:
        authority = s.execute(select(Authority).where(Authority.dvdv_kennung == reader)).scalars().first() \
            if reader else None
        authority_id = authority.id if authority is not None else None
    row = InboundMessage(
        id=uuid.uuid4(), source=source[:200], kind="xmeld", message_type=message_type, message_uuid=message_uuid,
        dedupe_key=f"xmeld:{message_uuid}" if message_uuid else None, body=body, valid=True,
        validation={"valid": True, "schema": validator.version, "reader": reader}, status=RECEIVED,
        authority_id=authority_id, received_at=now,
    )
    if _store(engine, row, [], now) is None:
        first = _existing(engine, f"xmeld:{message_uuid}")
        log.info("message_duplicate uuid=%s source=%s", message_uuid, source)
        return InboundResult(status=DUPLICATE, inbound_id=first.id, case_id=first.case_id,
                             message_type=message_type, message_uuid=message_uuid)

    return _assign_xml(engine, row.id, root, source=source, message_uuid=message_uuid, reader=reader,
                       reader_authority=authority_id)


def _assign_xml(engine: Engine, inbound_id: uuid.UUID, root: etree._Element, *, source: str,
                message_uuid: str | None, reader: str, reader_authority: uuid.UUID | None) -> InboundResult:
    """Map a stored, valid XMeld message to its BPMN message and hand it to the waiting case."""
    message_type = etree.QName(root).localname
    if reader_authority is None:
        return _park(engine, inbound_id, f"Die Nachricht ist an „{reader}“ adressiert; diese Behörde ist hier "
                     "nicht eingerichtet.", message_type=message_type, message_uuid=message_uuid)
    namespace = XMeldValidator.for_bundle(engine.settings.xoev_schema_dir).namespace
    try:
        mapping = load_mapping(engine.settings, message_type, namespace=namespace)
    except DesignError as err:  # a broken mapping file must not leave the message half-processed
        return _park(engine, inbound_id, f"Die Zuordnung des Nachrichtentyps ist fehlerhaft: {err.user_message}",
                     message_type=message_type, message_uuid=message_uuid)
    if mapping is None:
        return _park(engine, inbound_id, f"Für den Nachrichtentyp „{message_type}“ ist keine Zuordnung zu einem "
                     "Verfahren hinterlegt (xoev_schemas/inbound).", message_type=message_type,
                     message_uuid=message_uuid)
    payload = {key: _text_or_list(path(root)) for key, path in mapping.payload.items()}
    payload.setdefault("nachricht_uuid", message_uuid)
    return _correlate(engine, inbound_id, mapping.message, payload, source=source, message_type=message_type,
                      message_uuid=message_uuid, reader_authority=reader_authority)


def _text_or_list(value: Any) -> Any:
    if isinstance(value, list):
        return [_text(v) for v in value]
    return _text(value)


def receive_json(engine: Engine, name: str, payload: Mapping[str, Any], source: str, *,
                 message_id: str | None = None) -> InboundResult:
    """Receive a non-XMeld business message ``name`` (see the module docstring)."""
    given = message_id or payload.get("nachricht_id") or payload.get("id")
    key = f"json:{name}:{given}"[:200] if given not in (None, "") else None
    body = json.dumps({"name": name, "payload": jsonable(dict(payload))}, ensure_ascii=False,
                      sort_keys=True).encode("utf-8")
    if not name or not isinstance(name, str):
        return _reject(engine, body, source=source, kind="json", reason="Der Nachricht fehlt ihr Name.",
                       detail={"valid": False})
    now = clock.now()
    row = InboundMessage(id=uuid.uuid4(), source=source[:200], kind="json", message_type=None, message_name=name,
                         dedupe_key=key, payload=jsonable(dict(payload)), body=body, valid=True,
                         validation={"valid": True}, status=RECEIVED, received_at=now)
    if _store(engine, row, [], now) is None:
        first = _existing(engine, key or "")
        return InboundResult(status=DUPLICATE, inbound_id=first.id, case_id=first.case_id)
    return _correlate(engine, row.id, name, dict(payload), source=source)


def _correlate(engine: Engine, inbound_id: uuid.UUID, name: str, payload: dict[str, Any], *, source: str,
               message_type: str | None = None, message_uuid: str | None = None,
               reader_authority: uuid.UUID | None = None) -> InboundResult:
    def mark(s: Session, case_id: uuid.UUID) -> None:
        case = s.get(Case, case_id)
        if reader_authority is not None and case is not None and case.authority_id != reader_authority:
            raise Conflict(f"case {case_id} belongs to another authority than the message's reader",
                           user_message="Der wartende Vorgang gehört zu einer anderen Behörde als der Empfänger "
                           "der Nachricht.")
        # Only the step that moves the message out of "received" may commit: a second worker
        # taking up the same message fails here and its case step rolls back.
        done = s.execute(
            update(InboundMessage).where(InboundMessage.id == inbound_id, InboundMessage.status == RECEIVED)
            .values(status=CORRELATED, case_id=case_id, message_name=name, payload=jsonable(payload),
                    authority_id=case.authority_id if case is not None else reader_authority,
                    processed_at=clock.now(), reason=None)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:
            raise Conflict(f"inbound message {inbound_id} was processed meanwhile")

    try:
        result = engine.cases.deliver_message(name, payload, source=f"{source} ({message_type or name})",
                                              on_correlated=mark)
    except AmtskofferError as err:
        log.warning("message_not_correlated inbound=%s error=%s", inbound_id, err)
        return _park(engine, inbound_id, f"Der wartende Vorgang konnte die Nachricht nicht übernehmen: "
                     f"{err.user_message}", message_type=message_type, message_uuid=message_uuid,
                     name=name, payload=payload)
    if result.status == "correlated":
        return InboundResult(status=CORRELATED, inbound_id=inbound_id, case_id=result.case_id,
                             message_type=message_type, message_uuid=message_uuid)
    return _park(engine, inbound_id, f"Kein Vorgang wartet auf die Nachricht „{name}“ mit diesen Angaben.",
                 message_type=message_type, message_uuid=message_uuid, name=name, payload=payload)


def _park(engine: Engine, inbound_id: uuid.UUID, reason: str, *, message_type: str | None = None,
          message_uuid: str | None = None, name: str | None = None,
          payload: Mapping[str, Any] | None = None) -> InboundResult:
    now = clock.now()
    with engine.db.sessions.begin() as s:
        values: dict[str, Any] = {"status": PARKED, "reason": reason, "processed_at": now}
        if name is not None:
            values |= {"message_name": name, "payload": jsonable(dict(payload or {}))}
        done = s.execute(update(InboundMessage).where(InboundMessage.id == inbound_id,
                                                      InboundMessage.status.in_((RECEIVED, PARKED)))
                         .values(**values).execution_options(synchronize_session=False))
        if done.rowcount == 1:
            append(s, [NewEvent(type="message_parked", actor=ACTOR, payload={
                "inbound_id": str(inbound_id), "message_type": message_type, "message_uuid": message_uuid,
                "message_name": name, "reason": reason})], at=now)
        else:  # another worker correlated it meanwhile: report what really happened
            row = s.get(InboundMessage, inbound_id)
            assert row is not None
            return InboundResult(status=row.status, inbound_id=inbound_id, case_id=row.case_id,
                                 reason=row.reason or "", message_type=message_type, message_uuid=message_uuid)
    log.info("message_parked inbound=%s reason=%s", inbound_id, reason)
    return InboundResult(status=PARKED, inbound_id=inbound_id, reason=reason, message_type=message_type,
                         message_uuid=message_uuid)


def reprocess(engine: Engine, inbound_id: uuid.UUID) -> InboundResult:
    """Try a parked (or stuck) message again, e.g. after the case has reached its catch event."""
    with engine.db.read() as s:
        row = s.get(InboundMessage, inbound_id)
        if row is None or row.status not in (PARKED, RECEIVED):
            raise Conflict(f"inbound message {inbound_id} is not parked",
                           user_message="Nur zurückgestellte Nachrichten können erneut zugeordnet werden.")
        kind, body, source, name, payload = row.kind, row.body, row.source, row.message_name, row.payload
        message_uuid, status = row.message_uuid, row.status
        reader_authority = row.authority_id if kind == "xmeld" else None
    if status == PARKED:
        with engine.db.sessions.begin() as s:
            s.execute(update(InboundMessage).where(InboundMessage.id == inbound_id, InboundMessage.status == PARKED)
                      .values(status=RECEIVED).execution_options(synchronize_session=False))
    if kind == "json":
        return _correlate(engine, inbound_id, name or "", dict(payload or {}), source=source)
    root = parse_untrusted(body).getroot()
    reader = (root.findtext("nachrichtenkopf.g2g/leser/kennung") or "").strip()
    if reader_authority is None and reader:
        with engine.db.read() as s:
            reader_authority = s.execute(select(Authority.id).where(Authority.dvdv_kennung == reader)).scalars() \
                .first()
    return _assign_xml(engine, inbound_id, root, source=source, message_uuid=message_uuid, reader=reader,
                       reader_authority=reader_authority)


def retry_stuck(engine: Engine, *, now: datetime | None = None, older_than: timedelta = STUCK_AFTER) -> int:
    """Take up messages left in ``received`` by a process that died before correlating them."""
    limit = (now or clock.now()) - older_than
    with engine.db.read() as s:
        stuck = list(s.execute(select(InboundMessage.id).where(InboundMessage.status == RECEIVED,
                                                               InboundMessage.received_at < limit)).scalars())
    for inbound_id in stuck:
        reprocess(engine, inbound_id)
    return len(stuck)


# -- the inbound folder ------------------------------------------------------------------------

def _json_file(engine: Engine, path: Path, body: bytes) -> InboundResult:
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        return _reject(engine, body, source=f"datei:{path.name}", kind="json", detail={"error": str(err)},
                       reason="Die Datei ist kein gültiges JSON.")
    if not (isinstance(document, dict) and isinstance(document.get("name"), str)
            and isinstance(document.get("payload"), dict)):
        return _reject(engine, body, source=f"datei:{path.name}", kind="json", detail={"valid": False},
                       reason='Erwartet wird {"name": …, "payload": {…}} (optional "nachricht_id").')
    return receive_json(engine, document["name"], document["payload"], f"datei:{path.name}",
                        message_id=document.get("nachricht_id"))


def receive_file(engine: Engine, path: Path) -> InboundResult:
    """Receive one file: ``*.xml`` as XMeld, ``*.json`` as ``{name, payload, nachricht_id?}``."""
    body = Path(path).read_bytes()
    if path.suffix.lower() == ".json":
        return _json_file(engine, path, body)
    return receive_xml(engine, body, source=f"datei:{path.name}")


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    counter = 1
    while target.exists():  # a file of the same name came in before: keep both
        target = folder / f"{path.stem}.{counter}{path.suffix}"
        counter += 1
    os.replace(path, target)
    return target


def scan_folder(engine: Engine, folder: Path | None = None) -> list[tuple[Path, InboundResult]]:
    """Process every ``*.xml``/``*.json`` in ``<var>/inbound`` (senders write ``*.tmp`` and rename)."""
    inbox = Path(folder or engine.settings.var_dir / "inbound")
    if not inbox.is_dir():
        return []
    done: list[tuple[Path, InboundResult]] = []
    for path in sorted(p for p in inbox.iterdir() if p.is_file() and p.suffix.lower() in (".xml", ".json")):
        try:
            result = receive_file(engine, path)
            if result.status in (CORRELATED, DUPLICATE):
                moved = _move(path, inbox / "done")
            else:
                moved = _move(path, inbox / "parked")
                moved.with_name(moved.name + ".grund.txt").write_text(result.reason + "\n", encoding="utf-8")
        except OSError as err:  # an unreadable file must not stop the others (or the worker)
            log.error("inbound_file_failed path=%s error=%s", path, err)
            continue
        done.append((moved, result))
    return done
