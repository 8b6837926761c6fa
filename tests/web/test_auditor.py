"""The auditor's workspace through the Flask test client: search, case record, reads logged, diagram,
dossier, hash chain per case and for the whole log, authority scope."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from engine import clock
from engine.catalog.package import PackageFiles
from engine.identity import IdentityService
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.store.models import AuditEvent
from tests.web.designer_service import FILES, SERVICE_ID
from tests.web.helpers import PASSWORD, Clerk


@pytest.fixture(autouse=True)
def _clock(fixed_clock: clock.FixedClock) -> clock.FixedClock:
    return fixed_clock


def run_case(engine: Engine, *, clerk: str = "clerk", authority: str = "neubukow-salzhaff", name: str = "Erika Probe",
             finish: bool = True) -> tuple[uuid.UUID, str]:
    """A case of the test service (published on first use), finished or waiting at the second step."""
    with engine.db.read() as s:
        published = any(i.service_id == SERVICE_ID for i in engine.catalog.services_for(s))
    if not published:
        engine.catalog.publish(PackageFiles(SERVICE_ID, FILES), Actor.system("test"), "Testversion")
    actor = IdentityService(engine).by_name(clerk).actor()
    view = engine.cases.start(SERVICE_ID, authority, actor)
    outcome = engine.cases.submit(view.case.id, view.ready[0].task_id, {"name": name, "anzahl": 2}, actor)
    if finish:
        engine.cases.submit(view.case.id, outcome.case.ready_tasks[0]["task_id"], {"ausgehaendigt": True}, actor)
    return view.case.id, view.case.number


def reads(engine: Engine, case_id: uuid.UUID) -> int:
    with engine.db.read() as s:
        return int(s.execute(select(func.count(AuditEvent.id)).where(AuditEvent.case_id == case_id,
                                                                     AuditEvent.type == "case_read")).scalar_one())


def test_search_by_number_name_and_date(app: Flask, web_engine: Engine) -> None:
    case_id, number = run_case(web_engine, name="Jürgen Groß")
    auditor = Clerk(app, "auditor")
    for query in (f"nummer={number[:9]}", "name=Gross", "von=15.11.2026&bis=15.11.2026", "status=completed"):
        page = auditor.get("/auditor/?" + query)
        assert page.status_code == 200 and number in page.text, query
    assert number not in auditor.get("/auditor/?status=waiting").text
    assert number not in auditor.get("/auditor/?von=16.11.2026").text
    bad = auditor.get("/auditor/?von=31.02.2026")
    assert bad.status_code == 422 and "Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ)." in bad.text
    assert reads(web_engine, case_id) == 0  # the hit list is not a read of the case


def test_case_record_logs_the_read_first_and_shows_it(app: Flask, web_engine: Engine) -> None:
    case_id, number = run_case(web_engine)
    auditor = Clerk(app, "auditor")
    page = auditor.get(f"/auditor/cases/{case_id}")
    assert page.status_code == 200 and f"Vorgang {number}" in page.text
    assert "Protokoll unverändert" in page.text
    rows = re.findall(r'<tr data-type="([a-z_]+)" data-seq="(\d+)"', page.text)
    assert rows[0] == ("case_started", "1") and rows[-1][0] == "case_read"
    assert "Verlauf in der Prüfung angesehen" in page.text.split('data-type="case_read"')[-1]
    assert "Erika Probe" in page.text  # the data entered, as before → after
    assert reads(web_engine, case_id) == 1
    diagram = auditor.get(f"/auditor/cases/{case_id}/diagram")
    config = json.loads(re.search(r'id="weg-config">(.*?)</script>', diagram.text, re.S).group(1))  # type: ignore[union-attr]
    assert config["path"]["current"] == []
    assert {"start", "angaben_erfassen", "gebuehr_ermitteln", "aushaendigen", "ende", "f1", "f4"} <= set(
        config["path"]["visited"])
    assert reads(web_engine, case_id) == 2


def test_diagram_marks_where_an_open_case_stands(app: Flask, web_engine: Engine) -> None:
    case_id, _number = run_case(web_engine, finish=False)
    page = Clerk(app, "auditor").get(f"/auditor/cases/{case_id}/diagram")
    config = json.loads(re.search(r'id="weg-config">(.*?)</script>', page.text, re.S).group(1))  # type: ignore[union-attr]
    assert config["path"]["current"] == ["aushaendigen"]
    assert "aushaendigen" not in config["path"]["visited"]
    assert re.search(r'id="aktuelle-position">\s*Dokument aushändigen', page.text)


def test_dossier_downloads_are_reads_too(app: Flask, web_engine: Engine) -> None:
    case_id, number = run_case(web_engine)
    auditor = Clerk(app, "auditor")
    response = auditor.client.get(f"/auditor/cases/{case_id}/dossier.json")
    assert response.headers["Content-Disposition"] == f'attachment; filename="pruefakte-{number}.json"'
    dossier = json.loads(response.data)
    assert dossier["kette"]["verified"] is True and dossier["vorgang"]["nummer"] == number
    assert dossier["verlauf"][-1]["titel"]
    pdf = auditor.client.get(f"/auditor/cases/{case_id}/dossier.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert reads(web_engine, case_id) == 2


def test_a_tampered_event_breaks_the_chain_of_the_case_and_of_the_log(app: Flask, web_engine: Engine) -> None:
    case_id, number = run_case(web_engine)
    other_id, _ = run_case(web_engine, clerk="clerk2", authority="luetzow-luebstorf")
    with web_engine.db.sessions.begin() as s:
        s.execute(update(AuditEvent).where(AuditEvent.case_id.in_([case_id, other_id]), AuditEvent.case_seq == 2)
                  .values(actor="mallory"))
        first = s.execute(select(func.min(AuditEvent.global_seq)).where(AuditEvent.actor == "mallory")).scalar_one()
    auditor = Clerk(app, "auditor")
    page = auditor.get(f"/auditor/cases/{case_id}")
    assert "Protokoll verändert: Kette gebrochen bei Ereignis Nr. 2" in page.text
    log = auditor.get("/auditor/chain")
    assert f"Kette gebrochen bei Ereignis Nr. {first}" in log.text
    assert number in log.text
    assert "Vorgang einer anderen Behörde" in log.text  # the Lützow case is counted, not named


def test_another_authoritys_case_is_not_found(app: Flask, web_engine: Engine) -> None:
    case_id, number = run_case(web_engine, clerk="clerk2", authority="luetzow-luebstorf")
    auditor = Clerk(app, "auditor")
    for suffix in ("", "/diagram", "/dossier.json"):
        response = auditor.client.get(f"/auditor/cases/{case_id}{suffix}")
        assert response.status_code == 404, suffix
    assert number not in auditor.get("/auditor/").text
    assert reads(web_engine, case_id) == 0


def test_corrections_show_before_and_after_and_messages_their_xml(app: Flask, web_engine: Engine) -> None:
    case_id, _number = run_case(web_engine, finish=False)
    actor = IdentityService(web_engine).by_name("clerk").actor()
    first = next(st for st in web_engine.cases.view(case_id, actor, log_read=False).steps if st.kind == "submit")
    web_engine.cases.correct(case_id, first.id, {"name": "Erika Korrigiert", "anzahl": 2}, actor)
    sent = web_engine.cases.start("nachricht_test", "neubukow", actor, {"empfaenger": "schwerin"})
    web_engine.cases.submit(sent.case.id, sent.ready[0].task_id, {
        "familienname": "Beispielfrau", "vornamen": "Erika", "geburtsdatum": "1984-08-12",
        "seriennummer": "C01X00T47", "passart": "01"}, actor)
    auditor = Clerk(app, "auditor")
    page = auditor.get(f"/auditor/cases/{case_id}")
    corrected = page.text.split('data-type="step_corrected"')[1].split("</tr>")[0]
    assert "Schritt korrigiert" in corrected
    assert "<del>Erika Probe</del> → <ins>Erika Korrigiert</ins>" in corrected
    assert 'class="ueberholt"' in page.text  # the superseded step is marked
    assert auditor.get(f"/auditor/cases/{sent.case.id}").status_code == 404  # Stadt Neubukow: not hers
    IdentityService(web_engine).add_user("pruefer2", PASSWORD, roles=["auditor"], authorities=["neubukow"])
    messages = Clerk(app, "pruefer2").get(f"/auditor/cases/{sent.case.id}")
    assert "Nachrichten (2)" in messages.text
    summaries = re.findall(r"<summary>(.*?)</summary>", messages.text, re.S)
    contents = re.findall(r'<pre class="xml">(.*?)</pre>', messages.text, re.S)
    assert any("fortschreibung" in x for x in summaries), summaries
    assert any(c.startswith("&lt;?xml") for c in contents)  # the XML exactly as stored, escaped


def test_register_searches_outside_cases_are_logged_for_the_auditor(app: Flask, web_engine: Engine) -> None:
    Clerk(app, "clerk").get("/clerk/search", query_string={"familienname": "Zugriffstest", "geburtsdatum": "02.03.1950"})
    Clerk(app, "clerk2").get("/clerk/search", query_string={"familienname": "Anderesamt"})
    with web_engine.db.read() as s:
        logged = s.execute(select(AuditEvent.actor, AuditEvent.payload, AuditEvent.case_id)
                           .where(AuditEvent.type == "register_searched").order_by(AuditEvent.global_seq)).all()
    assert [(a, json.loads(p)["kriterien"], c) for a, p, c in logged] == [
        ("clerk", {"familienname": "Zugriffstest", "geburtsdatum": "1950-03-02"}, None),
        ("clerk2", {"familienname": "Anderesamt"}, None),
    ]
    assert web_engine.audit.verify().ok
    from engine.register.service import RegisterService

    register = RegisterService(web_engine.db, web_engine.settings)
    person_id = register.add_person({"familienname": "Gelesen", "vornamen": "Greta", "geburtsdatum": "1960-01-01"},
                                    authority="neubukow-salzhaff")
    register.person_as(person_id, IdentityService(web_engine).by_name("clerk").actor())
    page = Clerk(app, "auditor").get("/auditor/register")
    assert page.status_code == 200
    assert f"Eintrag der Person {person_id} außerhalb eines Vorgangs gelesen." in page.text
    assert "Familienname „Zugriffstest“, Geburtsdatum „02.03.1950“" in page.text and "0 Treffer" in page.text
    assert "Anderesamt" not in page.text  # a search by a clerk of another authority
