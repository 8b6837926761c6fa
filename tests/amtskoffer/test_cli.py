"""The command line end to end on the sample package (SQLite file, as a clerk would use it offline)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import FIXTURES
from tests.helpers import run_cli as run


def test_sample_runs_end_to_end_through_the_cli(env: dict[str, str]) -> None:
    out = run(env, "init", "--demo")
    assert "Verfahren beispiel: Version 1 (neu veröffentlicht)" in out
    assert "Verfahren beispiel: Version 1 (unverändert)" in run(env, "init")

    started = json.loads(run(env, "case", "start", "beispiel", "-a", "neubukow-salzhaff", "--json"))
    number = started["number"]
    assert started["ready"][0]["spec"] == "antrag_erfassen"

    bad = run(env, "task", "submit", number, "--data", '{"name": "Erika Test", "geburtsdatum": "31.02.1990"}',
              code=2)
    assert "Fehler:" in bad and "geburtsdatum" in bad

    after = json.loads(run(env, "task", "submit", number, "--json", "--data",
                           '{"name": "Erika Test", "geburtsdatum": "1990-05-01", "dringend": true}'))
    assert after["status"] == "waiting"
    assert [w["name"] for w in after["waiting_for"]] == ["bescheid_eingegangen"]

    assert "parked" in run(env, "message", "deliver", "bescheid_eingegangen", "--payload",
                           '{"antrag_nr": "V-0000-NICHTS"}', code=1)
    assert "correlated" in run(env, "message", "deliver", "bescheid_eingegangen", "--payload",
                               json.dumps({"antrag_nr": number}))
    done = json.loads(run(env, "task", "submit", number, "--json", "--data", '{"abgeholt": true}'))
    assert done["status"] == "completed"
    assert done["path"][-1] == "ende_ausgehaendigt"

    shown = run(env, "case", "show", number)
    assert "Status: completed" in shown
    assert "Protokoll unverändert" in run(env, "audit", "verify")

    export = json.loads(run(env, "audit", "export", number))
    assert export["chain"]["verified"] is True
    types = [e["type"] for e in export["events"]]
    assert types[0] == "case_started" and types[-1] == "case_read" and "case_completed" in types
    assert number in run(env, "case", "list")
    assert "beispiel" in run(env, "catalog", "list")
    assert "erledigt" in run(env, "worker", "--once")


def test_catalog_check_reports_problems_and_fails(env: dict[str, str], tmp_path: Path) -> None:
    packages, forms = tmp_path / "packages", tmp_path / "forms"
    shutil.copytree(FIXTURES / "packages" / "beispiel", packages / "beispiel")
    shutil.copytree(FIXTURES / "forms" / "beispiel", forms / "beispiel")
    bpmn = packages / "beispiel" / "beispiel.bpmn"
    bpmn.write_text(bpmn.read_text(encoding="utf-8").replace('id="authority.competent_for"',
                                                             'id="authority.gibts_nicht"'), encoding="utf-8")
    env = {**env, "AMTSKOFFER_PROCESSES": str(packages), "AMTSKOFFER_FORMS": str(forms)}
    out = run(env, "catalog", "check", code=1)
    assert "beispiel: 1 Fehler" in out
    assert "beispiel.bpmn:" in out and "[zustaendigkeit_pruefen]" in out and "unknown-operation" in out
    out = run(env, "init")
    assert "NICHT veröffentlicht" in out


def test_audit_verify_names_the_broken_event(env: dict[str, str]) -> None:
    from sqlalchemy import create_engine, text

    run(env, "init", "--demo")
    run(env, "case", "start", "beispiel", "-a", "neubukow-salzhaff")
    eng = create_engine(env["DATABASE_URL"])
    with eng.begin() as c:
        c.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE global_seq = 3"))
    eng.dispose()
    out = run(env, "audit", "verify", code=1)
    assert "Kette gebrochen bei Ereignis Nr. 3" in out
