"""``amtskoffer register …``, the demo residents of ``init --demo`` and ``amtskoffer test-service``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import FIXTURES
from tests.helpers import run_cli as run


def test_demo_residents_search_and_show(env: dict[str, str]) -> None:
    out = run(env, "init", "--demo")
    assert "Demo-Einwohner: " in out and " neu (feldberger-seenlandschaft " in out
    assert "Demo-Einwohner: 0 neu" in run(env, "register", "demo")  # idempotent

    hits = json.loads(run(env, "register", "search", "Mustermeyer", "--json"))
    assert hits and {h["treffer_art"] for h in hits} <= {"exakt", "gefaltet", "phonetisch", "namensteil",
                                                          "phonetisch_namensteil"}
    first = hits[0]
    listing = run(env, "register", "search", "Mustermeyer")
    assert f"{first['familienname']}, {first['vornamen']}" in listing and listing.rstrip().endswith(
        f"{len(hits)} Treffer")
    shown = run(env, "register", "show", first["person_id"])
    assert first["vornamen"] in shown and "Geführt von: " in shown and "Wohnung (" in shown
    record = json.loads(run(env, "register", "show", first["person_id"], "--json"))
    assert record["person_id"] == first["person_id"]
    assert "nicht im Melderegister" in run(env, "register", "show", "00000000-0000-0000-0000-000000000001", code=2)
    # Searches and reads outside a case are logged (the failed read is not a read).
    db = create_engine(env["DATABASE_URL"])
    with db.connect() as c:
        logged = c.execute(text("SELECT type, actor FROM audit_event WHERE type LIKE 'register_%' "
                                "AND type <> 'register_demo_loaded' ORDER BY global_seq")).all()
    db.dispose()
    assert [tuple(r) for r in logged] == [("register_searched", "cli")] * 2 + [("register_person_read", "cli")] * 2


def test_test_service_runs_scenarios_and_fails_on_a_failing_one(env: dict[str, str], tmp_path: Path) -> None:
    out = run(env, "test-service", "register_test")
    assert "OK     Umzug von Lützow nach Rerik" in out and "1 Testfälle, alle bestanden" in out

    packages, forms = tmp_path / "packages", tmp_path / "forms"
    shutil.copytree(FIXTURES / "packages" / "register_test", packages / "register_test")
    shutil.copytree(FIXTURES / "forms" / "register_test", forms / "register_test")
    scenario = packages / "register_test" / "tests" / "umzug_mit_ausweis.yaml"
    scenario.write_text(scenario.read_text(encoding="utf-8").replace("status: completed", "status: waiting"),
                        encoding="utf-8")
    env = {**env, "AMTSKOFFER_PROCESSES": str(packages), "AMTSKOFFER_FORMS": str(forms)}
    out = run(env, "test-service", code=1)
    assert "FEHLER Umzug von Lützow nach Rerik" in out
    assert "Status: erwartet „waiting“, tatsächlich „completed“." in out
    assert "1 Testfälle, 1 fehlgeschlagen" in out
    assert "Unbekannte Verfahren: gibtsnicht" in run(env, "test-service", "gibtsnicht", code=2)
