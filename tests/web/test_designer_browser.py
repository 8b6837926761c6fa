"""Acceptance in real Chromium: a designer builds a new service in the browser and publishes it twice;
a clerk runs it without a restart, and a case of the first version finishes on that version.

One live server of its own (temporary SQLite database, fixture packages, bpmnlint on) so the new
service does not change what the other browser tests see; the session's browser is shared.
axe-core (0 serious/critical) runs on every designer page; screenshots go to
``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from tests.web.conftest import build_engine
from tests.web.designer_service import SERVICE_ID, service_zip
from tests.web.helpers import PASSWORD
from tests.web.test_browser import axe_check
from web import create_app

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def design_server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("design-live")
    db = tmp / "live.db"
    shutil.copyfile(sqlite_template, db)
    engine = build_engine(tmp, f"sqlite:///{db}")
    server = make_server("127.0.0.1", 0, create_app(engine=engine), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    engine.close()


def _page(browser: Browser, base: str, user: str, problems: list[str]) -> Page:
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin", viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda err: problems.append(f"script error: {err}"))
    page.goto(base + "/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    return page


def _modeler_ready(page: Page) -> None:
    expect(page.locator(".djs-element[data-element-id='aushaendigen']")).to_have_count(1)


def _rename(page: Page, element_id: str, name: str) -> None:
    """Select a shape and set its name in the properties panel ("Allgemein")."""
    page.locator(f".djs-shape[data-element-id='{element_id}']").click()
    field = page.locator("#bio-properties-panel-name")
    if not field.is_visible():
        page.locator(".bio-properties-panel-group-header:has-text('Allgemein')").click()
    field.fill(name)
    field.press("Tab")


def _save_diagram(page: Page) -> None:
    page.click("#diagramm-speichern")
    expect(page.locator(".meldungen")).to_contain_text("gespeichert")
    _modeler_ready(page)


def _start_case(page: Page, base: str) -> str:
    page.goto(base + "/clerk/")
    form = page.locator(f"form:has(option[value='{SERVICE_ID}'])").first
    form.locator("select").select_option(SERVICE_ID)
    form.locator("button[type=submit]").click()
    case_url = page.locator(".brotkrumen a").nth(1).get_attribute("href")
    assert case_url is not None
    return base + case_url


def _submit(page: Page) -> None:
    page.locator(".knopfleiste button[value=submit]").click()


def test_designer_builds_publishes_and_a_clerk_runs_both_versions(browser: Browser, design_server: str,
                                                                     tmp_path: Path) -> None:
    problems: list[str] = []
    page = _page(browser, design_server, "designer", problems)
    expect(page.locator("h1")).to_have_text("Verfahrensgestaltung")
    axe_check(page, "50-designer-index")

    # Upload the prepared package (diagram, two forms, decision table, one scenario) as a draft.
    package = tmp_path / f"{SERVICE_ID}.zip"
    package.write_bytes(service_zip())
    page.set_input_files("#import-datei", str(package))
    page.click("form[action$='/designer/import'] button[type=submit]")
    expect(page.locator("h1")).to_have_text(f"Entwurf: {SERVICE_ID}")
    expect(page.locator("#pruefung-ergebnis")).to_contain_text("Keine Fehler")
    axe_check(page, "51-designer-draft")

    # The modeler: removing a task's name is a bpmnlint problem on that element, live and after saving.
    page.click(f"a:has-text('{SERVICE_ID}.bpmn')")
    _modeler_ready(page)
    axe_check(page, "52-designer-modeler")
    _rename(page, "aushaendigen", "")
    lint = page.locator(".ak-problems-list .ak-problem:has-text('label-required')")
    expect(lint).to_have_count(1)
    expect(page.locator(".djs-overlays[data-container-id='aushaendigen'] .bjsl-overlay")).to_have_count(1)
    _save_diagram(page)
    saved_problem = page.locator("table.befunde tr[data-element-id='aushaendigen'][data-code='bpmnlint/label-required']")
    expect(saved_problem).to_contain_text("Das Element hat keine Beschriftung (Name).")
    expect(page.locator(".djs-overlays[data-container-id='aushaendigen'] .bjsl-overlay")).to_have_count(1)
    axe_check(page, "53-designer-modeler-lint")
    _rename(page, "aushaendigen", "Bescheinigung aushändigen")
    expect(lint).to_have_count(0)
    _save_diagram(page)
    expect(page.locator("table.befunde")).to_have_count(0)
    expect(page.locator(".djs-element[data-element-id='aushaendigen']")).to_contain_text("Bescheinigung")

    # The form editor: the preview follows the text (the clerk's own template) and checks input.
    page.goto(page.url.split("/bpmn/")[0] + "/forms/angaben")
    schema = page.locator("#schema-text")
    schema.fill(schema.input_value().replace("Anzahl der Ausfertigungen", "Anzahl Ausfertigungen"))
    expect(page.locator("#vorschau-inhalt label[for='f-anzahl']")).to_contain_text("Anzahl Ausfertigungen")
    page.fill("#f-anzahl", "sieben")
    page.click("#vorschau-pruefen")
    expect(page.locator("#vorschau-inhalt #fehlerliste")).to_contain_text("Name der Person")
    expect(page.locator("#f-anzahl")).to_have_value("sieben")
    axe_check(page, "54-designer-form-preview")
    page.click("#formular-speichern")
    expect(page.locator(".meldungen")).to_contain_text("gespeichert")

    page.goto(page.url.split("/forms/")[0] + "/dmn/gebuehr.dmn")
    expect(page.locator("td.output-cell[data-row-id='r2']")).to_contain_text('Decimal("8.00")')
    axe_check(page, "55-designer-dmn")

    # Test before publishing: the package's scenario runs against the draft.
    page.goto(page.url.split("/dmn/")[0])
    page.click("#tests-ausfuehren")
    expect(page.locator("#testergebnis")).to_contain_text("1 von 1 Testfällen bestanden")
    axe_check(page, "56-designer-tests")
    page.locator(".brotkrumen a").nth(1).click()
    page.fill("#aenderungsnotiz", "Erste Version")
    page.click("#veroeffentlichen")
    expect(page.locator(".meldungen")).to_contain_text("Version 1 von „testbescheinigung“ veröffentlicht")
    expect(page.locator("#aenderungsnotiz")).to_have_text("Erste Version")
    axe_check(page, "57-designer-version-1")

    # A clerk starts the new service at once (no restart) and leaves the case open at the second step.
    clerk = _page(browser, design_server, "clerk", problems)
    first_case = _start_case(clerk, design_server)
    expect(clerk.locator("h1")).to_have_text("Angaben erfassen")
    clerk.fill("#f-name", "Erika Probe")
    clerk.fill("#f-anzahl", "2")
    _submit(clerk)
    expect(clerk.locator("h1")).to_have_text("Bescheinigung aushändigen")

    # Version 2: a new fee in the decision table and a renamed step.
    page.goto(design_server + "/designer/")
    page.locator(f"tr:has-text('{SERVICE_ID}') button:has-text('Entwurf anlegen')").click()
    expect(page.locator("h1")).to_have_text(f"Entwurf: {SERVICE_ID}")
    page.click("a:has-text('gebuehr.dmn')")
    cell = page.locator("td.output-cell[data-row-id='r2']")
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type('Decimal("9.00")')
    page.locator("h1").click()
    page.click("#tabelle-speichern")
    expect(page.locator(".meldungen")).to_contain_text("gespeichert")
    expect(page.locator("td.output-cell[data-row-id='r2']")).to_contain_text('Decimal("9.00")')
    page.click(f"a:has-text('{SERVICE_ID}.bpmn')")
    _modeler_ready(page)
    _rename(page, "angaben_erfassen", "Angaben aufnehmen")
    _save_diagram(page)
    page.locator(".reiter a:has-text('Übersicht des Entwurfs')").click()
    page.fill("#aenderungsnotiz", "Gebühr für mehrere Ausfertigungen 9 Euro; Schritt umbenannt")
    page.click("#veroeffentlichen")
    expect(page.locator(".meldungen")).to_contain_text("Version 2")
    # The visual diff: the renamed task is marked on both diagrams, the changed rule is listed.
    expect(page.locator("#diagramm-neu .djs-element.ak-diff-changed[data-element-id='angaben_erfassen']")).to_have_count(1)
    expect(page.locator("#diagramm-alt .djs-element.ak-diff-changed[data-element-id='angaben_erfassen']")).to_have_count(1)
    expect(page.locator("#element-aenderungen tr[data-element-id='r2']")).to_contain_text("Ergebnisse der Regel")
    expect(page.locator("#element-aenderungen tr[data-element-id='angaben_erfassen']")).to_contain_text("Angaben aufnehmen")
    axe_check(page, "58-designer-version-2-diff")

    # New cases take version 2 …
    second_case = _start_case(clerk, design_server)
    expect(clerk.locator("h1")).to_have_text("Angaben aufnehmen")
    clerk.fill("#f-name", "Max Probe")
    clerk.fill("#f-anzahl", "3")
    _submit(clerk)
    clerk.check("#f-ausgehaendigt")
    _submit(clerk)
    clerk.goto(second_case)
    expect(clerk.locator(".status")).to_have_text("abgeschlossen")
    expect(clerk.locator(".eckdaten")).to_contain_text("Version 2")
    expect(clerk.locator(".tabelle--daten")).to_contain_text("9,00")

    # … while the open case of version 1 finishes on version 1.
    clerk.goto(first_case)
    expect(clerk.locator(".eckdaten")).to_contain_text("Version 1")
    clerk.locator(".aufgaben a").first.click()
    expect(clerk.locator("h1")).to_have_text("Bescheinigung aushändigen")
    clerk.check("#f-ausgehaendigt")
    _submit(clerk)
    clerk.goto(first_case)
    expect(clerk.locator(".status")).to_have_text("abgeschlossen")
    expect(clerk.locator(".eckdaten")).to_contain_text("Version 1")
    expect(clerk.locator(".tabelle--daten")).to_contain_text("8,00")
    clerk.context.close()

    # The designer's version list counts the cases per version.
    page.goto(design_server + f"/designer/services/{SERVICE_ID}")
    expect(page.locator("#versionen tbody tr")).to_have_count(2)
    axe_check(page, "59-designer-versions")
    page.context.close()
    assert not problems, problems


def test_sandbox_text_editor_and_draft_diff(browser: Browser, design_server: str, tmp_path: Path) -> None:
    problems: list[str] = []
    page = _page(browser, design_server, "designer", problems)
    package = tmp_path / "paket.zip"
    package.write_bytes(service_zip())
    page.set_input_files("#import-datei", str(package))
    page.fill("#import-kennung", "sandbox_probe")
    page.click("form[action$='/designer/import'] button[type=submit]")
    expect(page.locator(".meldungen")).to_contain_text("Die Kennung in service.toml wurde")
    draft_url = page.url

    page.click("a:has-text('In der Sandbox durchspielen')")
    axe_check(page, "60-designer-sandbox")
    page.select_option("#sandbox-behoerde", "neubukow-salzhaff")
    page.click("#sandbox-starten")
    expect(page.locator("h1")).to_have_text("Angaben erfassen")
    _submit(page)
    expect(page.locator("#fehlerliste")).to_be_focused()
    expect(page.locator("#fehlerliste")).to_contain_text("Name der Person: Bitte füllen Sie dieses Feld aus.")
    axe_check(page, "61-designer-sandbox-task-error")
    page.fill("#f-name", "Erika Probe")
    page.fill("#f-anzahl", "1")
    _submit(page)
    page.check("#f-ausgehaendigt")
    _submit(page)
    expect(page.locator(".status")).to_have_text("abgeschlossen")
    expect(page.locator(".tabelle--daten")).to_contain_text("5,00")
    axe_check(page, "62-designer-sandbox-case")
    page.locator(".brotkrumen a").nth(1).click()
    page.fill("#sandbox-tage", "3")
    page.click("form[action$='/sandbox/clock'] button[type=submit]")
    expect(page.locator(".meldungen")).to_contain_text("um 3 Tage vorgestellt")

    page.goto(draft_url)
    page.click("a:has-text('service.toml')")
    expect(page.locator("#datei-text")).to_contain_text('id = "sandbox_probe"')
    axe_check(page, "63-designer-file")
    page.goto(draft_url + "/diff")
    expect(page.locator("#element-aenderungen tr[data-kind='added']")).not_to_have_count(0)
    expect(page.locator("#diagramm-neu .djs-element.ak-diff-added[data-element-id='aushaendigen']")).to_have_count(1)
    axe_check(page, "64-designer-draft-diff")
    page.context.close()
    assert not problems, problems
