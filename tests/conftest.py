"""Shared fixtures.

Databases are real: a fresh SQLite file per test (copied from a migrated template, so each test
starts from the schema the migrations produce) and, when ``AMTSKOFFER_TEST_PG_URL`` points at a
PostgreSQL server (``.ci/run`` starts one), the same tests again on a fresh PostgreSQL database
created from a migrated template database. In CI (``AMTSKOFFER_REQUIRE_PG=1``) a missing
PostgreSQL fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engine import clock
from engine.service_layer.actors import Actor
from engine.settings import PROJECT_ROOT, Settings
from engine.store import migrate
from engine.store.db import connect

if TYPE_CHECKING:
    from engine.service_layer.core import Engine

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = PROJECT_ROOT.parent / "shared"  # the team's read-only material next to the clone
PG_URL = os.environ.get("AMTSKOFFER_TEST_PG_URL", "")
REQUIRE_PG = os.environ.get("AMTSKOFFER_REQUIRE_PG") == "1"


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRE_PG and not PG_URL:
        raise pytest.UsageError("AMTSKOFFER_REQUIRE_PG=1 but AMTSKOFFER_TEST_PG_URL is not set")


def need_shared(path: Path) -> None:
    """Skip a test whose material from ``../shared`` is missing – but fail in CI, where it is present."""
    if path.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{path} not present (CI expects ../shared next to the clone)")
    pytest.skip(f"{path} not present")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = connect(f"sqlite:///{path}")
    migrate.upgrade(db)
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("PostgreSQL not configured (AMTSKOFFER_TEST_PG_URL)")
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"amtskoffer_tmpl_{_worker()}_{os.getpid()}"
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    db = connect(url)
    migrate.upgrade(db)
    db.dispose()
    yield name
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "amtskoffer.db"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only (for tests about SQLite files, subprocesses, crash safety)."""
    path = tmp_path / "amtskoffer.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


def make_settings(tmp_path: Path, db_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "root": PROJECT_ROOT,
        "database_url": db_url,
        "var_dir": tmp_path / "var",
        "processes_dir": FIXTURES / "packages",
        "forms_dir": FIXTURES / "forms",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return make_settings(tmp_path, db_url)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """An engine on a fresh database with the demo authorities and the fixture packages."""
    from engine.service_layer.core import Engine

    eng = Engine(settings)
    eng.authorities.load_file(PROJECT_ROOT / "demo" / "authorities.toml")
    results = eng.catalog.sync_from_disk()
    rejected = [r for r in results if r.action == "rejected"]
    assert not rejected, [str(p) for r in rejected for p in r.problems]
    yield eng
    eng.close()


@pytest.fixture
def clerk() -> Actor:
    return Actor(name="clerk.test", roles=frozenset({"clerk"}), authority_ids=None, display_name="Test Clerk")


@pytest.fixture
def fixed_clock() -> Iterator[clock.FixedClock]:
    """Pins the engine's clock to 15 Nov 2026, 10:00 Berlin (the worked examples' application day)."""
    c = clock.FixedClock.on(date(2026, 11, 15))
    with clock.using(c):
        yield c
