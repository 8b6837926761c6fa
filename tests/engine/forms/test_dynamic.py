"""Option lists taken from the task data (x-options-from)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from engine.errors import InputInvalid
from engine.forms import build_view, load_form, validate_submission
from engine.forms.dynamic import problems, resolve

SCHEMA = {
    "type": "object",
    "required": ["person_id"],
    "properties": {
        "person_id": {
            "type": "string", "title": "Person",
            "x-options-from": {"list": "suche.treffer", "value": "person_id",
                               "label": "{familienname}, {vornamen} (geb. {geburtsdatum})"},
        }
    },
}
DATA = {"suche": {"treffer": [
    {"person_id": "p-1", "familienname": "Tessel", "vornamen": "Anna", "geburtsdatum": date(1950, 3, 1)},
    {"person_id": "p-2", "familienname": "Tessel", "vornamen": "Bernd", "geburtsdatum": "1952-07-09"},
]}}


def form():  # type: ignore[no-untyped-def]
    return load_form(json.dumps(SCHEMA), None, schema_file="forms/wahl.schema.json", ui_file=None)


def test_options_come_from_the_task_data_and_render_as_a_choice() -> None:
    resolved = resolve(form(), DATA)
    view = build_view(resolved, {}, context=DATA)
    (field,) = view.fields
    assert [(v, label) for v, label in field.options if v] == [
        ("p-1", "Tessel, Anna (geb. 01.03.1950)"), ("p-2", "Tessel, Bernd (geb. 09.07.1952)")]
    assert field.widget == "radio"


def test_only_a_listed_value_is_accepted() -> None:
    resolved = resolve(form(), DATA)
    assert validate_submission(resolved, {"person_id": "p-2"}) == {"person_id": "p-2"}
    with pytest.raises(InputInvalid) as err:
        validate_submission(resolved, {"person_id": "p-99"})
    assert "person_id" in err.value.errors


def test_without_a_list_nothing_can_be_chosen() -> None:
    with pytest.raises(InputInvalid):
        validate_submission(resolve(form(), {}), {"person_id": "p-1"})


def test_a_form_without_dynamic_options_is_returned_unchanged() -> None:
    plain = load_form('{"type": "object", "properties": {"a": {"type": "string"}}}', None,
                      schema_file="forms/a.schema.json", ui_file=None)
    assert resolve(plain, DATA) is plain


@pytest.mark.parametrize(("spec", "fragment"), [("treffer", "Objekt"), ({"list": "x", "value": "y"}, "„label“"),
                                                ({"list": "x", "value": "y", "label": "z", "sort": 1}, "sort")])
def test_malformed_declarations_are_reported(spec, fragment) -> None:  # type: ignore[no-untyped-def]
    assert any(fragment in p for p in problems(spec))
