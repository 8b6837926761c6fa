"""Builders for form tests: a family form in both dialects, and a browser that submits a FormView."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from engine.forms import FieldView, FormDefinition, FormView, load_form

TODAY = date(2026, 11, 15)
"""The fixed day of the tests (engine.clock.FixedClock.on(TODAY))."""

PERSON = {
    "type": "object",
    "title": "Person",
    "required": ["vorname", "familienname", "geburtsdatum"],
    "properties": {
        "vorname": {"type": "string", "title": "Vorname", "x-din91379": "A", "maxLength": 40},
        "familienname": {"type": "string", "title": "Familienname", "x-din91379": "A"},
        "geburtsdatum": {
            "type": "string",
            "format": "date",
            "title": "Geburtsdatum",
            "maximumDate": "today",
            "minimumDate": "today-P130Y",
        },
    },
}

FAMILY = {
    "title": "Anmeldung einer Familie",
    "type": "object",
    "required": ["einzugsdatum", "personen"],
    "properties": {
        "einzugsdatum": {"type": "string", "format": "date", "title": "Einzugsdatum"},
        "personen": {
            "type": "array",
            "title": "Personen",
            "minItems": 1,
            "maxItems": 4,
            "items": {"$ref": "#/$defs/person"},
        },
    },
    "$defs": {"person": PERSON},
}


def family_schema(dialect: str = "2020-12") -> dict[str, Any]:
    """The family form; draft-07 spells ``$defs`` as ``definitions`` and declares itself."""
    schema = copy.deepcopy(FAMILY)
    if dialect == "draft-07":
        schema["$schema"] = "http://json-schema.org/draft-07/schema#"
        schema["definitions"] = schema.pop("$defs")
        schema["properties"]["personen"]["items"] = {"$ref": "#/definitions/person"}
    return schema


def make_form(
    schema: dict[str, Any], ui: dict[str, Any] | None = None, *, name: str = "test", reserved: Iterable[str] = ()
) -> FormDefinition:
    return load_form(
        json.dumps(schema, indent=2, ensure_ascii=False),
        json.dumps(ui, indent=2, ensure_ascii=False) if ui is not None else None,
        schema_file=f"forms/demo/{name}.schema.json",
        ui_file=f"forms/demo/{name}.uischema.json" if ui is not None else None,
        reserved=frozenset(reserved),
    )


def person(vorname: str = "Anna", familienname: str = "Schmidt", geburtsdatum: str = "1980-04-01") -> dict[str, str]:
    return {"vorname": vorname, "familienname": familienname, "geburtsdatum": geburtsdatum}


class MultiDict:
    """The part of werkzeug's MultiDict that parse_posted uses, without importing a web framework."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self.pairs = list(pairs)

    def getlist(self, key: str) -> list[str]:
        return [v for k, v in self.pairs if k == key]

    def keys(self) -> list[str]:
        return list(dict.fromkeys(k for k, _ in self.pairs))


def browser_post(view: FormView) -> MultiDict:
    """What a browser submits for the rendered view, unchanged by the user.

    Like a real browser it also submits inputs hidden by CSS (the server must ignore them),
    never submits display-only fields, and submits a checkbox only when it is ticked.
    """
    pairs: list[tuple[str, str]] = []
    for field in view.walk():
        pairs += _inputs(field)
    return MultiDict(pairs)


def _inputs(field: FieldView) -> list[tuple[str, str]]:
    options = [value for value, _ in field.options]
    if field.kind == "row":
        return [(field.name, "1")]
    if field.kind != "input" or field.readonly:
        return []
    if field.input_type == "checkbox":
        return [(field.name, "true")] if field.value == "true" else []
    if field.input_type == "checkboxes":
        return [(field.name, v) for v in options if v in field.values]  # in page order
    if field.input_type == "radio":
        return [(field.name, field.value)] if field.value in options else []
    if field.input_type == "select":
        # the template offers an empty first option, which a browser submits when nothing matches
        return [(field.name, field.value if field.value in options else "")]
    return [(field.name, field.value)]
