"""The designer and auditor commands end to end (SQLite file, as an operator would use them)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from tests.engine.designer.conftest import SPIFF_MODEL
from tests.helpers import run_cli as run


def renamed_zip(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.endswith("beispiel.bpmn"):
                content = content.replace(b'name="Alter berechnen"', b'name="Alter ermitteln"')
            target.writestr(info, content)
    return out.getvalue()


def test_export_import_diff_and_dossier(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "init", "--demo")
    archive = tmp_path / "beispiel.zip"
    assert "exportiert" in run(env, "service", "export", "beispiel", str(archive))
    changed = tmp_path / "geaendert.zip"
    changed.write_bytes(renamed_zip(archive.read_bytes()))
    out = run(env, "service", "import", str(changed), "--publish", "Aufgabe umbenannt")
    assert "0 Fehler" in out and "Version 2 neu veröffentlicht." in out
    assert "1 Elemente geändert" in out
    diff = run(env, "service", "diff", "beispiel", "1", "2")
    assert "changed  alter_berechnen (scriptTask, beispiel.bpmn)" in diff
    assert "Name: Alter berechnen → Alter ermitteln" in diff
    assert json.loads(run(env, "service", "diff", "beispiel", "1", "2", "--json"))["elements"][0]["id"] == (
        "alter_berechnen")
    assert "gibt es Version 9 nicht" in run(env, "service", "diff", "beispiel", "1", "9", code=2)

    folder = tmp_path / "spiff"
    assert "Dateien nach" in run(env, "service", "export-spiff", "beispiel", str(folder))
    assert (folder / "process_model.json").is_file() and (folder / "antrag-schema.json").is_file()
    out = run(env, "service", "import-spiff", str(folder), "--service-id", "beispiel_zwei", "--publish", "Kopie")
    assert "Version 1 neu veröffentlicht." in out

    started = json.loads(run(env, "case", "start", "beispiel", "-a", "neubukow-salzhaff", "--json"))
    pdf, data = tmp_path / "akte.pdf", tmp_path / "akte.json"
    run(env, "audit", "dossier", started["number"], "--pdf", str(pdf), "--json", str(data))
    assert pdf.read_bytes().startswith(b"%PDF-")
    dossier = json.loads(data.read_text(encoding="utf-8"))
    assert dossier["vorgang"]["nummer"] == started["number"] and dossier["vorgang"]["version"] == 2
    assert [e["typ"] for e in dossier["verlauf"]].count("case_read") == 1  # one export, one logged read


def test_spiff_arena_model_import_runs_its_unit_tests(env: dict[str, str]) -> None:
    run(env, "init")
    out = run(env, "service", "import-spiff", str(SPIFF_MODEL))
    assert out.count("bestanden") == 3 and "FEHLGESCHLAGEN" not in out
    assert "unknown-operation" in out and "Platzhalter" in out
    refused = run(env, "service", "import-spiff", str(SPIFF_MODEL), "--publish", "Versuch", code=2)
    assert "kann nicht veröffentlicht werden" in refused
