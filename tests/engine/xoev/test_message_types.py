"""engine/xoev/message_types.py and check_message_types: broken folders are found and located."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.errors import DesignError
from engine.settings import Settings
from engine.xoev.generate import check_message_types, message_types

SETTINGS = Settings()
TYPE = "fortschreibung.dokument.0006"


def test_shipped_message_types_have_no_problems() -> None:
    assert check_message_types(SETTINGS) == []


def test_metadata_is_loaded() -> None:
    mtype = message_types(SETTINGS)["statistik.wanderung.0810"]
    assert (mtype.code, mtype.root_element, mtype.default_reader_role) == (
        "0810", "statistik.wanderung.0810", "statistisches_landesamt")
    assert mtype.rechtsgrundlage == "§ 4 BevStatG"
    assert mtype.title_de.startswith("Wanderungsmeldung")
    assert mtype.input_schema["$schema"].endswith("2020-12/schema")


@pytest.fixture
def copy_of_types(tmp_path: Path) -> Callable[[], Settings]:
    root = tmp_path / "messages"
    shutil.copytree(SETTINGS.message_types_dir, root)
    shutil.copytree(SETTINGS.message_types_dir.parent / "codelists", tmp_path / "codelists")

    def settings() -> Settings:
        return SETTINGS.with_(message_types_dir=root)

    settings.root = root  # type: ignore[attr-defined]
    return settings


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("file", "old", "new", "expected"), [
    ("template.xml.j2", "{{ x.ausweisdokument(", "{{ x.ausweisdokument((", "template.xml.j2, Zeile"),
    ("template.xml.j2", '"xmeld:ausweisdokument"', '"xmeld:personaldokument"', "entspricht nicht dem XMeld-Schema"),
    ("input.schema.json", '"pattern": "^[0-9A-Z]{6,10}$"', '"maxLength": 10', "Textfelder ohne Zeichenprüfung"),
    ("input.schema.json", '"type": "object"', '"type": "objekt"', "kein gültiges JSON-Schema"),
    ("example.json", '"passart": "01"', '"passart": "99"', "Das Beispiel ist ungültig – dokument/passart"),
    ("message.toml", 'code = "0006"', 'code = "0007"', "passt nicht zum Nachrichtentyp"),
])
def test_check_reports_the_broken_file(copy_of_types: Callable[[], Settings], file: str, old: str, new: str,
                                       expected: str) -> None:
    folder = copy_of_types.root / TYPE  # type: ignore[attr-defined]
    _edit(folder / file, old, new)
    problems = check_message_types(copy_of_types())
    assert [p.message_type for p in problems] == [TYPE]
    assert expected in problems[0].message
    if "Beispiel" in expected or "XMeld-Schema" in expected:
        return  # only building the example shows these; the type itself loads
    with pytest.raises(DesignError):
        message_types(copy_of_types())  # loading refuses a broken type as well


def test_changed_files_are_picked_up_without_restart(copy_of_types: Callable[[], Settings]) -> None:
    settings = copy_of_types()
    assert message_types(settings)[TYPE].title_de.startswith("Übernahme")
    toml = copy_of_types.root / TYPE / "message.toml"  # type: ignore[attr-defined]
    _edit(toml, 'title_de = "Übernahme', 'title_de = "Geändert: Übernahme')
    assert message_types(settings)[TYPE].title_de.startswith("Geändert")


def test_example_json_must_name_author_reader_and_data(copy_of_types: Callable[[], Settings]) -> None:
    example = copy_of_types.root / TYPE / "example.json"  # type: ignore[attr-defined]
    example.write_text(json.dumps({"data": {}}), encoding="utf-8")
    problems = check_message_types(copy_of_types())
    assert problems and "author, reader und data" in problems[0].message
