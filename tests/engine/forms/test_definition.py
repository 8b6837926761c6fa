"""Loading and checking forms: every broken form is reported with file, pointer and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import DesignError
from engine.forms import FormDefinition, check_form, load_form, read_form
from engine.forms.dialect import DRAFT_07, DRAFT_2020_12

from .helpers import family_schema, make_form

SCHEMA_FILE = "forms/demo/f.schema.json"
UI_FILE = "forms/demo/f.uischema.json"


def base(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": {"vorname": {"type": "string"}, **props}}


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


# (id, schema text, ui text or None, expected file, expected pointer, words in the German message)
BROKEN = [
    ("json-syntax", '{"type": "object",\n  "properties": {,}}', None, SCHEMA_FILE, "", "kein gültiges JSON"),
    ("ui-json-syntax", dumps(base()), '{"vorname": }', UI_FILE, "", "kein gültiges JSON"),
    ("nan-is-not-json", '{"type": "object", "properties": {"a": {"maximum": NaN}}}', None, SCHEMA_FILE, "", "NaN"),
    ("duplicate-key", '{"type": "object",\n "properties": {},\n "properties": {"a": {}}}', None, SCHEMA_FILE,
     "/properties", "doppelt"),
    ("dialect", dumps({**base(), "$schema": "http://json-schema.org/draft-04/schema#"}), None, SCHEMA_FILE,
     "/$schema", "Schema-Dialekt"),
    ("type-typo", dumps(base(x={"type": "strin"})), None, SCHEMA_FILE, "/properties/x/type", "Meinten Sie „string“"),
    ("metaschema", dumps(base(x={"type": "string", "minLength": -1})), None, SCHEMA_FILE,
     "/properties/x/minLength", "minLength"),
    ("ref-nowhere", dumps(base(x={"$ref": "#/$defs/nope"})), None, SCHEMA_FILE, "/properties/x/$ref", "ins Leere"),
    ("ref-remote", dumps(base(x={"$ref": "https://example.org/person.json"})), None, SCHEMA_FILE,
     "/properties/x/$ref", "aus dem Formular hinaus"),
    ("ui-unknown-field", dumps(base()), dumps({"vornmae": {"ui:widget": "text"}}), UI_FILE, "/vornmae",
     "Meinten Sie „vorname“"),
    ("ui-unknown-widget", dumps(base()), dumps({"vorname": {"ui:widget": "txet"}}), UI_FILE,
     "/vorname/ui:widget", "Unbekanntes Eingabeelement „txet“"),
    ("ui-widget-type", dumps(base()), dumps({"vorname": {"ui:widget": "checkbox"}}), UI_FILE,
     "/vorname/ui:widget", "passt nicht"),
    ("ui-select-without-options", dumps(base()), dumps({"vorname": {"ui:widget": "select"}}), UI_FILE,
     "/vorname/ui:widget", "Auswahlwerte"),
    ("ui-order-unknown", dumps(base()), dumps({"ui:order": ["nachname", "*"]}), UI_FILE, "/ui:order/0", "nachname"),
    ("ui-order-incomplete", dumps(base(x={"type": "string"})), dumps({"ui:order": ["x"]}), UI_FILE, "/ui:order",
     "„vorname“"),
    ("ui-unknown-key", dumps(base()), dumps({"vorname": {"ui:widgte": "text"}}), UI_FILE, "/vorname/ui:widgte",
     "Meinten Sie „ui:widget“"),
    ("ui-unsupported-layout", dumps(base()), dumps({"ui:layout": []}), UI_FILE, "/ui:layout", "nicht unterstützt"),
    ("ui-bad-inputmode", dumps(base()), dumps({"vorname": {"ui:inputmode": "zahlen"}}), UI_FILE,
     "/vorname/ui:inputmode", "Tastaturmodus"),
    ("ui-two-autofocus", dumps(base(x={"type": "string"})),
     dumps({"vorname": {"ui:autofocus": True}, "x": {"ui:autofocus": True}}), UI_FILE, "/x", "autofocus"),
    ("required-undefined", dumps({**base(), "required": ["vorname", "nachname"]}), None, SCHEMA_FILE,
     "/required/1", "„nachname“"),
    ("required-in-then-undefined",
     dumps({**base(), "if": {"properties": {"vorname": {"const": "x"}}}, "then": {"required": ["nix"]}}), None,
     SCHEMA_FILE, "/then/required/0", "„nix“"),
    ("dependent-required-undefined", dumps({**base(), "dependentRequired": {"vorname": ["nix"]}}), None,
     SCHEMA_FILE, "/dependentRequired/vorname/0", "„nix“"),
    ("minimumdate-expression", dumps(base(d={"type": "string", "format": "date", "minimumDate": "yesterday"})),
     None, SCHEMA_FILE, "/properties/d/minimumDate", "today-P18Y"),
    ("maximumdate-bad-duration", dumps(base(d={"type": "string", "format": "date", "maximumDate": "today+PT1H"})),
     None, SCHEMA_FILE, "/properties/d/maximumDate", "ungültig"),
    ("minimumdate-not-a-date", dumps(base(d={"type": "string", "minimumDate": "today"})), None, SCHEMA_FILE,
     "/properties/d/minimumDate", "„format“: „date“"),
    ("minimumdate-unknown-field", dumps(base(d={"type": "string", "format": "date", "minimumDate": "field:einzug"})),
     None, SCHEMA_FILE, "/properties/d/minimumDate", "Datumsfeld"),
    ("name-not-identifier", dumps(base(**{"geburts-datum": {"type": "string"}})), None, SCHEMA_FILE,
     "/properties/geburts-datum", "Meinten Sie „geburts_datum“"),
    ("name-umlaut", dumps(base(**{"straße": {"type": "string"}})), None, SCHEMA_FILE, "/properties/straße",
     "Meinten Sie „strasse“"),
    ("name-nested-not-identifier",
     dumps(base(adresse={"type": "object", "properties": {"haus nr": {"type": "string"}}})), None, SCHEMA_FILE,
     "/properties/adresse/properties/haus nr", "Feldname"),
    ("name-of-ref-field", dumps({**base(**{"geburts-datum": {"$ref": "#/$defs/d"}}),
                                 "$defs": {"d": {"type": "string", "format": "date"}}}),
     None, SCHEMA_FILE, "/properties/geburts-datum", "Feldname"),
    ("name-python-keyword", dumps(base(**{"class": {"type": "string"}})), None, SCHEMA_FILE, "/properties/class",
     "Schlüsselwort"),
    ("name-reserved", dumps(base(today={"type": "string"})), None, SCHEMA_FILE, "/properties/today",
     "Skriptfunktion"),
    ("unknown-keyword", dumps(base(x={"type": "string", "minLenght": 3})), None, SCHEMA_FILE,
     "/properties/x/minLenght", "Meinten Sie „minLength“"),
    ("keyword-of-other-dialect",
     dumps({**base(), "$schema": "http://json-schema.org/draft-07/schema#", "dependentRequired": {}}), None,
     SCHEMA_FILE, "/dependentRequired", "draft-07"),
    ("draft07-ref-siblings",
     dumps({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
            "definitions": {"d": {"type": "string", "format": "date"}},
            "properties": {"x": {"$ref": "#/definitions/d", "maximumDate": "today"}}}),
     None, SCHEMA_FILE, "/properties/x/$ref", "allOf"),
    ("din-kind", dumps(base(x={"type": "string", "x-din91379": "Z"})), None, SCHEMA_FILE,
     "/properties/x/x-din91379", "„A“, „B“ oder „C“"),
    ("din-on-number", dumps(base(x={"type": "integer", "x-din91379": "A"})), None, SCHEMA_FILE,
     "/properties/x/x-din91379", "Textfelder"),
    ("bad-regex", dumps(base(x={"type": "string", "pattern": "[a-"})), None, SCHEMA_FILE, "/properties/x/pattern",
     "regulär"),
    ("unchecked-format", dumps(base(x={"type": "string", "format": "time"})), None, SCHEMA_FILE,
     "/properties/x/format", "„time“"),
    ("error-message-type", dumps(base(x={"type": "string", "errorMessage": 3})), None, SCHEMA_FILE,
     "/properties/x/errorMessage", "errorMessage"),
    ("unsupported-if", dumps({**base(), "if": {"properties": {"vorname": {"minLength": 3}}},
                              "then": {"properties": {"y": {"type": "string"}}}}),
     None, SCHEMA_FILE, "/if", "Bedingung"),
    ("condition-unknown-field", dumps({**base(), "if": {"properties": {"nix": {"const": 1}}},
                                       "then": {"properties": {"y": {"type": "string"}}}}),
     None, SCHEMA_FILE, "/then/properties/y", "„nix“"),
    ("fields-only-in-oneof", dumps({**base(), "oneOf": [{"properties": {"y": {"type": "string"}}}]}), None,
     SCHEMA_FILE, "/oneOf/0/properties/y", "oneOf"),
    ("tuple-items", dumps(base(liste={"type": "array", "items": [{"type": "string"}]})), None, SCHEMA_FILE,
     "/properties/liste/items", "items"),
    ("root-not-object", dumps({"type": "string"}), None, SCHEMA_FILE, "", "Objekt"),
    ("no-fields", dumps({"type": "object"}), None, SCHEMA_FILE, "", "keine Felder"),
    ("recursive-ref", dumps({"type": "object", "properties": {"p": {"$ref": "#/$defs/p"}},
                             "$defs": {"p": {"type": "object", "properties": {"kind": {"$ref": "#/$defs/p"}}}}}),
     None, SCHEMA_FILE, None, "verschachtelt"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("schema_text", "ui_text", "file", "pointer", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in BROKEN],
)
def test_broken_form_is_reported_with_location(
    schema_text: str, ui_text: str | None, file: str, pointer: str | None, words: str
) -> None:
    problems = check_form(
        schema_text, ui_text, schema_file=SCHEMA_FILE, ui_file=UI_FILE if ui_text else None,
        reserved=frozenset({"today", "date"}),
    )  # fmt: skip
    matching = [p for p in problems if words in p.user_message]
    assert matching, problems
    problem = matching[0]
    assert problem.file == file
    if pointer is not None:
        assert problem.pointer == pointer
    assert problem.line is not None and problem.line >= 1
    assert problem.message and "„" not in problem.message  # English, for logs


def test_all_problems_are_reported_at_once() -> None:
    schema = base(x={"type": "strin"}, y={"$ref": "#/nope"}, z={"type": "string", "minLenght": 1})
    schema["required"] = ["nix"]
    ui = {"vornmae": {}, "vorname": {"ui:widget": "txet"}}
    problems = check_form(dumps(schema), dumps(ui), schema_file=SCHEMA_FILE, ui_file=UI_FILE)
    pointers = {(p.file, p.pointer) for p in problems}
    assert {
        (SCHEMA_FILE, "/properties/x/type"),
        (SCHEMA_FILE, "/properties/y/$ref"),
        (SCHEMA_FILE, "/properties/z/minLenght"),
        (SCHEMA_FILE, "/required/0"),
        (UI_FILE, "/vornmae"),
        (UI_FILE, "/vorname/ui:widget"),
    } <= pointers


def test_line_points_at_the_offending_entry() -> None:
    text = dumps(base(x={"type": "string", "minLenght": 3}))
    (problem,) = check_form(text, None, schema_file=SCHEMA_FILE, ui_file=None)
    assert text.splitlines()[problem.line - 1].strip().startswith('"minLenght"')


def test_json_syntax_error_has_line_and_column() -> None:
    with pytest.raises(DesignError) as caught:
        load_form('{\n  "type": "object",\n  "properties": {\n    "a": {"type": "string",}\n  }\n}', None,
                  schema_file=SCHEMA_FILE, ui_file=None)  # fmt: skip
    err = caught.value
    assert err.context["file"] == SCHEMA_FILE
    assert (err.context["line"], err.context["column"]) == (4, 28)
    assert "Zeile 4" in err.user_message


def test_load_form_raises_design_error_with_pointer_and_all_problems() -> None:
    schema = base(x={"type": "string", "minLenght": 3})
    schema["required"] = ["nix"]
    with pytest.raises(DesignError) as caught:
        load_form(dumps(schema), None, schema_file=SCHEMA_FILE, ui_file=None)
    err = caught.value
    assert err.context["file"] == SCHEMA_FILE
    assert err.context["pointer"] in {"/properties/x/minLenght", "/required/0"}
    assert len(err.context["problems"]) == 2
    assert "Formular forms/demo/f.schema.json, Zeile" in err.user_message


@pytest.mark.parametrize(("dialect", "expected"), [("2020-12", DRAFT_2020_12), ("draft-07", DRAFT_07)])
def test_valid_family_form_loads_in_both_dialects(dialect: str, expected: str) -> None:
    assert check_form(dumps(family_schema(dialect)), None, schema_file=SCHEMA_FILE, ui_file=None) == []
    form = make_form(family_schema(dialect), name="familie")
    assert isinstance(form, FormDefinition)
    assert form.dialect == expected
    assert form.name == "familie"
    assert form.field_names == ("einzugsdatum", "personen")
    assert form.field_at("personen/3/geburtsdatum").schema["format"] == "date"


def test_schema_without_dollar_schema_is_2020_12() -> None:
    assert make_form(base()).dialect == DRAFT_2020_12


@pytest.mark.parametrize(
    "uri",
    ["https://json-schema.org/draft/2020-12/schema", "http://json-schema.org/draft-07/schema#",
     "http://json-schema.org/draft-07/schema"],
)  # fmt: skip
def test_supported_dialect_uris(uri: str) -> None:
    assert check_form(dumps({**base(), "$schema": uri}), None, schema_file=SCHEMA_FILE, ui_file=None) == []


def test_reserved_names_only_matter_at_top_level() -> None:
    nested = base(adresse={"type": "object", "properties": {"date": {"type": "string"}}})
    assert check_form(dumps(nested), None, schema_file=SCHEMA_FILE, ui_file=None, reserved=frozenset({"date"})) == []


def test_read_form_finds_the_ui_schema_beside_it(tmp_path: Path) -> None:
    folder = tmp_path / "forms" / "demo"
    folder.mkdir(parents=True)
    (folder / "person.schema.json").write_text(dumps(base()), encoding="utf-8")
    (folder / "person.uischema.json").write_text(dumps({"vorname": {"ui:help": "Wie im Ausweis"}}), encoding="utf-8")
    form = read_form(folder / "person.schema.json")
    assert form.name == "person"
    assert form.ui_schema == {"vorname": {"ui:help": "Wie im Ausweis"}}
    assert form.ui_file == str(folder / "person.uischema.json")


def test_read_form_without_ui_schema(tmp_path: Path) -> None:
    (tmp_path / "x.schema.json").write_text(dumps(base()), encoding="utf-8")
    form = read_form(tmp_path / "x.schema.json")
    assert (form.ui_schema, form.ui_file) == ({}, None)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["string", "object", "#/x", "today", "a"]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(
        st.sampled_from(["type", "properties", "items", "$ref", "required", "if", "then", "else", "allOf", "oneOf",
                         "enum", "const", "minimumDate", "x-din91379", "ui:widget", "ui:order", "a", "b",
                         "dependentSchemas", "format", "$defs", "errorMessage"]),
        inner,
        max_size=4,
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(schema=json_values, ui=json_values)
def test_check_form_never_raises(schema: Any, ui: Any) -> None:
    problems = check_form(json.dumps(schema), json.dumps(ui), schema_file=SCHEMA_FILE, ui_file=UI_FILE)
    assert all(p.user_message for p in problems)
