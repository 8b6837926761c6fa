"""Service packages as zip files: round trip, layout, and refusal of unsafe archives."""

from __future__ import annotations

import io
import zipfile

import pytest

from engine.designer.archive import MAX_FILES, export_zip, import_zip
from engine.errors import InputInvalid
from tests.engine.designer.conftest import fixture_package


def make_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("service_id", ["beispiel", "familie", "register_test"])
def test_export_then_import_keeps_the_content_hash(service_id: str) -> None:
    package = fixture_package(service_id)
    data = export_zip(package)
    imported = import_zip(data)
    assert imported.package.service_id == service_id
    assert imported.package.files == package.files
    assert imported.package.content_hash == package.content_hash
    assert imported.notes == ()
    assert export_zip(package) == data  # deterministic bytes


def test_zip_layout_is_one_folder_with_the_package_inside() -> None:
    names = zipfile.ZipFile(io.BytesIO(export_zip(fixture_package("familie")))).namelist()
    assert names == sorted(names)
    assert "familie/service.toml" in names and "familie/familie.bpmn" in names
    assert "familie/forms/personen.schema.json" in names
    assert "familie/documents/quittung.html.j2" in names


def test_files_at_the_top_crlf_and_skipped_files() -> None:
    data = make_zip({
        "service.toml": b'id = "probe"\r\ntitle = "Probe"\r\n',
        "probe.bpmn": b"<x/>",
        "logo.png": b"\x89PNG",
        "__MACOSX/._probe.bpmn": b"junk",
        ".hidden.json": b"{}",
    })
    imported = import_zip(data)
    assert imported.package.service_id == "probe"
    assert imported.package.files == {"service.toml": 'id = "probe"\ntitle = "Probe"\n', "probe.bpmn": "<x/>"}
    assert any("logo.png" in n for n in imported.notes)
    assert any(".hidden.json" in n for n in imported.notes)


@pytest.mark.parametrize(("entries", "expected"), [
    ({"../evil/service.toml": b'id = "x"'}, "unzulässigen Pfad"),
    ({"/etc/service.toml": b'id = "x"'}, "unzulässigen Pfad"),
    ({"a/b.bpmn": b"<x/>"}, "service.toml"),
    ({"service.toml": b'id = "x"', "a.bpmn": "\xff".encode("latin-1")}, "UTF-8"),
    ({"service.toml": b'id = "Bad-Id"'}, "gültige Verfahrenskennung"),
])
def test_unusable_archives_are_refused_in_german(entries: dict[str, bytes], expected: str) -> None:
    with pytest.raises(InputInvalid) as err:
        import_zip(make_zip(entries))
    assert expected in err.value.user_message


def test_not_a_zip_and_too_many_files() -> None:
    with pytest.raises(InputInvalid, match="not a zip"):
        import_zip(b"PK\x03\x04 kaputt")
    many = {f"p/{i}.json": b"{}" for i in range(MAX_FILES + 1)}
    with pytest.raises(InputInvalid) as err:
        import_zip(make_zip(many))
    assert f"höchstens {MAX_FILES}" in err.value.user_message


def test_service_id_given_explicitly_wins_and_renames_the_manifest() -> None:
    imported = import_zip(export_zip(fixture_package("beispiel")), service_id="beispiel_kopie")
    assert imported.package.service_id == "beispiel_kopie"
    assert imported.package.files["service.toml"].startswith('id = "beispiel_kopie"\ntitle = "Musterantrag')
    assert imported.notes == ("Die Kennung in service.toml wurde von „beispiel“ auf „beispiel_kopie“ geändert.",)
