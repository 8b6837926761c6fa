"""engine/xoev/input_schema.py: German messages per field, DIN SPEC 91379 and code list keywords."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from engine.settings import Settings
from engine.xoev.codelists import CodeListRegistry
from engine.xoev.input_schema import input_errors, make_validator, normalize, unchecked_strings

SETTINGS = Settings()
REGISTRY = CodeListRegistry.load(SETTINGS.message_types_dir.parent / "codelists", SETTINGS.xoev_schema_dir)
SCHEMA = {
    "type": "object",
    "required": ["name", "geschlecht", "geboren"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1, "x-din91379": "A"},
        "geschlecht": {"type": "string", "x-codelist": "urn:xoev-de:xinneres:codeliste:geschlecht"},
        "geboren": {"type": "string", "format": "partial-date"},
        "tag": {"type": "string", "format": "date"},
        "zeitpunkt": {"type": "string", "format": "date-time"},
        "kinder": {"type": "array", "items": {"type": "string", "x-din91379": "A"}},
    },
}


def errors(data: object) -> dict[str, list[str]]:
    return input_errors(make_validator(SCHEMA, REGISTRY, SETTINGS.xoev_schema_dir), normalize(data))


def test_valid_input_has_no_errors() -> None:
    assert errors({"name": "Beispielfrau", "geschlecht": "w", "geboren": "1984-08",
                   "zeitpunkt": "2025-11-03T09:41:07.250+01:00", "kinder": ["Lotta"]}) == {}


def test_missing_and_unknown_fields_are_named() -> None:
    assert errors({"geschlecht": "w", "geboren": "1984", "extra": 1}) == {
        "extra": ["Dieses Feld ist nicht vorgesehen."],
        "name": ["Pflichtangabe fehlt."],
    }


def test_din_characters_and_codes_are_checked_per_field() -> None:
    result = errors({"name": "Жанна", "geschlecht": "q", "geboren": "1984", "kinder": ["Max", "Ǆemal"]})
    assert result["name"] == ["Enthält Zeichen, die nach DIN SPEC 91379 nicht zulässig sind: „Ж“ (U+0416), "
                              "„а“ (U+0430), „н“ (U+043D)."]
    assert result["kinder/1"] == ["Enthält Zeichen, die nach DIN SPEC 91379 nicht zulässig sind: „Ǆ“ (U+01C4)."]
    assert result["geschlecht"] == ["Der Schlüssel „q“ ist in der Codeliste "
                                    "urn:xoev-de:xinneres:codeliste:geschlecht (Version 1) nicht enthalten."]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("geboren", "1984-13", "Bitte ein Datum als JJJJ, JJJJ-MM oder JJJJ-MM-TT angeben."),
    ("geboren", "1984-02-30", "Bitte ein Datum als JJJJ, JJJJ-MM oder JJJJ-MM-TT angeben."),
    ("tag", "03.11.2025", "Bitte ein Datum im Format JJJJ-MM-TT angeben."),
    ("zeitpunkt", "2025-11-03T09:41:07", "Bitte einen Zeitpunkt mit Uhrzeit und Zeitzone angeben."),
    ("name", "", "Darf nicht leer sein."),
    ("kinder", "Max", "Erwartet wird: Liste."),
])
def test_formats_and_types_give_german_messages(field: str, value: str, message: str) -> None:
    data = {"name": "Max", "geschlecht": "m", "geboren": "1984", field: value}
    assert errors(data)[field] == [message]


def test_normalize_makes_json_and_nfc() -> None:
    moment = datetime(2025, 11, 3, 9, 41, 7, 250000, tzinfo=timezone(timedelta(hours=1)))
    assert normalize({"n": "A\u0308", "d": date(2025, 1, 2), "t": moment, "l": ("x",)}) == {
        "n": "Ä", "d": "2025-01-02", "t": "2025-11-03T09:41:07.250+01:00", "l": ["x"]}


def test_unchecked_strings_are_found() -> None:
    schema = {"properties": {"ok": {"type": "string", "x-din91379": "B"}, "free": {"type": "string"},
                             "list": {"items": {"type": ["string", "null"]}}}}
    assert unchecked_strings(schema) == ["/properties/free", "/properties/list/items"]
