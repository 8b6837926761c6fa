"""Web fixtures: an engine on a fresh SQLite file with the demo authorities, fixture packages and
one user per role; the Flask app on it. (The engine itself is tested on PostgreSQL too; the web
layer adds no SQL of its own except through the identity and documents packages, which are.)"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from engine import clock
from engine.identity import IdentityService
from engine.service_layer.core import Engine
from engine.settings import PROJECT_ROOT
from tests.conftest import make_settings
from tests.web.helpers import PASSWORD, create_users
from web import create_app


def build_engine(tmp_path: Path, url: str, *, real: bool = False) -> Engine:
    """Fixture packages (tests/fixtures), or with ``real`` the procedures in processes/bpmn."""
    overrides = {"processes_dir": PROJECT_ROOT / "processes" / "bpmn", "forms_dir": PROJECT_ROOT / "forms"} \
        if real else {}
    engine = Engine(make_settings(tmp_path, url, **overrides))
    engine.authorities.load_file(PROJECT_ROOT / "demo" / "authorities.toml")
    results = engine.catalog.sync_from_disk()
    if not real:
        assert not [r for r in results if r.action == "rejected"], results
    create_users(engine)
    return engine


@pytest.fixture
def web_engine(tmp_path: Path, sqlite_url: str) -> Iterator[Engine]:
    engine = build_engine(tmp_path, sqlite_url)
    yield engine
    engine.close()


@pytest.fixture
def app(web_engine: Engine) -> Flask:
    return create_app(engine=web_engine)


# -- browser tests (Playwright + Debian Chromium; see ../shared/recipes.md §1) ---------------------
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRE_BROWSER = os.environ.get("AMTSKOFFER_REQUIRE_BROWSER") == "1"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
PILOT_AUTHORITIES = ["feldberger-seenlandschaft", "neubukow", "neubukow-salzhaff", "luetzow-luebstorf"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:  # type: ignore[type-arg]
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if REQUIRE_BROWSER:
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--no-first-run", "--disable-sync"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:  # type: ignore[type-arg]
    return {**browser_context_args, "locale": "de-DE", "timezone_id": "Europe/Berlin",
            "viewport": {"width": 1280, "height": 900}, "accept_downloads": True}


@dataclass
class LiveServer:
    url: str
    engine: Engine
    clock: clock.FixedClock | None = None
    """Real-procedure server only: every request runs on this clock (scenarios set their day)."""


def _serve(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path, *, real: bool) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("live")
    db = tmp / "live.db"
    shutil.copyfile(sqlite_template, db)
    engine = build_engine(tmp, f"sqlite:///{db}", real=real)
    app = create_app(engine=engine)
    fixed = None
    if real:
        IdentityService(engine).add_user("szenario", PASSWORD, roles=["clerk"], authorities=PILOT_AUTHORITIES,
                                         display_name="Szenario")
        fixed = clock.FixedClock.on(date(2026, 11, 15))
        inner = app.wsgi_app

        def on_fixed_clock(environ: Any, start_response: Any) -> Any:
            with clock.using(fixed):  # type: ignore[arg-type]
                return inner(environ, start_response)

        app.wsgi_app = on_fixed_clock  # type: ignore[method-assign]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", engine, fixed)
    server.shutdown()
    thread.join(5)
    engine.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[str]:
    """One threaded werkzeug server for the browser tests on the fixture packages (temporary database)."""
    for server in _serve(tmp_path_factory, sqlite_template, real=False):
        yield server.url


@pytest.fixture(scope="session")
def real_server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[LiveServer]:
    """The same with the real procedures of processes/bpmn (those that pass the catalog check)."""
    yield from _serve(tmp_path_factory, sqlite_template, real=True)
