"""engine/messaging/inbound.py: incoming XMeld and JSON messages reach the waiting case once,
or are parked/rejected with a reason – on SQLite and PostgreSQL.

The fixture case (``nachricht_test``) waits first for ``dokument_eingetroffen`` (JSON from the
manufacturer, correlated by the order id) and then for ``personaldokument_fortgeschrieben`` (an
incoming XMeld 0006 mapped by ``xoev_schemas/inbound/fortschreibung.dokument.0006.toml``,
correlated by the document's serial number).
"""

from __future__ import annotations

import json
import shutil
import socket
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.clock import FixedClock
from engine.messaging import inbound
from engine.messaging.service import MessageService
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.store.models import AuditEvent, Case, CaseStep, InboundMessage
from engine.xoev import AuthorityRef, build_message, message_types
from tests.engine.messaging.conftest import outbox_rows, sent_case

SCHWERIN = AuthorityRef(name="Landeshauptstadt Schwerin", dvdv_kennung="ags:13004000", strasse="Am Packhof",
                        hausnummer="2-6", postleitzahl="19053", ort="Schwerin", email="buergerservice@schwerin.example")
NEUBUKOW = AuthorityRef(name="Stadt Neubukow", dvdv_kennung="ags:13072074", strasse="Am Markt", hausnummer="1",
                        postleitzahl="18233", ort="Neubukow")
ADMIN = Actor(name="admin.test", roles=frozenset({"admin"}))


def incoming(engine: Engine, message_type: str = "fortschreibung.dokument.0006", *, reader: AuthorityRef = NEUBUKOW,
             seriennummer: str = "C01X00T47") -> bytes:
    """A valid message from Schwerin, built from the type's example."""
    mtype = message_types(engine.settings)[message_type]
    data = json.loads(json.dumps(mtype.example.data))
    if "dokument" in data:
        data["dokument"]["seriennummer"] = seriennummer
    return build_message(message_type, author=SCHWERIN, reader=reader, data=data,
                         created_at=FixedClock.on(date(2026, 11, 16)).now(),
                         message_id=uuid.uuid4(), settings=engine.settings).xml


def document_arrived(engine: Engine, case_id: uuid.UUID) -> inbound.InboundResult:
    order = outbox_rows(engine, case_id)[1]
    return inbound.receive_json(engine, "dokument_eingetroffen", {
        "nachricht_id": f"hersteller-{order.id}", "auftrag_id": str(order.id), "seriennummer": "C01X00T47",
        "gueltig_bis": "2036-11-14"}, "hersteller")


def steps(engine: Engine, case_id: uuid.UUID) -> int:
    with engine.db.read() as s:
        return s.execute(select(func.count()).where(CaseStep.case_id == case_id)).scalar_one()


def test_messages_reach_the_waiting_case(engine: Engine, clerk: Actor, fixed_clock: FixedClock) -> None:
    case_id = sent_case(engine, clerk)
    first = document_arrived(engine, case_id)
    assert (first.status, first.case_id) == ("correlated", case_id)
    body = incoming(engine)
    second = inbound.receive_xml(engine, body, source="test")
    assert (second.status, second.case_id, second.message_type) == (
        "correlated", case_id, "fortschreibung.dokument.0006")

    view = engine.cases.view(case_id, clerk, log_read=False)
    assert view.case.status == "completed"
    assert view.data["eingang"]["gueltig_bis"] == "2036-11-14"
    got = view.data["fortschreibung_eingang"]
    assert (got["seriennummer"], got["autor_kennung"], got["familienname"], got["geburtsdatum"]) == (
        "C01X00T47", "ags:13004000", "Mustermann-Testhausen", "1982-01-17")
    assert got["nachricht_uuid"] == second.message_uuid

    with engine.db.read() as s:
        rows = list(s.execute(select(InboundMessage).order_by(InboundMessage.received_at, InboundMessage.kind)))
        authority = s.execute(select(Case.authority_id).where(Case.id == case_id)).scalar_one()
    stored = {r.InboundMessage.kind: r.InboundMessage for r in rows}
    assert stored["xmeld"].body == body and stored["xmeld"].valid is True
    assert (stored["xmeld"].status, stored["xmeld"].case_id, stored["xmeld"].authority_id) == (
        "correlated", case_id, authority)
    assert (stored["json"].status, stored["json"].message_name) == ("correlated", "dokument_eingetroffen")
    assert engine.audit.verify().ok


def test_a_second_delivery_is_acknowledged_not_processed(engine: Engine, clerk: Actor,
                                                        fixed_clock: FixedClock) -> None:
    case_id = sent_case(engine, clerk)
    first = document_arrived(engine, case_id)
    again = document_arrived(engine, case_id)
    assert (again.status, again.inbound_id, again.accepted) == ("duplicate", first.inbound_id, True)
    body = incoming(engine)
    done = inbound.receive_xml(engine, body, source="test")
    count = steps(engine, case_id)
    for _ in range(2):
        repeat = inbound.receive_xml(engine, body, source="nochmal")
        assert (repeat.status, repeat.inbound_id, repeat.case_id) == ("duplicate", done.inbound_id, case_id)
    assert steps(engine, case_id) == count
    with engine.db.read() as s:
        assert s.execute(select(func.count()).select_from(InboundMessage)).scalar_one() == 2


def test_unmapped_types_and_unknown_readers_are_parked(engine: Engine, clerk: Actor,
                                                      fixed_clock: FixedClock) -> None:
    result = inbound.receive_xml(engine, incoming(engine, "rueckmeldung.anmeldunginland.0201"), source="test")
    assert result.status == "parked" and result.accepted
    assert result.reason == ("Für den Nachrichtentyp „rueckmeldung.anmeldunginland.0201“ ist keine Zuordnung zu "
                             "einem Verfahren hinterlegt (xoev_schemas/inbound).")
    stranger = AuthorityRef(name="Gemeinde Irgendwo", dvdv_kennung="ags:09162000", strasse="Marienplatz",
                            hausnummer="8", postleitzahl="80331", ort="München")
    other = inbound.receive_xml(engine, incoming(engine, reader=stranger), source="test")
    assert other.status == "parked" and "„ags:09162000“" in other.reason
    with engine.db.read() as s:
        parked = s.execute(select(AuditEvent.payload).where(AuditEvent.type == "message_parked")).scalars().all()
    assert [json.loads(p)["reason"] for p in parked] == [result.reason, other.reason]
    views = MessageService(engine).parked(ADMIN)
    assert {(v.id, v.reason) for v in views} == {(result.inbound_id, result.reason), (other.inbound_id, other.reason)}


def test_a_message_before_its_time_is_parked_and_can_be_reprocessed(engine: Engine, clerk: Actor,
                                                                   fixed_clock: FixedClock) -> None:
    case_id = sent_case(engine, clerk)
    early = inbound.receive_xml(engine, incoming(engine), source="test")  # the case waits for the document first
    assert early.status == "parked"
    assert early.reason == "Kein Vorgang wartet auf die Nachricht „personaldokument_fortgeschrieben“ mit diesen Angaben."
    document_arrived(engine, case_id)
    again = MessageService(engine).reprocess(early.inbound_id, ADMIN)
    assert (again.status, again.case_id) == ("correlated", case_id)
    assert engine.cases.view(case_id, clerk, log_read=False).case.status == "completed"


def test_a_message_for_another_authority_does_not_enter_a_case(engine: Engine, clerk: Actor,
                                                               fixed_clock: FixedClock) -> None:
    case_id = sent_case(engine, clerk)  # a case of Neubukow
    document_arrived(engine, case_id)
    feldberg = AuthorityRef(name="Gemeinde Feldberger Seenlandschaft", dvdv_kennung="ags:13071033",
                            strasse="Prenzlauer Straße", hausnummer="2", postleitzahl="17258",
                            ort="Feldberger Seenlandschaft")
    result = inbound.receive_xml(engine, incoming(engine, reader=feldberg), source="test")
    assert result.status == "parked" and "anderen Behörde" in result.reason
    assert engine.cases.view(case_id, clerk, log_read=False).case.status == "waiting"


@pytest.mark.parametrize(("body", "reason"), [
    (b"<xmeld:kaputt", "kein wohlgeformtes XML"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
     b"<x>&b;</x>", "DOCTYPE"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "DOCTYPE"),
    (b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd"><x/>', "DOCTYPE"),
    (b"<andere xmlns='urn:beispiel'/>", "XMeld-Schema"),
])
def test_broken_and_hostile_messages_are_rejected(engine: Engine, monkeypatch: pytest.MonkeyPatch, body: bytes,
                                                 reason: str) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    result = inbound.receive_xml(engine, body, source="test")
    assert (result.status, result.accepted) == ("rejected", False)
    assert reason in result.reason
    assert "root:" not in result.reason
    with engine.db.read() as s:
        row = s.get(InboundMessage, result.inbound_id)
        assert row is not None and (row.status, row.valid, row.body) == ("rejected", False, body)
        last = s.execute(select(AuditEvent.type).order_by(AuditEvent.global_seq.desc()).limit(1)).scalar_one()
        assert last == "message_rejected"


def test_schema_errors_are_named(engine: Engine) -> None:
    body = incoming(engine).replace(b"<xmeld:seriennummer>", b"<xmeld:seriennr>").replace(
        b"</xmeld:seriennummer>", b"</xmeld:seriennr>")
    result = inbound.receive_xml(engine, body, source="test")
    assert result.status == "rejected" and result.message_type == "fortschreibung.dokument.0006"
    assert result.reason.startswith("Die Nachricht entspricht nicht dem XMeld-Schema 25.11a (1 Fehler). Zeile ")
    assert "seriennr" in result.reason


def test_the_inbound_folder_is_emptied_into_done_and_parked(engine: Engine, clerk: Actor,
                                                           fixed_clock: FixedClock) -> None:
    case_id = sent_case(engine, clerk)
    folder = engine.settings.var_dir / "inbound"
    folder.mkdir(parents=True)
    order = outbox_rows(engine, case_id)[1]
    (folder / "a-dokument.json").write_text(json.dumps({"name": "dokument_eingetroffen", "nachricht_id": "h-1",
                                                        "payload": {"auftrag_id": str(order.id)}}))
    (folder / "b-fortschreibung.xml").write_bytes(incoming(engine))
    (folder / "c-kaputt.xml").write_bytes(b"<nicht")
    (folder / "d-falsch.json").write_text("[1, 2]")
    (folder / "e-noch-unterwegs.tmp").write_text("wird gerade geschrieben")
    results = inbound.scan_folder(engine)
    assert [(p.relative_to(folder).as_posix(), r.status) for p, r in results] == [
        ("done/a-dokument.json", "correlated"), ("done/b-fortschreibung.xml", "correlated"),
        ("parked/c-kaputt.xml", "rejected"), ("parked/d-falsch.json", "rejected")]
    assert (folder / "parked" / "c-kaputt.xml.grund.txt").read_text().startswith("Die Nachricht ist kein")
    assert sorted(p.name for p in folder.iterdir()) == ["done", "e-noch-unterwegs.tmp", "parked"]
    assert engine.cases.view(case_id, clerk, log_read=False).case.status == "completed"
    (folder / "a-dokument.json").write_text("{}")  # a later file of the same name keeps both
    inbound.scan_folder(engine)
    assert sorted(p.name for p in (folder / "parked").iterdir() if p.suffix == ".json") == [
        "a-dokument.json", "d-falsch.json"]


def test_a_message_left_half_processed_is_taken_up_once(engine: Engine, clerk: Actor, fixed_clock: FixedClock,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = sent_case(engine, clerk)
    document_arrived(engine, case_id)
    body = incoming(engine)

    def killed(*args: object, **kwargs: object) -> None:
        raise SystemExit("the process died after storing the message, before correlating it")

    monkeypatch.setattr(inbound, "_correlate", killed)
    with pytest.raises(SystemExit):
        inbound.receive_xml(engine, body, source="test")
    monkeypatch.undo()
    assert inbound.receive_xml(engine, body, source="test").status == "duplicate"  # not processed by a resend
    assert inbound.retry_stuck(engine) == 0  # too recent: perhaps still being processed
    fixed_clock.advance(timedelta(minutes=10))
    assert inbound.retry_stuck(engine) == 1
    assert engine.cases.view(case_id, clerk, log_read=False).case.status == "completed"
    assert inbound.retry_stuck(engine) == 0
    with engine.db.read() as s:
        assert s.execute(select(InboundMessage.status).where(InboundMessage.kind == "xmeld")).scalar_one() == \
            "correlated"


def test_oversized_messages_are_rejected_unread(engine: Engine) -> None:
    result = inbound.receive_xml(engine, b" " * (inbound.MAX_BYTES + 1), source="test")
    assert result.status == "rejected" and "zu groß" in result.reason


def test_a_broken_mapping_parks_the_message(engine: Engine, tmp_path: Path) -> None:
    messages = tmp_path / "xoev" / "messages"
    shutil.copytree(engine.settings.message_types_dir, messages)
    shutil.copytree(engine.settings.message_types_dir.parent / "codelists", tmp_path / "xoev" / "codelists")
    (tmp_path / "xoev" / "inbound").mkdir()
    (tmp_path / "xoev" / "inbound" / "fortschreibung.dokument.0006.toml").write_text(
        'message = "x"\n[payload]\nseriennummer = "string(xmeld:ausweisdokument/"\n')
    broken = Engine(engine.settings.with_(message_types_dir=messages))
    try:
        result = inbound.receive_xml(broken, incoming(broken), source="test")
    finally:
        broken.close()
    assert result.status == "parked"
    assert result.reason.startswith("Die Zuordnung des Nachrichtentyps ist fehlerhaft: "
                                    "fortschreibung.dokument.0006.toml: Der XPath-Ausdruck für „seriennummer“")
