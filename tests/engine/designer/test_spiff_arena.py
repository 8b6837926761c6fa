"""spiff-arena process-model folders: export, import, and round trips in both directions."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path, PurePosixPath

import pytest

from engine.catalog.package import PackageFiles
from engine.designer.spiff_arena import (
    EXTRAS_FILE,
    MODEL_FILE,
    MODEL_KEYS,
    SPIFF_SUFFIXES,
    SpiffFolder,
    export_spiff,
    import_spiff,
    read_spiff_folder,
    write_spiff_folder,
)
from engine.errors import InputInvalid
from tests.engine.designer.conftest import fixture_package, spiff_model


def as_bytes(folder: SpiffFolder) -> SpiffFolder:
    return SpiffFolder(folder.name, {k: v.encode() if isinstance(v, str) else v for k, v in folder.files.items()})


def test_export_writes_spiff_arenas_layout() -> None:
    folder = export_spiff(fixture_package("beispiel"))
    assert folder.name == "beispiel"
    assert sorted(folder.files) == ["abholung-schema.json", EXTRAS_FILE, "antrag-schema.json", "antrag-uischema.json",
                                    "beispiel.bpmn", "gebuehr.dmn", MODEL_FILE]
    assert all(PurePosixPath(n).suffix in SPIFF_SUFFIXES and "/" not in n for n in folder.files)
    model_text = folder.files[MODEL_FILE]
    model = json.loads(model_text)
    assert tuple(sorted(model)) == MODEL_KEYS
    assert model_text == json.dumps(model, indent=4, sort_keys=True)  # exactly as spiff-arena writes it
    assert model["display_name"] == "Musterantrag (Testverfahren)"
    assert model["primary_process_id"] == "beispiel" and model["primary_file_name"] == "beispiel.bpmn"
    assert model["fault_or_suspend_on_exception"] == "fault" and model["metadata_extraction_paths"] is None
    bpmn = folder.files["beispiel.bpmn"]
    assert 'value="antrag-schema.json"' in bpmn and 'value="antrag-uischema.json"' in bpmn
    assert "antrag.schema.json" not in bpmn
    extras = json.loads(folder.files[EXTRAS_FILE])
    assert tomllib.loads(extras["service_toml"])["leika_key"] == "99000000000000"


def test_documents_and_scenarios_travel_in_the_extras_file() -> None:
    folder = export_spiff(fixture_package("familie"))
    extras = json.loads(folder.files[EXTRAS_FILE])
    assert sorted(extras["files"]) == ["documents/meldebestaetigung.html.j2", "documents/quittung.html.j2"]
    assert not any(n.endswith((".j2", ".toml", ".yaml", ".html")) for n in folder.files)
    folder = export_spiff(fixture_package("register_test"))
    assert list(json.loads(folder.files[EXTRAS_FILE])["files"]) == ["tests/umzug_mit_ausweis.yaml"]


@pytest.mark.parametrize("service_id", ["beispiel", "familie", "nachricht_test", "register_test", "schleife"])
def test_package_to_folder_to_package_keeps_the_content_hash(service_id: str, tmp_path: Path) -> None:
    package = fixture_package(service_id)
    write_spiff_folder(export_spiff(package), tmp_path / service_id)
    back = import_spiff(read_spiff_folder(tmp_path / service_id))
    assert back.notes == ()
    assert back.package.files == package.files
    assert back.package.content_hash == package.content_hash


def test_spiff_arena_model_imports_into_our_layout() -> None:
    imported = import_spiff(spiff_model())
    files = imported.package.files
    assert imported.package.service_id == "meldung_vorpruefung"
    assert sorted(files) == [
        "forms/angaben.schema.json", "forms/angaben.uischema.json", "forms/person.schema.json",
        "forms/vermerk.schema.json", "meldung-vorpruefung.bpmn", "service.toml", "spiff/README.md",
        "spiff/angaben-exampledata.json", "tests/spiff/test_meldung-vorpruefung.json"]
    manifest = tomllib.loads(files["service.toml"])
    assert manifest == {"id": "meldung_vorpruefung", "title": "Meldung vorprüfen", "leika_key": "99000000000000",
                        "entry_process": "Process_vorpruefung_x7k2", "authority_role": "meldebehoerde",
                        "description": manifest["description"]}
    assert manifest["description"].startswith("Vorprüfung einer Meldung")
    assert 'value="angaben.schema.json"' in files["meldung-vorpruefung.bpmn"]
    assert any("Platzhalter" in n for n in imported.notes)


def test_spiff_arena_model_to_package_to_folder_gives_the_same_files(tmp_path: Path) -> None:
    original = spiff_model()
    again = export_spiff(import_spiff(original).package)
    out = tmp_path / "out"
    write_spiff_folder(again, out)
    for name, content in original.files.items():
        assert (out / name).read_bytes() == content, name
    assert sorted(p.name for p in out.iterdir()) == sorted([*original.files, EXTRAS_FILE])


def test_binary_files_are_left_out_and_named(tmp_path: Path) -> None:
    folder = tmp_path / "mit-bild"
    write_spiff_folder(spiff_model(), folder)
    (folder / "ablauf.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    imported = import_spiff(read_spiff_folder(folder), leika_key="99123456789012", authority_role="passbehoerde")
    assert not any("ablauf" in p for p in imported.package.files)
    assert any("ablauf.png" in n and "Binärdateien" in n for n in imported.notes)
    manifest = tomllib.loads(imported.package.files["service.toml"])
    assert manifest["leika_key"] == "99123456789012" and manifest["authority_role"] == "passbehoerde"


def test_spiff_settings_beyond_ours_are_kept(tmp_path: Path) -> None:
    model = json.loads(spiff_model().files[MODEL_FILE])
    model["exception_notification_addresses"] = ["leitstelle@example.org"]
    model["metadata_extraction_paths"] = [{"key": "antragsteller", "path": "antragsteller"}]
    folder = SpiffFolder("meldung-vorpruefung", {**spiff_model().files,
                                                 MODEL_FILE: json.dumps(model, indent=4, sort_keys=True).encode()})
    imported = import_spiff(folder)
    assert "spiff/process_model.json" in imported.package.files
    assert json.loads(export_spiff(imported.package).files[MODEL_FILE]) == model


def test_title_changed_in_spiff_arena_reaches_service_toml() -> None:
    exported = export_spiff(fixture_package("beispiel"))
    model = json.loads(exported.files[MODEL_FILE])
    model["display_name"] = "Musterantrag, überarbeitet"
    files = {**exported.files, MODEL_FILE: json.dumps(model, indent=4, sort_keys=True)}
    imported = import_spiff(as_bytes(SpiffFolder("beispiel", files)))
    manifest = tomllib.loads(imported.package.files["service.toml"])
    assert manifest["title"] == "Musterantrag, überarbeitet"
    assert manifest["leika_key"] == "99000000000000" and manifest["case_title"] == "{{ name | default('') }}"
    assert any("title" in n for n in imported.notes)


def test_unusable_folders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputInvalid) as err:
        read_spiff_folder(tmp_path)
    assert "process_model.json" in err.value.user_message
    with pytest.raises(InputInvalid) as err:
        import_spiff(SpiffFolder("x", {MODEL_FILE: b"{kaputt"}))
    assert "kein gültiges JSON" in err.value.user_message
    with pytest.raises(InputInvalid) as err:
        import_spiff(SpiffFolder("x", {MODEL_FILE: b"{}"}))
    assert "kein BPMN-Diagramm" in err.value.user_message
    with pytest.raises(InputInvalid):
        import_spiff(spiff_model(), leika_key="123")
    (tmp_path / "voll").mkdir()
    (tmp_path / "voll" / "x.txt").write_text("x")
    with pytest.raises(InputInvalid):
        write_spiff_folder(export_spiff(fixture_package("beispiel")), tmp_path / "voll")


def test_package_without_valid_manifest_cannot_be_exported() -> None:
    from engine.errors import DesignError

    with pytest.raises(DesignError) as err:
        export_spiff(PackageFiles("x", {"x.bpmn": "<x/>"}))
    assert "service.toml" in err.value.user_message
