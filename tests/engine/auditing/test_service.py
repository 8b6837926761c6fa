"""The auditor's workspace on real cases (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from engine.audit.chain import EventRecord, record_hash
from engine.auditing.search import CaseQuery
from engine.auditing.service import AuditorService
from engine.errors import Forbidden, NotFound
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.store.models import AuditEvent, Authority

ANTRAG = {"name": "Erika Müller", "geburtsdatum": "1990-05-01", "dringend": True}
PERSON = {"familienname": "Beispielfrau", "vornamen": "Erika", "geburtsdatum": "1984-08-12",
          "seriennummer": "C01X00T47", "passart": "01"}
AUDITOR = Actor(name="pruefer", roles=frozenset({"auditor"}))


def types(record: Any) -> list[str]:
    return [e.type for e in record.timeline]


def corrected_case(engine: Engine, clerk: Actor) -> uuid.UUID:
    view = engine.cases.start("beispiel", "neubukow-salzhaff", clerk)
    engine.cases.submit(view.case.id, view.ready[0].task_id, {**ANTRAG, "name": "Erika Mueller"}, clerk)
    step = next(s for s in engine.cases.view(view.case.id, clerk).steps if s.task_spec == "antrag_erfassen")
    engine.cases.correct(view.case.id, step.id, ANTRAG, clerk)
    return view.case.id


def test_timeline_shows_who_what_when_and_the_correction(engine: Engine, clerk: Actor, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    case_id = corrected_case(engine, clerk)
    record = AuditorService(engine).case_record(case_id, AUDITOR)
    assert types(record)[0] == "case_started"
    correction = next(e for e in record.timeline if e.type == "step_corrected")
    assert correction.actor == "clerk.test" and correction.title == "Schritt korrigiert"
    assert [(c.field, c.before, c.after) for c in correction.changes] == [("name", "Erika Mueller", "Erika Müller")]
    assert correction.at == fixed_clock.now()
    # The clerk's view and this very read are in the record, in order.
    reads = [(e.actor, e.payload) for e in record.timeline if e.type == "case_read"]
    assert reads == [("clerk.test", {}), ("pruefer", {"purpose": "timeline"})]
    assert [(s.kind, s.superseded) for s in record.steps] == [("start", False), ("submit", True), ("correct", False)]
    assert record.chain.verified and record.chain.events == len(record.timeline)
    assert record.case.title == "Erika Müller" and record.messages == () and record.documents == ()


def test_messages_come_with_their_xml(engine: Engine, clerk: Actor, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    view = engine.cases.start("nachricht_test", "neubukow", clerk, {"empfaenger": "schwerin"})
    engine.cases.submit(view.case.id, view.ready[0].task_id, PERSON, clerk)
    record = AuditorService(engine).case_record(view.case.id, AUDITOR)
    kinds = sorted((m.direction, m.kind, m.status, m.valid) for m in record.messages)
    assert kinds == [("out", "order", "pending", True), ("out", "xmeld", "pending", True)]
    xmeld = next(m for m in record.messages if m.kind == "xmeld")
    assert xmeld.message_type.startswith("fortschreibung.dokument") and "Beispielfrau" in xmeld.content
    assert xmeld.content.lstrip().startswith("<") and "Schwerin" in xmeld.partner
    assert xmeld.partner.endswith("(ags:13004000)")  # an authority: its name and DVDV id
    order = next(m for m in record.messages if m.kind == "order")
    assert "(" not in order.partner  # a channel is its own name, not "x (x)"
    queued = next(e for e in record.timeline if e.type == "message_queued")
    assert queued.title == "Nachricht erstellt" and "zum Versand bereitgestellt" in queued.text


def test_diagram_of_the_version_with_path_and_position(engine: Engine, clerk: Actor, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    case_id = corrected_case(engine, clerk)
    diagram = AuditorService(engine).diagram(case_id, AUDITOR)
    assert diagram.version_no == 1 and diagram.entry_file == "beispiel.bpmn" and list(diagram.diagrams) == [
        "beispiel.bpmn"]
    assert diagram.path == ("start", "antrag_erfassen", "alter_berechnen", "gebuehr_ermitteln",
                            "zustaendigkeit_pruefen", "dringend_pruefen")
    assert diagram.current == ("bescheid_abwarten",)
    assert diagram.flows == ("f1", "f2", "f3", "f4", "f5", "f_dringend")
    assert diagram.passed["antrag_erfassen"] == 1  # the superseded first submission does not count
    record = AuditorService(engine).case_record(case_id, AUDITOR)
    assert [e.payload.get("purpose") for e in record.timeline if e.type == "case_read"][-2:] == ["diagram",
                                                                                              "timeline"]


def test_broken_chains_are_found_and_named(engine: Engine, clerk: Actor, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    case_id = corrected_case(engine, clerk)
    auditor = AuditorService(engine)
    assert auditor.chain(case_id, AUDITOR).verified and auditor.global_chain(AUDITOR).verified
    with engine.db.sessions.begin() as s:
        s.execute(update(AuditEvent).where(AuditEvent.case_id == case_id, AuditEvent.case_seq == 2)
                  .values(payload=json.dumps({"task": "manipuliert"})))
    status = auditor.chain(case_id, AUDITOR)
    assert not status.verified and status.broken_at == 2
    assert status.text.startswith("Protokoll verändert: Kette gebrochen bei Ereignis Nr. 2 (der Inhalt")
    overall = auditor.global_chain(AUDITOR)
    assert not overall.verified and overall.broken_at == status.broken_at_global


def test_search_across_the_auditors_authorities(engine: Engine, clerk: Actor, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    first = corrected_case(engine, clerk)
    fixed_clock.advance(timedelta(days=3))
    other = engine.cases.start("beispiel", "neubukow", clerk)
    engine.cases.start("beispiel", "neubukow", clerk, sandbox=True)
    auditor = AuditorService(engine)
    number = auditor.search(AUDITOR, number=engine.cases.view(first, clerk, log_read=False).case.number)
    assert [h.id for h in number.hits] == [first]
    assert [h.id for h in auditor.search(AUDITOR, name="mueller").hits] == [first]
    assert [h.id for h in auditor.search(AUDITOR, labels={"geburtsdatum": "1990-05-01"}).hits] == [first]
    assert [h.id for h in auditor.search(AUDITOR, authority="neubukow").hits] == [other.case.id]
    assert [h.id for h in auditor.search(AUDITOR, status=("waiting",), service_id="beispiel").hits] == [first]
    assert [h.id for h in auditor.search(AUDITOR, started_from=date(2026, 11, 16)).hits] == [other.case.id]
    assert [h.id for h in auditor.search(AUDITOR, started_to=date(2026, 11, 15)).hits] == [first]
    everything = auditor.search(AUDITOR, CaseQuery(include_sandbox=True, limit=1))
    assert everything.total == 3 and len(everything.hits) == 1

    with engine.db.read() as s:
        neubukow = s.execute(select(Authority.id).where(Authority.key == "neubukow")).scalar_one()
    local = Actor(name="pruefer.nbk", roles=frozenset({"auditor"}), authority_ids=frozenset({neubukow}))
    assert [h.id for h in auditor.search(local).hits] == [other.case.id]
    with pytest.raises(NotFound):
        auditor.case_record(first, local)
    with pytest.raises(Forbidden):
        auditor.search(clerk)
    with engine.db.read() as s:  # refused reads are not logged
        reads = s.execute(select(AuditEvent.actor).where(AuditEvent.case_id == first,
                                                         AuditEvent.type == "case_read")).scalars().all()
    assert "pruefer.nbk" not in reads


FAMILY = {
    "einzugsdatum": "2026-11-01",
    "anschrift": {"strasse": "Am Markt", "hausnummer": "3", "postleitzahl": "18233", "ort": "Neubukow"},
    "personen": [{"vornamen": "Anna", "familienname": "Schulz", "geburtsdatum": "1980-02-01"}],
}


def test_dossier_as_json_and_pdf(engine: Engine, clerk: Actor, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    from io import BytesIO

    from pypdf import PdfReader

    view = engine.cases.start("familie", "neubukow", clerk)
    out = engine.cases.submit(view.case.id, view.ready[0].task_id, FAMILY, clerk)
    engine.cases.submit(view.case.id, out.ready[0]["task_id"], {"angaben_bestaetigt": True}, clerk)
    auditor = AuditorService(engine)
    data = auditor.dossier(view.case.id, AUDITOR)
    assert data["format"] == "amtskoffer-dossier/1" and data["erstellt_von"] == "pruefer"
    assert data["vorgang"]["nummer"] == view.case.number and data["vorgang"]["verfahren"] == "familie"
    assert data["kette"]["verified"] is True
    assert {d["art"] for d in data["dokumente"]} == {"quittung", "meldebestaetigung"}
    assert all(d["groesse"] > 1000 and len(d["sha256"]) == 64 for d in data["dokumente"])
    assert data["verlauf"][-1]["typ"] == "case_read" and data["verlauf"][-1]["text"].endswith("(Akte (Dossier) "
                                                                                                "exportiert).")
    json.dumps(data)
    # The raw events let anyone re-check every hash without the database.
    for e in data["ereignisse"]:
        record = EventRecord(id=e["id"], global_seq=e["global_seq"], case_id=str(view.case.id),
                             case_seq=e["case_seq"], type=e["type"], actor=e["actor"], at=e["at"],
                             payload=json.dumps(e["payload"], sort_keys=True, separators=(",", ":"),
                                                ensure_ascii=False),
                             prev_global_hash=e["prev_global_hash"], prev_case_hash=e["prev_case_hash"], hash=e["hash"])
        assert record_hash(record) == e["hash"]

    pdf = auditor.dossier_pdf(view.case.id, AUDITOR)
    assert pdf.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    assert f"Prüfakte Vorgang {view.case.number}" in text and "Protokoll unverändert" in text
    assert "Dokument erstellt" in text and "Stadt Neubukow" in text
