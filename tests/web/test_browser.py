"""The clerk's workflow in real Chromium: keyboard only, axe-core on every page, PDFs, corrections, isolation.

Screenshots of every page go to ``test-artifacts/screenshots/`` (gitignored), PDF page images to
``test-artifacts/pdf/``. One browser and one live server (threaded werkzeug, temporary SQLite
database) serve the whole module.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from engine.clock import BERLIN
from engine.settings import PROJECT_ROOT
from tests.web.conftest import ARTIFACTS, LiveServer
from tests.web.helpers import PASSWORD
from web.present import STATUS_DE

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
# A step that renders PDFs takes a few seconds on the shared 2-core machine (WeasyPrint).
expect.set_options(timeout=20_000)
AXE = PROJECT_ROOT / "web" / "static" / "dist" / "vendor" / "axe.min.js"
SHOTS = ARTIFACTS / "screenshots"
TODAY = datetime.now(BERLIN).date()
EINZUG = (TODAY - timedelta(days=3)).strftime("%d.%m.%Y")


@pytest.fixture
def clerk_page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A fresh context (own session); fails the test if the page reports a CSP violation."""
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin", accept_downloads=True,
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda err: problems.append(f"script error: {err}"))
    page.base_url = live_server  # type: ignore[attr-defined]
    yield page
    context.close()
    assert not problems, problems


def axe_check(page: Page, name: str) -> None:
    """axe-core on the current page: no serious or critical violations; saves a screenshot."""
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: run `make assets` (frontend build)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # via DevTools: not subject to the page's CSP
    violations = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name}: {bad}"


def focused(page: Page) -> str:
    return str(page.evaluate("document.activeElement && (document.activeElement.id || "
                             "document.activeElement.getAttribute('name') || document.activeElement.textContent)"))


def tab_to(page: Page, selector: str, *, limit: int = 60) -> None:
    """Press Tab until ``selector`` has the focus: proves it is reachable by keyboard."""
    target = page.locator(selector)
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{selector} not reachable with Tab (focus is on {focused(page)!r})")


def login(page: Page, name: str = "clerk") -> None:
    page.goto(page.base_url + "/login")  # type: ignore[attr-defined]
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/clerk/$"))


def start_family(page: Page) -> None:
    page.select_option("#service-1", "familie")
    page.locator("form:has(#service-1) button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Personen und Wohnung erfassen")


def fill_family(page: Page, einzug: str = EINZUG) -> None:
    page.fill("#f-einzugsdatum", einzug)
    page.fill("#f-anschrift-strasse", "Lindenstraße")
    page.fill("#f-anschrift-hausnummer", "7a")
    page.fill("#f-anschrift-postleitzahl", "18233")
    page.fill("#f-anschrift-ort", "Neubukow")
    page.fill("#f-personen-0-vornamen", "Greta")
    page.fill("#f-personen-0-familienname", "Groß")
    page.fill("#f-personen-0-geburtsdatum", "12.03.1961")


def pdf_text(path: Path, name: str) -> str:
    out = ARTIFACTS / "pdf"
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(out / name)], check=True)
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_family_registration_by_keyboard_alone(clerk_page: Page, tmp_path: Path) -> None:
    page = clerk_page
    page.goto(page.base_url + "/login")  # type: ignore[attr-defined]
    axe_check(page, "01-login")
    assert focused(page) == "username"  # autofocus
    page.keyboard.type("clerk")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Übersicht")
    axe_check(page, "02-start")

    # The skip link is the first stop and jumps to the content.
    page.keyboard.press("Tab")
    assert "Zum Inhalt springen" in focused(page)
    tab_to(page, "#service-1")
    assert page.eval_on_selector("#service-1", "el => el.value") == "familie"
    tab_to(page, "form:has(#service-1) button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Personen und Wohnung erfassen")
    axe_check(page, "03-form-empty")
    assert focused(page) == "f-einzugsdatum"  # ui:autofocus

    page.keyboard.type(EINZUG)
    for selector, text in [("#f-anschrift-strasse", "Lindenstraße"), ("#f-anschrift-hausnummer", "7a"),
                           ("#f-anschrift-postleitzahl", "18233"), ("#f-anschrift-ort", "Neubukow"),
                           ("#f-personen-0-vornamen", "Greta"), ("#f-personen-0-familienname", "Groß"),
                           ("#f-personen-0-geburtsdatum", "12.03.1961")]:
        tab_to(page, selector)
        page.keyboard.type(text)
    tab_to(page, "#add-personen")
    page.keyboard.press("Enter")  # a real submit button: works without JavaScript
    expect(page.locator("#f-personen-1-vornamen")).to_be_focused()
    page.keyboard.type("Jonas")
    for selector, text in [("#f-personen-1-familienname", "Groß"), ("#f-personen-1-geburtsdatum", "01.09.2012")]:
        tab_to(page, selector)
        page.keyboard.type(text)
    tab_to(page, "#f-hat_vorwohnung")
    expect(page.locator("#w-f-vorwohnung_ort")).to_be_hidden()
    page.keyboard.press("Space")
    expect(page.locator("#w-f-vorwohnung_ort")).to_be_visible()  # shown at once by the page script
    page.keyboard.press("Tab")
    assert focused(page) == "f-vorwohnung_ort"
    page.keyboard.type("Rostock")
    axe_check(page, "04-form-filled")
    page.keyboard.press("Enter")  # Enter in a text field = "Weiter", not a row button

    expect(page.locator("h1")).to_have_text("Zusammenfassung prüfen")
    expect(page.locator(".zusammenfassung")).to_contain_text("Jonas")
    axe_check(page, "05-summary")
    tab_to(page, "#f-angaben_bestaetigt")
    page.keyboard.press("Space")
    tab_to(page, ".knopfleiste button[value=submit]")
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("Dokumente aushändigen")
    axe_check(page, "06-confirm")
    tab_to(page, ".knopfleiste button[value=submit]")
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_contain_text("Vorgang V-")
    expect(page.locator(".status")).to_have_text("abgeschlossen")
    axe_check(page, "07-case-completed")
    texts = {}
    for title in ("Meldebestätigung", "Quittung"):
        tab_to(page, f"a:has-text('{title} (PDF)')")
        with page.expect_download() as download:
            page.keyboard.press("Enter")
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        texts[title] = pdf_text(path, title.lower().replace("ä", "ae"))
    assert "Groß, Greta" in texts["Meldebestätigung"] and "Groß, Jonas" in texts["Meldebestätigung"]
    assert "Lindenstraße 7a, 18233 Neubukow" in texts["Meldebestätigung"]
    assert "5,00 €" in texts["Quittung"]


def test_wrong_date_field_error_then_correct_an_earlier_step(clerk_page: Page) -> None:
    page = clerk_page
    login(page)
    start_family(page)
    fill_family(page, einzug="31.02.2026")
    page.click(".knopfleiste button[value=submit]")
    summary = page.locator("#fehlerliste")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Einzugsdatum: Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ).")
    expect(page.locator("#f-einzugsdatum-fehler")).to_have_text(
        "Fehler: Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ).")
    expect(page.locator("#f-einzugsdatum")).to_have_value("31.02.2026")
    expect(page.locator("#f-personen-0-vornamen")).to_have_value("Greta")  # nothing typed is lost
    expect(page).to_have_title(re.compile("^Fehler: "))
    axe_check(page, "10-form-errors")
    summary.locator("a").first.click()  # the summary links to the field
    expect(page.locator("#f-einzugsdatum")).to_be_focused()
    page.fill("#f-einzugsdatum", EINZUG)
    page.click(".knopfleiste button[value=submit]")
    expect(page.locator("h1")).to_have_text("Zusammenfassung prüfen")

    page.locator(".brotkrumen a").nth(1).click()
    axe_check(page, "11-case-open")
    page.locator("table >> a:has-text('Korrigieren')").first.click()
    expect(page.locator("h1")).to_have_text("Korrektur: Personen und Wohnung erfassen")
    expect(page.locator("#f-anschrift-hausnummer")).to_have_value("7a")
    axe_check(page, "12-correction")
    page.fill("#f-anschrift-hausnummer", "9")
    page.click(".knopfleiste button[value=submit]")
    expect(page.locator("h1")).to_have_text("Zusammenfassung prüfen")
    expect(page.locator(".zusammenfassung")).to_contain_text("9")
    page.locator(".brotkrumen a").nth(1).click()
    expect(page.locator("tr.ueberholt")).to_have_count(1)
    expect(page.locator("body")).to_contain_text("Korrektur: Personen und Wohnung erfassen")


def test_draft_search_and_second_clerk_cannot_see_the_case(clerk_page: Page, browser: Browser) -> None:
    page = clerk_page
    login(page)
    start_family(page)
    page.fill("#f-personen-0-vornamen", "Gerda")
    page.fill("#f-personen-0-familienname", "Jürß")
    page.click("button[value=draft]")
    expect(page.locator(".meldungen")).to_contain_text("zwischengespeichert")
    case_url = page.url
    page.locator(".aufgaben a").first.click()
    expect(page.locator("#f-personen-0-familienname")).to_have_value("Jürß")
    page.fill("#f-personen-0-familienname", "Jürß")
    fill_family(page)
    page.click(".knopfleiste button[value=submit]")
    expect(page.locator("h1")).to_have_text("Zusammenfassung prüfen")
    page.goto(page.base_url + "/clerk/search?q=Gross")  # type: ignore[attr-defined]
    expect(page.locator("table")).to_contain_text(case_url.rsplit("/", 1)[1][:0] or "Familienanmeldung")
    axe_check(page, "13-search")

    other = browser.new_context(locale="de-DE")
    second = other.new_page()
    second.base_url = page.base_url  # type: ignore[attr-defined]
    login(second, "clerk2")
    response = second.goto(case_url)
    assert response is not None and response.status == 404
    expect(second.locator("h1")).to_have_text("Nicht gefunden")
    axe_check(second, "14-not-found")
    second.goto(page.base_url + "/clerk/search?q=Gross")  # type: ignore[attr-defined]
    expect(second.locator("table")).to_contain_text("Keine Vorgänge gefunden.")
    other.close()


@pytest.fixture
def real_page(browser: Browser, real_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin", viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.base_url = real_server.url  # type: ignore[attr-defined]
    yield page
    context.close()


# -- the real procedures, driven through the browser by their own scenario files ------------------
def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def _row_exists(page: Page, name: str) -> bool:
    return page.locator(f'input[type=hidden][name="{name}"]').count() > 0


def _ensure_rows(page: Page, data: Any, prefix: str = "") -> None:
    """Add rows (the form's own "hinzufügen" buttons) until every list in ``data`` fits."""
    if isinstance(data, dict):
        for key, value in data.items():
            _ensure_rows(page, value, f"{prefix}-{key}" if prefix else key)
    elif isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        for i, row in enumerate(data):
            if not _row_exists(page, f"{prefix}-{i}"):
                page.locator(f'button[name="_add_row"][value="{prefix}"]').click()
                expect(page.locator(f'input[type=hidden][name="{prefix}-{i}"]')).to_have_count(1)
            _ensure_rows(page, row, f"{prefix}-{i}")


def _leaves(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, f"{prefix}-{key}" if prefix else key)
    elif isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        for i, row in enumerate(data):
            yield from _leaves(row, f"{prefix}-{i}")
    else:
        yield prefix, data


def _set(page: Page, name: str, value: Any) -> bool:
    """Enter ``value`` into the input(s) called ``name`` as a clerk would; False while it is not shown."""
    inputs = page.locator(f'[name="{name}"]')
    if inputs.count() == 0:
        return False
    first = inputs.first
    kind = first.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
    if kind == "input:hidden":
        first.evaluate("(e, v) => { e.value = v; }", _text(value))
        return True
    if not first.is_visible():
        return False
    if kind.startswith("select"):
        first.select_option(_text(value))
    elif kind == "input:radio":
        page.locator(f'[name="{name}"][value="{_text(value)}"]').check()
    elif kind == "input:checkbox" and isinstance(value, bool) and inputs.count() == 1:
        first.set_checked(value)
    elif kind == "input:checkbox":
        for box in inputs.all():
            box.set_checked(box.get_attribute("value") in {_text(v) for v in value or []})
    elif value is None or value == []:
        first.fill("")
    else:
        first.fill(_text(value))
    return True


def _fill(page: Page, data: dict[str, Any]) -> None:
    _ensure_rows(page, data)
    pending = [(n, v) for n, v in _leaves(data) if v != [] and n]
    for _ in range(4):  # conditional fields appear once their controlling field is set
        pending = [(n, v) for n, v in pending if not _set(page, n, v)]
        if not pending:
            return
    missing = [n for n, v in pending if v not in (None, "", False)]
    assert not missing, f"inputs not on the page: {missing}"


def _go_to_task(page: Page, case_url: str, task: str) -> None:
    form = page.locator("form#schritt-formular")
    if form.count() and form.get_attribute("data-task") == task:
        return
    page.goto(case_url)
    page.locator(f'a[data-task="{task}"]').click()
    expect(page.locator("form#schritt-formular")).to_have_attribute("data-task", task)


def run_scenario_in_browser(page: Page, server: LiveServer, path: Path) -> None:
    from engine import clock
    from engine.register.service import RegisterService
    from engine.scenarios.loader import load_scenario
    from engine.scenarios.model import MessageStep, TaskStep
    from engine.scenarios.runner import ScriptedMocks, substitute

    scenario = load_scenario(path.read_text(encoding="utf-8"), str(path))
    if any(not isinstance(step, TaskStep | MessageStep) for step in scenario.steps):
        pytest.skip("scenario advances the clock; covered by amtskoffer test-service")
    assert server.clock is not None
    server.clock.instant = clock.FixedClock.on(scenario.today).instant
    server.engine.mocks = ScriptedMocks(scenario.mocks) if scenario.mocks else None
    refs: dict[str, str] = {}
    with clock.using(server.clock):
        register = RegisterService(server.engine.db, server.engine.settings)
        for resident in scenario.register:
            refs[resident.ref] = str(register.add_person(substitute(resident.data, refs),
                                                         authority=scenario.authority, actor="test"))
    login(page, "szenario")
    with server.engine.db.read() as s:
        authority_id = server.engine.authorities.by_key(s, scenario.authority).id
    service = path.parent.parent.name
    start_form = page.locator(f'form:has(input[name=authority][value="{authority_id}"])')
    start_form.locator("select").select_option(service)
    start_form.locator("button[type=submit]").click()
    case_url = page.locator(".brotkrumen a").nth(1).get_attribute("href")
    assert case_url is not None
    case_url = page.base_url + case_url  # type: ignore[attr-defined]
    for n, step in enumerate(scenario.steps):
        if isinstance(step, MessageStep):
            with clock.using(server.clock):
                result = server.engine.cases.deliver_message(step.message, substitute(step.payload, refs))
            assert result.status == "correlated", result
            continue
        if step.expect_error is not None:
            continue  # bad input: tests/web covers field errors; the scenario runner checks this one
        _go_to_task(page, case_url, step.task)
        if n < 3:
            axe_check(page, f"30-{service}-{step.task}")
        _fill(page, dict(substitute(step.data, refs)))
        page.locator(".knopfleiste button[value=submit]").click()
        page.wait_for_load_state()
        errors = page.locator("#fehlerliste")
        assert errors.count() == 0, f"{step.task}: {errors.inner_text()}"
    page.goto(case_url)
    axe_check(page, f"31-{service}-case")
    if scenario.expect.status:
        expect(page.locator(".status")).to_have_text(STATUS_DE[scenario.expect.status])
    number = page.locator("h1").inner_text().split()[-1]
    for i, doc in enumerate(scenario.expect.documents or ()):
        link = page.locator(".dokumente a").nth(i)
        with page.expect_download() as download:
            link.click()
        target = ARTIFACTS / "pdf" / f"{service}-{download.value.suggested_filename}"
        target.parent.mkdir(parents=True, exist_ok=True)
        download.value.save_as(target)
        text = pdf_text(target, f"{service}-{doc.get('art', i)}")
        assert f"Vorgang {number}" in text, text[:500]
    server.engine.mocks = None


def _scenario(service: str, name: str) -> Path:
    path = PROJECT_ROOT / "processes" / "bpmn" / service / "tests" / name
    if not path.exists():
        pytest.skip(f"{path.relative_to(PROJECT_ROOT)} does not exist yet")
    return path


def test_anmeldung_of_a_family_end_to_end(real_page: Page, real_server: LiveServer) -> None:
    """Anmeldung of a family (two persons, from abroad, entered into the register), through the pages.

    The real-procedure scenarios share one database: pick scenarios whose residents differ.
    """
    run_scenario_in_browser(real_page, real_server, _scenario("anmeldung", "zuzug_ausland_familie.yaml"))


def test_reisepass_application_to_pickup(real_page: Page, real_server: LiveServer) -> None:
    """Reisepass (worked case 1): search, application, biometrics, payment, document arrives, pickup."""
    run_scenario_in_browser(real_page, real_server, _scenario("reisepass", "fall01_30_jahre_abholung.yaml"))


def test_admin_creates_a_user_accessibly(clerk_page: Page) -> None:
    page = clerk_page
    page.goto(page.base_url + "/login")  # type: ignore[attr-defined]
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Administration")
    axe_check(page, "40-admin")
    page.fill("#neu-name", "neue.kollegin")
    page.fill("#neu-password", "kurz")
    page.check("#rolle-clerk")
    page.check("#beh-neubukow")
    page.click("form[action$='/admin/users'] button[type=submit]")
    expect(page.locator(".fehlertext")).to_contain_text("mindestens 10 Zeichen")
    axe_check(page, "41-admin-error")
    page.fill("#neu-password", "lang-genug-1234")
    page.click("form[action$='/admin/users'] button[type=submit]")
    expect(page.locator(".meldungen")).to_contain_text("neue.kollegin")
    expect(page.locator("table")).to_contain_text("neue.kollegin")
