"""The clerk's workspace through the Flask test client: guided steps, errors, drafts, corrections, PDFs."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from flask import Flask
from pypdf import PdfReader

from engine import clock
from engine.service_layer.core import Engine
from tests.web.helpers import Clerk

FAMILY = {
    "einzugsdatum": "01.11.2026",
    "anschrift-strasse": "Am Markt", "anschrift-hausnummer": "3", "anschrift-postleitzahl": "18233",
    "anschrift-ort": "Neubukow",
    "personen-0": "1", "personen-0-vornamen": "Anna", "personen-0-familienname": "Müller",
    "personen-0-geburtsdatum": "01.02.1980",
    "personen-1": "1", "personen-1-vornamen": "Jörg", "personen-1-familienname": "Müller",
    "personen-1-geburtsdatum": "06.05.2010",
}


@pytest.fixture(autouse=True)
def _clock(fixed_clock: clock.FixedClock) -> clock.FixedClock:
    return fixed_clock


def start(clerk: Clerk, service: str = "familie") -> str:
    """Start a case from the start page; returns the URL of its first task."""
    page = clerk.get("/clerk/")
    authority = re.search(r'name="authority" value="([^"]+)"', page.text)
    assert authority is not None
    response = clerk.post("/clerk/cases", {"service_id": service, "authority": authority.group(1)})
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def case_url(task_url: str) -> str:
    return task_url.split("/tasks/")[0]


def test_start_page_lists_services_and_groups_open_cases(app: Flask) -> None:
    clerk = Clerk(app, "clerk")
    page = clerk.get("/clerk/")
    assert "Familienanmeldung (Testverfahren)" in page.text
    assert "Warten auf mich" in page.text and "Überfällig" in page.text
    task = start(clerk)
    page = clerk.get("/clerk/")
    mine = page.text.split("Warten auf mich")[1].split("Warten auf andere")[0]
    assert case_url(task).rsplit("/", 1)[1] in mine


def test_wrong_date_shows_field_error_keeps_input_and_changes_nothing(app: Flask, web_engine: Engine) -> None:
    clerk = Clerk(app, "clerk")
    task = start(clerk)
    before = web_engine.cases.state_json(uuid.UUID(case_url(task).rsplit("/", 1)[1]))
    response = clerk.post(task, {**FAMILY, "einzugsdatum": "31.02.2026", "_action": "submit"})
    assert response.status_code == 422
    html = response.text
    assert 'href="#f-einzugsdatum">Einzugsdatum: Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ).' in html
    assert 'id="f-einzugsdatum" name="einzugsdatum" aria-describedby="f-einzugsdatum-hilfe f-einzugsdatum-fehler"' \
        ' aria-invalid="true"' in html
    assert 'value="31.02.2026"' in html and 'value="Jörg"' in html  # nothing typed is lost
    assert web_engine.cases.state_json(uuid.UUID(case_url(task).rsplit("/", 1)[1])) == before


def test_add_and_remove_rows_without_javascript(app: Flask) -> None:
    clerk = Clerk(app, "clerk")
    task = start(clerk)
    added = clerk.post(task, {**FAMILY, "_add_row": "personen"})
    assert added.status_code == 200
    assert "Person 3" in added.text and 'id="f-personen-2-vornamen"' in added.text
    assert re.search(r'id="f-personen-2-vornamen"[^>]*autofocus', added.text)  # focus moves to the new row
    removed = clerk.post(task, {**FAMILY, "_remove_row": "personen-0"})
    assert "Person 2" not in removed.text and 'value="Jörg"' in removed.text and 'value="Anna"' not in removed.text


def test_conditional_field_hidden_until_its_condition_holds(app: Flask) -> None:
    clerk = Clerk(app, "clerk")
    task = start(clerk)
    page = clerk.get(task)
    assert re.search(r'id="w-f-vorwohnung_ort" data-show-when=\'[^\']+\' hidden', page.text)
    missing = clerk.post(task, {**FAMILY, "hat_vorwohnung": "true", "_action": "submit"})
    assert missing.status_code == 422
    assert "Ort der bisherigen Wohnung: Bitte füllen Sie dieses Feld aus." in missing.text
    assert not re.search(r'id="w-f-vorwohnung_ort"[^>]* hidden', missing.text)
    # Unticked: the server ignores the (browser-submitted) text of the hidden field.
    ok = clerk.post(task, {**FAMILY, "vorwohnung_ort": "Rostock", "_action": "submit"})
    assert ok.status_code == 302


def test_draft_saved_and_shown_again(app: Flask, web_engine: Engine) -> None:
    clerk = Clerk(app, "clerk")
    task = start(clerk)
    saved = clerk.post(task, {"einzugsdatum": "0x.11", "personen-0": "1", "personen-0-vornamen": "Ann",
                              "_action": "draft"})
    assert saved.status_code == 302 and saved.headers["Location"] == case_url(task)
    case_page = clerk.get(case_url(task))
    assert "Entwurf gespeichert" in case_page.text
    again = clerk.get(task)
    assert 'value="0x.11"' in again.text and 'value="Ann"' in again.text
    assert "Angezeigt wird Ihr Entwurf" in again.text
    events = web_engine.audit.export_case(uuid.UUID(case_url(task).rsplit("/", 1)[1]),
                                          __import__("engine.service_layer.actors").service_layer.actors.Actor.system())
    drafts = [e for e in events["events"] if e["type"] == "draft_saved"]
    assert len(drafts) == 1 and "Ann" not in str(drafts[0])  # the audit names fields, not values


def complete_family(clerk: Clerk, task: str) -> str:
    """Personen → Zusammenfassung → (documents) → Aushändigen; returns the case URL."""
    first = clerk.post(task, {**FAMILY, "_action": "submit"})
    assert first.status_code == 302, first.text[:2000]
    summary_url = first.headers["Location"]
    summary = clerk.get(summary_url)
    assert "Zusammenfassung prüfen" in summary.text
    assert "Bitte gehen Sie die Angaben gemeinsam durch: 2 Person(en), Einzug am 01.11.2026." in summary.text
    assert "<details class=\"zusammenfassung\" open>" in summary.text and "Personen 2 › Vornamen" in summary.text
    unconfirmed = clerk.post(summary_url, {"_action": "submit"})
    assert unconfirmed.status_code == 422 and "Bitte bestätigen Sie dies." in unconfirmed.text
    done = clerk.post(summary_url, {"angaben_bestaetigt": "true", "_action": "submit"})
    assert done.status_code == 302
    return case_url(task)


def test_family_case_to_pdfs(app: Flask) -> None:
    clerk = Clerk(app, "clerk")
    task = start(clerk)
    case = complete_family(clerk, task)
    page = clerk.get(case)
    assert "Meldebestätigung (PDF)" in page.text and "Quittung (PDF)" in page.text
    links = re.findall(r'href="(/clerk/cases/[^"]+/documents/[^"]+)"', page.text)
    assert len(links) == 2
    texts = {}
    for link in links:
        response = clerk.client.get(link)
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
        texts[response.headers["Content-Disposition"]] = text
    meldung = next(t for k, t in texts.items() if "meldebestaetigung" in k)
    assert "Meldebestätigung" in meldung and "Müller, Anna" in meldung and "01.02.1980" in meldung
    assert "Stadt Neubukow" in meldung or "Amt Neubukow-Salzhaff" in meldung
    assert re.search(r"Vorgang V-2026-[0-9A-Z]{6}", meldung) and "Seite 1 von 1" in meldung
    quittung = next(t for k, t in texts.items() if "quittung" in k)
    assert "5,00 €" in quittung  # 2 persons × 2,50 €, German money format


def test_correct_an_earlier_step(app: Flask, web_engine: Engine) -> None:
    clerk = Clerk(app, "clerk")
    task = start(clerk)
    first = clerk.post(task, {**FAMILY, "_action": "submit"})
    case_page = clerk.get(case_url(task))
    link = re.search(r'href="(/clerk/cases/[^"]+/steps/[^"]+/correct)"', case_page.text)
    assert link is not None
    form = clerk.get(link.group(1))
    assert "Korrektur: Personen und Wohnung erfassen" in form.text and 'value="Jörg"' in form.text
    assert 'value="01.11.2026"' in form.text  # stored ISO dates shown the German way
    bad = clerk.post(link.group(1), {**FAMILY, "personen-1-geburtsdatum": "06.05.2030", "_action": "submit"})
    assert bad.status_code == 422 and "Das Datum darf nicht nach dem 15.11.2026 liegen." in bad.text
    fixed = clerk.post(link.group(1), {**FAMILY, "personen-1-vornamen": "Jürgen", "_action": "submit"})
    assert fixed.status_code == 302
    assert fixed.headers["Location"] == first.headers["Location"]  # the summary task is asked again
    assert "Jürgen" in clerk.get(fixed.headers["Location"]).text
    page = clerk.get(case_url(task))
    assert "überholt durch Korrektur" in page.text and "Korrektur: Personen und Wohnung erfassen" in page.text
    assert "Jürgen" in page.text


def test_other_authority_cannot_see_the_case(app: Flask) -> None:
    clerk = Clerk(app, "clerk")
    task = start(clerk)
    other = Clerk(app, "clerk2")
    assert other.get(case_url(task)).status_code == 404
    assert other.get(task).status_code == 404
    assert other.post(task, {**FAMILY, "_action": "submit"}).status_code == 404
    assert case_url(task).rsplit("/", 1)[1] not in other.get("/clerk/").text
    assert other.get("/clerk/search?q=V-2026").text.count("/clerk/cases/") == 0


def test_search_tolerates_umlaut_spellings_and_german_dates(app: Flask) -> None:
    clerk = Clerk(app, "clerk")
    task = start(clerk)
    clerk.post(task, {**FAMILY, "_action": "submit"})
    case_id = case_url(task).rsplit("/", 1)[1]
    for q in ("Müller", "Mueller", "muller", "MÜLLER"):
        assert case_id in clerk.get(f"/clerk/search?q={q}").text, q
    assert case_id not in clerk.get("/clerk/search?q=Meier").text


def test_stale_version_is_a_conflict_and_keeps_input(app: Flask) -> None:
    clerk = Clerk(app, "clerk")
    task = start(clerk)
    response = clerk.post(task, {**FAMILY, "version": "0", "_action": "submit"})
    assert response.status_code == 409
    assert "Bitte laden Sie die Seite neu" in response.text and 'value="Jörg"' in response.text


def test_english_is_available(app: Flask) -> None:
    clerk = Clerk(app, "clerk")
    assert clerk.post("/language", {"lang": "en", "next": "/clerk/"}).status_code == 302
    page = clerk.get("/clerk/")
    assert '<html lang="en">' in page.text and "Start a new case" in page.text


def test_resident_search_finds_spelling_variants(app: Flask, web_engine: Engine) -> None:
    from sqlalchemy import select

    from engine.register.models import Person
    from engine.register.service import RegisterService

    RegisterService(web_engine.db, web_engine.settings).load_demo(
        __import__("engine.settings").settings.PROJECT_ROOT / "demo" / "residents.toml", count=30)
    with web_engine.db.read() as s:
        person = s.execute(select(Person).where(Person.familienname.like("%ü%")).limit(1)).scalar_one_or_none() \
            or s.execute(select(Person).limit(1)).scalar_one()
    clerk = Clerk(app, "clerk")
    variant = person.familienname.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("ß", "ss")
    page = clerk.get("/clerk/search", query_string={"familienname": variant,
                                                    "geburtsdatum": person.geburtsdatum.strftime("%d.%m.%Y")})
    assert page.status_code == 200
    assert f"{person.familienname}, {person.vornamen}" in page.text
    assert person.geburtsdatum.strftime("%d.%m.%Y") in page.text
    bad = clerk.get("/clerk/search", query_string={"familienname": variant, "geburtsdatum": "32.13.2000"})
    assert "Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ)." in bad.text


def test_overdue_cases_are_listed_first(app: Flask, fixed_clock: clock.FixedClock) -> None:
    from datetime import timedelta

    clerk = Clerk(app, "clerk")
    task = start(clerk, "beispiel")
    done = clerk.post(task, {"name": "Erika Muster", "geburtsdatum": "12.03.1961", "_action": "submit"})
    assert done.status_code == 302  # now waiting at "Dokument aushändigen" with a 30-day boundary timer
    case_id = case_url(task).rsplit("/", 1)[1]

    def section(html: str, title: str) -> str:
        return html.split(f"<caption>{title}")[1].split("</table>")[0]

    page = clerk.get("/clerk/").text
    assert case_id in section(page, "Warten auf mich") and case_id not in section(page, "Überfällig")
    fixed_clock.advance(timedelta(days=31))  # the worker has not fired the timer yet
    page = clerk.get("/clerk/").text
    assert case_id in section(page, "Überfällig") and case_id not in section(page, "Warten auf mich")
