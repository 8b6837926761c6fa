"""message.send to a customer, end to end: a real case of the ``auskunft_test`` fixture package
sends the test type 0601 (header ``b2privat``) to the requester, the outbox stores it, and the
transports deliver it (``directory``: ``outbox/kunden/``; ``http``: no personal data in headers)."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import select

from engine.catalog.package import read_from_disk
from engine.clock import FixedClock
from engine.errors import DesignError, OperationFailed
from engine.messaging.delivery import deliver_due
from engine.messaging.transports import HttpTransport
from engine.operations.registry import CheckEnv
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.settings import PROJECT_ROOT
from engine.store.models import AuditEvent, OutboxMessage
from engine.xoev import XMeldValidator
from tests.conftest import make_settings
from tests.engine.messaging.receiver import Receiver
from tests.engine.xoev.basis_types import ANFORDERUNG, ANTWORT, types_folder

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SERVICE = "auskunft_test"
NS = {"x": "http://www.osci.de/xmeld2511a"}
ANTRAG = {"familienname": "Beispielfrau", "vornamen": "Erika", "strasse": "Lindenweg", "hausnummer": "12a",
          "postleitzahl": "18233", "ort": "Neubukow", "antwortstatus": "00"}
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replaces the folder's guard: only the local test receiver may be reached (loopback)."""
    connect, create_connection, getaddrinfo = socket.socket.connect, socket.create_connection, socket.getaddrinfo

    def local_only(host: object) -> None:
        if host not in _LOOPBACK:
            raise AssertionError(f"network access attempted: {host!r}")

    def guarded_connect(self: socket.socket, address: Any) -> None:
        local_only(address[0] if isinstance(address, tuple) else address)
        return connect(self, address)

    def guarded_create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        local_only(address[0])
        return create_connection(address, *args, **kwargs)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        local_only(host)
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "create_connection", guarded_create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)


@pytest.fixture
def engine(tmp_path: Path, db_url: str) -> Iterator[Engine]:
    """Demo authorities, the ``auskunft_test`` package and a types folder with the test type 0601."""
    settings = make_settings(tmp_path, db_url, processes_dir=FIXTURES / "packages", forms_dir=FIXTURES / "forms",
                             message_types_dir=types_folder(tmp_path, ANTWORT, ANFORDERUNG))
    eng = Engine(settings)
    eng.authorities.load_file(PROJECT_ROOT / "demo" / "authorities.toml")
    rejected = [r for r in eng.catalog.sync_from_disk() if r.action == "rejected"]
    assert not rejected, [str(p) for r in rejected for p in r.problems]
    yield eng
    eng.close()


def answered_case(engine: Engine, actor: Actor, *, empfaenger: Any = None, sandbox: bool = False,
                  **antrag: Any) -> uuid.UUID:
    view = engine.cases.start(SERVICE, "neubukow", actor, {"empfaenger": empfaenger}, sandbox=sandbox)
    engine.cases.submit(view.case.id, view.ready[0].task_id, {**ANTRAG, **antrag}, actor)
    return view.case.id


def outbox(engine: Engine) -> list[OutboxMessage]:
    with engine.db.read() as s:
        return list(s.execute(select(OutboxMessage).order_by(OutboxMessage.created_at)).scalars())


def test_the_answer_goes_to_the_requester_and_into_the_outbox(engine: Engine, clerk: Actor,
                                                             fixed_clock: FixedClock) -> None:
    case_id = answered_case(engine, clerk)
    [row] = outbox(engine)
    assert (row.case_id, row.kind, row.message_type, row.code, row.status) == (
        case_id, "xmeld", ANTWORT, "0601", "pending")
    assert (row.author, row.reader, row.reader_name) == ("ags:13072074", "Erika Beispielfrau", "Erika Beispielfrau")
    assert row.validation["header"] == "b2privat" and row.validation["reader_kind"] == "kunde"
    XMeldValidator.for_bundle(engine.settings.xoev_schema_dir).validate(row.xml)
    head = etree.fromstring(row.xml).find("x:nachrichtenkopf", NS)
    assert head.findtext("x:absender/x:ORGANISATIONSEINHEIT/x:bezeichnung", namespaces=NS) == "Stadt Neubukow"
    assert head.findtext("x:absender/x:erreichbarkeit/kennung", namespaces=NS) == "buergerbuero@neubukow.example"
    assert head.findtext("x:identifikation.nachricht/x:erstellungszeitpunkt", namespaces=NS) == (
        fixed_clock.now().isoformat(timespec="milliseconds"))
    person = "x:empfaenger/x:kunde.bezeichnung/x:NAMENATUERLICHEPERSON/"
    assert head.findtext(person + "x:familienname.unstrukturiert/x:nachname/name", namespaces=NS) == "Beispielfrau"
    assert head.findtext("x:empfaenger/x:kundenanschrift/strasse", namespaces=NS) == "Lindenweg"
    view = engine.cases.view(case_id, clerk, log_read=False)
    assert view.case.status == "completed"
    assert view.data["gesendet"] == {"nachricht_id": str(row.id), "nachrichtentyp": ANTWORT}
    assert etree.fromstring(row.xml).findtext("x:zeichennachricht", namespaces=NS) == view.case.number
    with engine.db.read() as s:
        queued = json.loads(s.execute(select(AuditEvent.payload).where(
            AuditEvent.case_id == case_id, AuditEvent.type == "message_queued")).scalar_one())
    assert (queued["reader"], queued["reader_kind"], queued["header"]) == ("Erika Beispielfrau", "kunde", "b2privat")
    assert engine.audit.verify().ok


def test_the_directory_transport_puts_it_under_kunden(engine: Engine, clerk: Actor, fixed_clock: FixedClock) -> None:
    answered_case(engine, clerk)
    [row] = outbox(engine)
    assert deliver_due(engine, now=fixed_clock.now()).delivered == 1
    delivered = engine.settings.var_dir / "outbox" / "kunden" / f"{row.id}.xml"
    assert delivered.read_bytes() == row.xml
    assert [p.name for p in (engine.settings.var_dir / "outbox").iterdir()] == ["kunden"]
    assert outbox(engine)[0].status == "delivered"


def test_the_http_transport_sends_no_name_in_headers(engine: Engine, clerk: Actor, fixed_clock: FixedClock) -> None:
    answered_case(engine, clerk, vornamen="Lotta Ŀuisa")  # not even encodable in an HTTP header
    [row] = outbox(engine)
    with Receiver() as receiver:
        transport = HttpTransport(receiver.url, timeout_s=5)
        assert deliver_due(engine, now=fixed_clock.now(), transport=transport).delivered == 1
    [(message_id, headers, body)] = receiver.requests
    assert (message_id, body) == (str(row.id), row.xml)
    assert (headers["X-Empfaenger"], headers["X-Empfaenger-Art"], headers["X-Nachrichtentyp"]) == (
        "kunde", "kunde", ANTWORT)


def test_sandbox_answers_are_held(engine: Engine, clerk: Actor, fixed_clock: FixedClock) -> None:
    answered_case(engine, clerk, sandbox=True)
    [row] = outbox(engine)
    assert (row.status, row.sandbox, row.reader) == ("held", True, "Erika Beispielfrau")
    assert deliver_due(engine, now=fixed_clock.now()).attempted == 0


def test_wrong_customer_data_fails_the_step_and_stores_nothing(engine: Engine, clerk: Actor,
                                                              fixed_clock: FixedClock) -> None:
    view = engine.cases.start(SERVICE, "neubukow", clerk, {"empfaenger": {"kunde": {"familienname": "Beispielfrau",
                                                                                    "postleitzahl": "1823"}}})
    with pytest.raises(OperationFailed) as info:
        engine.cases.submit(view.case.id, view.ready[0].task_id, ANTRAG, clerk)
    assert sorted(info.value.context["errors"]) == ["kunde/ort", "kunde/postleitzahl", "kunde/strasse"]
    assert "kunde/postleitzahl: Erwartet wird eine fünfstellige Postleitzahl." in info.value.user_message
    assert outbox(engine) == []
    assert [t.spec for t in engine.cases.view(view.case.id, clerk, log_read=False).ready] == ["antrag_erfassen"]


def test_an_authority_as_reader_of_a_b2privat_type_is_a_design_error(engine: Engine, clerk: Actor,
                                                                     fixed_clock: FixedClock) -> None:
    view = engine.cases.start(SERVICE, "neubukow", clerk, {"empfaenger": "schwerin"})
    with pytest.raises(DesignError) as info:
        engine.cases.submit(view.case.id, view.ready[0].task_id, ANTRAG, clerk)
    assert info.value.user_message == (
        f"Der Nachrichtentyp „{ANTWORT}“ (Nachrichtenkopf „b2privat“) geht an eine Person oder Stelle: "
        "„empfaenger“ muss {\"kunde\": {…}} sein.")
    assert outbox(engine) == []


def _package_with(engine: Engine, old: str, new: str):  # type: ignore[no-untyped-def]
    files = read_from_disk(SERVICE, engine.settings)
    bpmn = f"{SERVICE}.bpmn"
    assert old in files.files[bpmn]
    return type(files)(files.service_id, {**files.files, bpmn: files.files[bpmn].replace(old, new)})


@pytest.mark.parametrize(("old", "new", "expected"), [
    (f"'{ANTWORT}'", f"'{ANFORDERUNG}'", "schreibt eine Person oder Stelle an die Behörde; message.send sendet "
                                         "immer als bedienende Behörde"),
    ('value="ziel"', "value=\"'schwerin'\"", "geht an eine Person oder Stelle: „empfaenger“ muss"),
])
def test_publishing_refuses_what_message_send_cannot_send(engine: Engine, old: str, new: str, expected: str) -> None:
    assert [p for p in engine.catalog.check(read_from_disk(SERVICE, engine.settings)) if p.severity == "error"] == []
    problems = [p for p in engine.catalog.check(_package_with(engine, old, new)) if p.severity == "error"]
    assert [(p.code, p.element_id) for p in problems] == [("operation-parameter", "antwort_senden")]
    assert expected in problems[0].user_message


def test_the_literal_check_accepts_a_customer_literal(engine: Engine) -> None:
    from engine.messaging.message_ops import _check_message_literals

    env = CheckEnv(engine.settings, {})
    assert _check_message_literals({"nachrichtentyp": ANTWORT, "empfaenger": {"kunde": {"name": "X"}}}, env) == []
    assert _check_message_literals({"nachrichtentyp": "fortschreibung.dokument.0006",
                                    "empfaenger": {"kunde": {"name": "X"}}}, env) == [
        "Der Nachrichtentyp „fortschreibung.dokument.0006“ (Nachrichtenkopf „g2g“) geht an eine Behörde: "
        "„empfaenger“ muss eine Behörde sein, nicht {\"kunde\": {…}}."]


def test_message_examples_go_through_message_send_for_customers_too(engine: Engine, tmp_path: Path) -> None:
    from engine.messaging.examples import write_examples

    written = {p.stem: p.read_bytes() for p in write_examples(tmp_path / "beispiele", engine.settings)}
    assert {ANTWORT, ANFORDERUNG, "fortschreibung.dokument.0006"} <= set(written)
    validator = XMeldValidator.for_bundle(engine.settings.xoev_schema_dir)
    assert all(validator.is_valid(xml) for xml in written.values())
    head = etree.fromstring(written[ANTWORT]).find("x:nachrichtenkopf", NS)
    assert head.findtext("x:empfaenger/x:kunde.bezeichnung/x:NAMENATUERLICHEPERSON/x:vornamen/x:vornamen/name",
                         namespaces=NS) == "Erika"


def test_a_scenario_names_the_customer_as_reader(tmp_path: Path) -> None:
    from engine.scenarios.runner import run_package
    from engine.settings import Settings

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}", var_dir=tmp_path / "var",
                        processes_dir=FIXTURES / "packages", forms_dir=FIXTURES / "forms",
                        message_types_dir=types_folder(tmp_path, ANTWORT))
    (result,) = run_package(read_from_disk(SERVICE, settings), settings=settings)
    assert result.passed, result.failures
