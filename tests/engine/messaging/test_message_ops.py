"""engine/messaging/message_ops.py: message.send and order.send inside real case steps.

The fixture package ``nachricht_test`` sends a 0006 (Fortschreibung Dokument) and an order in
the step after its form, with a script task in between that can be told to fail.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from lxml import etree
from sqlalchemy import select

from engine.catalog.package import read_from_disk
from engine.clock import FixedClock
from engine.errors import DesignError, OperationFailed, ScriptError
from engine.messaging.delivery import deliver_due
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.store.models import Case, CaseStep
from engine.xoev import XMeldValidator
from tests.engine.messaging.conftest import PERSON, SERVICE, event_types, outbox_rows, sent_case, start_case

NS = {"xmeld": "http://www.osci.de/xmeld2511a"}


def test_send_writes_the_message_into_the_outbox_in_the_step(engine: Engine, clerk: Actor,
                                                             fixed_clock: FixedClock) -> None:
    case_id = sent_case(engine, clerk)
    xmeld, order = outbox_rows(engine, case_id)
    assert (xmeld.kind, xmeld.message_type, xmeld.status, xmeld.attempts) == (
        "xmeld", "fortschreibung.dokument.0006", "pending", 0)
    assert (xmeld.reader, xmeld.author) == ("ags:13004000", "ags:13072074")  # Schwerin ← Neubukow
    assert xmeld.next_attempt_at == fixed_clock.now() and xmeld.created_at == fixed_clock.now()
    XMeldValidator.for_bundle(engine.settings.xoev_schema_dir).validate(xmeld.xml)
    assert xmeld.valid and xmeld.validation["schema"] == "XMeld 25.11a"
    root = etree.fromstring(xmeld.xml)
    assert root.findtext("nachrichtenkopf.g2g/identifikation.nachricht/nachrichtenUUID") == str(xmeld.id)
    assert root.findtext("nachrichtenkopf.g2g/autor/name") == "Stadt Neubukow"
    assert root.findtext("xmeld:ausweisdokument/xmeld:seriennummer", namespaces=NS) == "C01X00T47"
    # Schwerin's address "Am Packhof 2-6" is a house number range
    assert root.findtext("anschrift.leser/gebaeude/hausnummern.bis/hausnummer.bis") == "6"

    with engine.db.read() as s:
        case = s.get(Case, case_id)
        steps = list(s.execute(select(CaseStep).where(CaseStep.case_id == case_id).order_by(CaseStep.seq)).scalars())
    assert case is not None and case.status == "waiting"
    assert steps[-1].irreversible is True
    events = event_types(engine, case_id)
    assert events.index("message_queued") < events.index("order_queued")
    view = engine.cases.view(case_id, clerk, log_read=False)
    assert view.data["gesendet"] == {"nachricht_id": str(xmeld.id), "nachrichtentyp": "fortschreibung.dokument.0006"}
    assert view.data["auftrag"] == {"auftrag_id": str(order.id)}
    assert engine.audit.verify().ok


def test_the_order_is_a_documented_json_document(engine: Engine, clerk: Actor, fixed_clock: FixedClock) -> None:
    case_id = sent_case(engine, clerk)
    order = outbox_rows(engine, case_id)[1]
    document = json.loads(order.xml)
    assert (order.kind, order.reader, order.message_type) == ("order", "bundesdruckerei", "reisepass")
    assert document == {
        "format": "amtskoffer-auftrag/1",
        "auftrag_id": str(order.id),
        "auftragsart": "reisepass",
        "empfaenger": "bundesdruckerei",
        "vorgang": {"id": str(case_id), "nummer": document["vorgang"]["nummer"], "verfahren": SERVICE},
        "behoerde": {"key": "neubukow", "name": "Stadt Neubukow", "dvdv_kennung": "ags:13072074"},
        "erstellt_am": fixed_clock.now().isoformat(timespec="milliseconds"),
        "daten": {"seriennummer": "C01X00T47", "familienname": "Beispielfrau", "vornamen": "Erika",
                  "gebuehr": str(Decimal("37.50"))},
    }


def test_a_step_that_fails_after_sending_leaves_no_message(engine: Engine, clerk: Actor,
                                                          fixed_clock: FixedClock) -> None:
    case_id, task_id = start_case(engine, clerk)
    before = event_types(engine, case_id)
    with pytest.raises(ScriptError) as info:
        engine.cases.submit(case_id, task_id, {**PERSON, "fehler_nach_senden": True}, clerk)
    assert info.value.context["element_id"] == "nachbereiten"
    assert outbox_rows(engine) == []
    # the failure is recorded, the send is not: nothing of the step was committed
    assert event_types(engine, case_id) == [*before, "step_failed"]
    view = engine.cases.view(case_id, clerk, log_read=False)
    assert [t.spec for t in view.ready] == ["person_erfassen"]
    engine.cases.submit(case_id, view.ready[0].task_id, PERSON, clerk)  # and it can be done properly
    assert len(outbox_rows(engine, case_id)) == 2


def test_data_that_does_not_fit_the_message_type_fails_the_step(engine: Engine, clerk: Actor,
                                                                fixed_clock: FixedClock) -> None:
    case_id, task_id = start_case(engine, clerk)
    with engine.db.read() as s:
        version = s.get(Case, case_id).version  # type: ignore[union-attr]
    with pytest.raises(OperationFailed) as info:
        engine.cases.submit(case_id, task_id, {**PERSON, "passart": "99"}, clerk)  # not in the code list
    err = info.value
    assert list(err.context["errors"]) == ["dokument/passart"]
    assert "dokument/passart" in err.user_message and "Codeliste" in err.user_message
    assert err.user_message.startswith("Die Angaben für die Nachricht „Übernahme oder Eintragung")
    assert err.context["element_id"] == "fortschreibung_senden"
    assert outbox_rows(engine) == []
    with engine.db.read() as s:
        assert s.get(Case, case_id).version == version  # type: ignore[union-attr]


def test_sandbox_messages_are_held_and_never_delivered(engine: Engine, clerk: Actor,
                                                      fixed_clock: FixedClock) -> None:
    case_id = sent_case(engine, clerk, sandbox=True)
    rows = outbox_rows(engine, case_id)
    assert [(r.status, r.sandbox, r.next_attempt_at) for r in rows] == [("held", True, None)] * 2
    assert deliver_due(engine, now=fixed_clock.now()).attempted == 0
    assert not (engine.settings.var_dir / "outbox").exists()


def test_unknown_reader_fails_the_step(engine: Engine, clerk: Actor, fixed_clock: FixedClock) -> None:
    case_id, task_id = start_case(engine, clerk, empfaenger="gibt-es-nicht")
    with pytest.raises(OperationFailed) as info:
        engine.cases.submit(case_id, task_id, PERSON, clerk)
    assert info.value.user_message == "Die Empfängerbehörde „gibt-es-nicht“ ist nicht eingerichtet."
    assert outbox_rows(engine) == []


def test_readers_that_are_not_configured_are_given_as_a_dict(engine: Engine, clerk: Actor,
                                                            fixed_clock: FixedClock) -> None:
    reader = {"name": "Gemeinde Beispielheide", "dvdv_kennung": "ags:13071999",
              "anschrift": {"strasse": "Dorfstraße", "hausnummer": "1", "postleitzahl": "17999", "ort": "Beispielheide"}}
    case_id = sent_case(engine, clerk, empfaenger=reader)
    xmeld = outbox_rows(engine, case_id)[0]
    assert (xmeld.reader, xmeld.reader_name) == ("ags:13071999", "Gemeinde Beispielheide")

    case_id, task_id = start_case(engine, clerk, empfaenger={**reader, "telefon": "0381 1"})
    with pytest.raises(DesignError, match="telefon"):
        engine.cases.submit(case_id, task_id, PERSON, clerk)
    case_id, task_id = start_case(engine, clerk, empfaenger={**reader, "postleitzahl": "1799"})
    with pytest.raises(OperationFailed) as info:  # the explicit reader is checked like the data
        engine.cases.submit(case_id, task_id, PERSON, clerk)
    assert list(info.value.context["errors"]) == ["reader/postleitzahl"]


def test_the_behoerde_of_competent_for_is_a_reader(engine: Engine, clerk: Actor, fixed_clock: FixedClock) -> None:
    with engine.db.read() as s:
        from engine.store.authority import authority_data, competent_for

        schwerin = authority_data(competent_for(s, "13004000"))  # type: ignore[arg-type]
    xmeld = outbox_rows(engine, sent_case(engine, clerk, empfaenger=schwerin))[0]
    assert xmeld.reader == "ags:13004000"


def _package_with(engine: Engine, old: str, new: str):  # type: ignore[no-untyped-def]
    files = read_from_disk(SERVICE, engine.settings)
    bpmn = "nachricht_test.bpmn"
    assert old in files.files[bpmn]
    changed = dict(files.files)
    changed[bpmn] = files.files[bpmn].replace(old, new)
    return type(files)(files.service_id, changed)


def test_publishing_refuses_unknown_message_types_and_bad_channels(engine: Engine) -> None:
    assert [p for p in engine.catalog.check(read_from_disk(SERVICE, engine.settings)) if p.severity == "error"] == []
    files = _package_with(engine, "'fortschreibung.dokument.0006'", "'fortschreibung.dokumnet.0006'")
    problems = [p for p in engine.catalog.check(files) if p.severity == "error"]
    assert [(p.code, p.element_id) for p in problems] == [("operation-parameter", "fortschreibung_senden")]
    assert problems[0].user_message == ("Den Nachrichtentyp „fortschreibung.dokumnet.0006“ gibt es nicht. "
                                        "Meinten Sie fortschreibung.dokument.0006?")
    files = _package_with(engine, "'bundesdruckerei'", "'../bundesdruckerei'")
    problems = [p for p in engine.catalog.check(files) if p.severity == "error"]
    assert [p.element_id for p in problems] == ["dokument_bestellen"]
    assert "kein gültiger Kanalname" in problems[0].user_message
