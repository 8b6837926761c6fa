"""Example messages built the way real ones are: ``message.send`` inside a case step.

Contract of :func:`write_examples`: on a temporary SQLite database it publishes a throw-away
service (one service task calling ``message.send``), sets up the fictitious authors of the
message types' ``example.json`` as authorities, starts one case per message type with the
example's reader and data, and writes the XML each case put into the outbox to
``<target>/<message type>.xml``. So every file went through the operation, the outbox row and
the XSD check exactly like a message of a real case; nothing is delivered, and the temporary
database is deleted afterwards. The creation time is fixed; message ids are random, as in
production. Raises like ``message.send`` when an example does not build.

Types that a customer writes (header ``privat2b``, ``kunde2dienstleister``) cannot go through
``message.send``, which always writes as an authority; their example is built with
:func:`engine.xoev.build_message` alone (still validated against the XSD).
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from engine import clock
from engine.errors import DesignError
from engine.messaging.transports import folder_name
from engine.settings import Settings
from engine.store.models import Authority, OutboxMessage
from engine.xoev import FAMILIES, MessageType, build_message, example_authorities, message_types

if TYPE_CHECKING:
    from engine.service_layer.core import Engine

EXAMPLE_CREATED_AT = datetime.fromisoformat("2025-11-03T10:15:30.123+01:00")
SERVICE_ID = "nachrichtenbeispiele"

_MANIFEST = f'''id = "{SERVICE_ID}"
title = "Beispielnachrichten (Wegwerfverfahren)"
leika_key = "99000000000099"
entry_process = "{SERVICE_ID}"
authority_role = "meldebehoerde"
category = "Test"
'''

_DIAGRAM = f'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="{SERVICE_ID}_defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{SERVICE_ID}" name="Beispielnachricht senden" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="senden" name="Nachricht senden">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="message.send" resultVariable="gesendet">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="nachrichtentyp" type="str" value="nachrichtentyp" />
            <spiffworkflow:parameter id="empfaenger" type="any" value="empfaenger" />
            <spiffworkflow:parameter id="daten" type="dict" value="daten" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:endEvent id="ende"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="senden" />
    <bpmn:sequenceFlow id="f2" sourceRef="senden" targetRef="ende" />
  </bpmn:process>
</bpmn:definitions>
'''


def write_examples(target_dir: Path, settings: Settings) -> list[Path]:
    """Write one example per message type (see the module docstring); returns the paths, sorted."""
    # Imported here: the service layer loads the operations, which import this package.
    from engine.service_layer.actors import Actor
    from engine.service_layer.core import Engine

    everything = message_types(settings)
    target = Path(target_dir)
    target.mkdir(parents=True, exist_ok=True)
    types = {name: t for name, t in everything.items() if FAMILIES[t.header].author != "kunde"}
    written = [_written_by_customer(target, t, settings) for name, t in everything.items() if name not in types]
    with tempfile.TemporaryDirectory(prefix="amtskoffer-beispiele-") as tmp:
        root = Path(tmp)
        package = root / "processes" / SERVICE_ID
        package.mkdir(parents=True)
        (package / "service.toml").write_text(_MANIFEST, encoding="utf-8")
        (package / f"{SERVICE_ID}.bpmn").write_text(_DIAGRAM, encoding="utf-8")
        temporary = settings.with_(database_url=f"sqlite:///{root / 'beispiele.db'}", var_dir=root / "var",
                                   processes_dir=root / "processes", forms_dir=root / "forms")
        engine = Engine(temporary)
        try:
            engine.migrate()
            rejected = [r for r in engine.catalog.sync_from_disk() if r.action == "rejected"]
            if rejected:
                raise DesignError(f"example service rejected: {[str(p) for r in rejected for p in r.problems]}",
                                  user_message="Das Wegwerfverfahren für die Beispielnachrichten ließ sich nicht "
                                  "veröffentlichen.")
            authors = _authors(engine, types)
            actor = Actor.system("beispiele")
            case_types: dict[uuid.UUID, str] = {}
            with clock.using(clock.FixedClock(EXAMPLE_CREATED_AT)):
                for name, mtype in sorted(types.items()):
                    view = engine.cases.start(SERVICE_ID, authors[name], actor, {
                        "nachrichtentyp": name,
                        "empfaenger": dict(mtype.example.reader),
                        "daten": dict(mtype.example.data),
                    })
                    case_types[view.case.id] = name
            with engine.db.read() as s:
                rows = s.execute(select(OutboxMessage).where(OutboxMessage.case_id.in_(list(case_types)))).scalars()
                for row in rows:
                    path = target / f"{row.message_type}.xml"
                    path.write_bytes(row.xml)
                    written.append(path)
        finally:
            engine.close()
    missing = sorted(set(everything) - {p.stem for p in written})
    if missing:
        raise DesignError(f"no example written for {missing}",
                          user_message=f"Für {', '.join(missing)} wurde keine Beispielnachricht erzeugt.")
    return sorted(written)


def _written_by_customer(target: Path, mtype: MessageType, settings: Settings) -> Path:
    author, reader = example_authorities(mtype)
    message = build_message(mtype.name, author=author, reader=reader, data=mtype.example.data,
                            created_at=EXAMPLE_CREATED_AT, message_id=uuid.uuid4(), settings=settings)
    path = target / f"{mtype.name}.xml"
    path.write_bytes(message.xml)
    return path


def _authors(engine: Engine, types: Mapping[str, MessageType]) -> dict[str, str]:
    """An authority per distinct example author; returns message type → authority key."""
    keys: dict[str, str] = {}
    by_identity: dict[tuple[str, ...], str] = {}
    with engine.db.sessions.begin() as s:
        for name, mtype in sorted(types.items()):
            author = dict(mtype.example.author)
            identity = tuple(str(author.get(k) or "") for k in ("dvdv_kennung", "name", "strasse", "hausnummer",
                                                               "postleitzahl", "ort", "email"))
            key = by_identity.get(identity)
            if key is None:
                key = f"beispiel-{len(by_identity) + 1}-{folder_name(identity[0]).lower()}"[:64]
                by_identity[identity] = key
                if s.execute(select(Authority.id).where(Authority.key == key)).first() is None:
                    s.add(Authority(
                        id=uuid.uuid4(), key=key, name=identity[1], kind="gemeinde", dvdv_kennung=identity[0],
                        roles=["meldebehoerde"], email=identity[6] or None,
                        address={"strasse": identity[2], "hausnummer": identity[3], "postleitzahl": identity[4],
                                 "ort": identity[5]},
                        municipalities=[], settings={}, created_at=EXAMPLE_CREATED_AT,
                    ))
            keys[name] = key
    return keys
