"""Acceptance in real Chromium: an auditor follows a finished Reisepass case and sees a tampered log.

A live server of its own on the real procedures (``processes/bpmn``), because the test alters an
``audit_event`` row with SQL and the other browser tests must not see a broken chain. The
Reisepass case is worked case 1 (``fall01``), run through the service layer on the server's
database with the scenario's day, residents and scripted answers. The insight pages (heat
overlay on the same version) are checked here too, as an auditor.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select, text
from werkzeug.serving import make_server

from engine import clock
from engine.register.service import RegisterService
from engine.scenarios.driver import CaseDriver
from engine.scenarios.loader import load_scenario
from engine.scenarios.model import MessageStep, TaskStep
from engine.scenarios.runner import ScriptedMocks, substitute
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.settings import PROJECT_ROOT
from engine.store.models import AuditEvent
from tests.web.conftest import build_engine
from tests.web.helpers import PASSWORD
from tests.web.test_browser import axe_check

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
expect.set_options(timeout=20_000)
FALL01 = PROJECT_ROOT / "processes" / "bpmn" / "reisepass" / "tests" / "fall01_30_jahre_abholung.yaml"


@dataclass
class AuditServer:
    url: str
    engine: Engine
    case_id: uuid.UUID
    number: str


def run_scenario(engine: Engine, path: Path) -> tuple[uuid.UUID, str]:
    """The scenario's steps through the service layer on ``engine`` (its day, residents, answers)."""
    scenario = load_scenario(path.read_text(encoding="utf-8"), str(path))
    fixed = clock.FixedClock.on(scenario.today)
    refs: dict[str, str] = {}
    with clock.using(fixed):
        register = RegisterService(engine.db, engine.settings)
        for resident in scenario.register:
            refs[resident.ref] = str(register.add_person(substitute(resident.data, refs),
                                                         authority=scenario.authority, actor="test"))
        engine.mocks = ScriptedMocks(substitute(scenario.mocks, refs))
        try:
            driver = CaseDriver(engine, Actor(name="sachbearbeitung", roles=frozenset({"clerk"}), authority_ids=None),
                                fixed)
            driver.start(path.parent.parent.name, scenario.authority, substitute(scenario.start_data, refs))
            for step in scenario.steps:
                if isinstance(step, TaskStep):
                    driver.submit(step.task, substitute(step.data, refs))
                elif isinstance(step, MessageStep):
                    driver.deliver(step.message, substitute(step.payload, refs))
            assert driver.view().case.status == "completed"
        finally:
            engine.mocks = None
    assert driver.case_id is not None
    return driver.case_id, driver.number


@pytest.fixture(scope="module")
def audit_server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[AuditServer]:
    from web import create_app

    tmp = tmp_path_factory.mktemp("audit-live")
    db = tmp / "live.db"
    shutil.copyfile(sqlite_template, db)
    engine = build_engine(tmp, f"sqlite:///{db}", real=True)
    case_id, number = run_scenario(engine, FALL01)
    server = make_server("127.0.0.1", 0, create_app(engine=engine), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield AuditServer(f"http://127.0.0.1:{server.server_port}", engine, case_id, number)
    server.shutdown()
    thread.join(5)
    engine.close()


@pytest.fixture
def auditor(browser: Browser, audit_server: AuditServer) -> Iterator[Page]:
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin", viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda err: problems.append(f"script error: {err}"))
    page.goto(audit_server.url + "/login")
    page.fill("#username", "auditor")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Prüfung")
    yield page
    context.close()
    assert not problems, problems


def _visited(page: Page, element_id: str) -> int:
    return page.locator(f"#weg-diagramm .djs-element.ak-visited[data-element-id='{element_id}']").count()


def test_auditor_follows_the_path_and_sees_the_broken_chain(auditor: Page, audit_server: AuditServer,
                                                           tmp_path: Path) -> None:
    page = auditor
    axe_check(page, "70-auditor-search")
    page.fill("#suche-nummer", audit_server.number[:9])
    page.locator("form[role=search] button[type=submit]").click()
    page.locator(f"#treffer a:has-text('{audit_server.number}')").click()
    expect(page.locator("h1")).to_have_text(f"Vorgang {audit_server.number}")
    expect(page.locator("#kette-status")).to_contain_text("Protokoll unverändert")
    # The auditor's own read is logged first and is part of what the page shows.
    expect(page.locator("#verlauf tr[data-type='case_read']").last).to_contain_text("auditor")
    expect(page.locator("#verlauf tr[data-type='case_started']")).to_have_count(1)
    axe_check(page, "71-auditor-case")

    page.locator(".reiter a:has-text('Diagramm mit Weg')").click()
    expect(page.locator("#weg-diagramm .djs-element[data-element-id='pass_aushaendigen']")).to_have_count(1)
    for element_id in ("antragsteller_suchen", "merkmale_ermitteln", "gebuehren_ermitteln", "pass_bestellen",
                       "dokument_abwarten", "pass_aushaendigen"):
        assert _visited(page, element_id) == 1, element_id
    for element_id in ("vorlaeufigen_pass_ausstellen", "ermaechtigung_erfassen"):
        assert _visited(page, element_id) == 0, element_id
    assert page.locator("#weg-diagramm .djs-connection.ak-visited").count() >= 8
    expect(page.locator("#weg-diagramm .ak-current")).to_have_count(0)  # finished: no current position
    expect(page.locator("#weg-liste li[data-element-id='pass_aushaendigen']")).to_have_count(1)
    axe_check(page, "72-auditor-diagram")

    # Alter one event of the case directly in the database: its hash no longer matches.
    with audit_server.engine.db.sessions.begin() as s:
        global_seq = s.execute(select(AuditEvent.global_seq).where(AuditEvent.case_id == audit_server.case_id,
                                                                   AuditEvent.case_seq == 3)).scalar_one()
        s.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE global_seq = :n"), {"n": global_seq})
    page.goto(f"{audit_server.url}/auditor/cases/{audit_server.case_id}")
    expect(page.locator("#kette-status")).to_contain_text("Kette gebrochen bei Ereignis Nr. 3")
    expect(page.locator("#kette-status")).to_contain_text("nachträglich verändert")
    axe_check(page, "73-auditor-case-broken")
    with page.expect_download() as download:
        page.locator(".reiter a:has-text('Akte als JSON')").click()
    target = tmp_path / "akte.json"
    download.value.save_as(target)
    dossier = json.loads(target.read_text(encoding="utf-8"))
    assert dossier["kette"]["verified"] is False and dossier["kette"]["broken_at"] == 3
    page.goto(f"{audit_server.url}/auditor/chain")
    expect(page.locator("#kette-gesamt")).to_contain_text(f"Kette gebrochen bei Ereignis Nr. {global_seq}")
    expect(page.locator("#brueche")).to_contain_text(audit_server.number)
    axe_check(page, "74-auditor-chain")
    from engine.identity import IdentityService
    from engine.register.query import SearchQuery
    from engine.register.service import RegisterService

    searcher = IdentityService(audit_server.engine).by_name("clerk").actor()
    RegisterService(audit_server.engine.db, audit_server.engine.settings).search_as(
        SearchQuery(familienname="Probehaus"), searcher)
    page.goto(f"{audit_server.url}/auditor/register")
    expect(page.locator("#registerzugriffe")).to_contain_text("„Probehaus“")
    axe_check(page, "76-auditor-register-access")


def test_insight_heat_overlay_on_the_version(auditor: Page, audit_server: AuditServer) -> None:
    page = auditor
    page.goto(audit_server.url + "/insight/")
    expect(page.locator("#tabelle-dauer")).to_contain_text("Reisepass")
    axe_check(page, "75-insight-overview")
    page.locator("a[href$='/insight/services/reisepass/versions/1']").click()
    expect(page.locator("#anzahl-vorgaenge")).to_have_text("1")
    heated = page.locator("#hitze-diagramm .djs-element[data-element-id='pass_aushaendigen']")
    expect(heated).to_have_class(re.compile(r"ak-heat-5"))
    assert page.locator("#hitze-diagramm .ak-heat-badge").count() >= 6
    expect(page.locator("#tabelle-elemente tr[data-element-id='pass_aushaendigen']")).to_contain_text("1")
    axe_check(page, "76-insight-heat")
