"""The render model, posted names, row buttons, and the round trip through a browser."""

from __future__ import annotations

import functools
import string
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine import clock
from engine.clock import BERLIN
from engine.errors import InputInvalid
from engine.forms import (
    ADD_ROW,
    REMOVE_ROW,
    FieldView,
    RowAction,
    ShowWhen,
    apply_row_action,
    build_view,
    data_path,
    html_name,
    parse_posted,
    row_action,
    to_form_values,
    validate_submission,
)

from .helpers import TODAY, MultiDict, browser_post, family_schema, make_form, person


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    with clock.using(clock.FixedClock.on(TODAY)):
        yield


MELDESCHEIN = {
    "title": "Meldeschein",
    "description": "Angaben zur meldepflichtigen Person",
    "type": "object",
    "required": ["familienname", "geburtsdatum", "zustimmung"],
    "properties": {
        "familienname": {"type": "string", "title": "Familienname", "x-din91379": "A", "maxLength": 40},
        "vornamen": {"type": "string", "title": "Vornamen", "description": "Alle Vornamen", "x-din91379": "A"},
        "geburtsdatum": {"type": "string", "format": "date", "title": "Geburtsdatum", "maximumDate": "today",
                         "minimumDate": "today-P130Y"},
        "termin": {"type": "string", "format": "date-time", "title": "Termin"},
        "kinder": {"type": "integer", "title": "Anzahl Kinder", "minimum": 0, "maximum": 20, "default": 0},
        "groesse": {"type": "number", "title": "Größe in m"},
        "email": {"type": "string", "format": "email", "title": "E-Mail"},
        "bemerkung": {"type": "string", "title": "Bemerkung", "maxLength": 200},
        "zustimmung": {"type": "boolean", "title": "Angaben sind richtig"},
        "newsletter": {"type": "boolean", "title": "Newsletter"},
        "familienstand": {"title": "Familienstand", "enum": ["ledig", "verheiratet", "geschieden", "verwitwet",
                                                            "eingetragene Lebenspartnerschaft"]},
        "geschlecht": {"title": "Geschlecht", "oneOf": [{"const": "m", "title": "männlich"},
                                                         {"const": "w", "title": "weiblich"},
                                                         {"const": "d", "title": "divers"}]},
        "staatsangehoerigkeiten": {"type": "array", "title": "Staatsangehörigkeiten", "uniqueItems": True,
                                   "items": {"enum": ["deutsch", "polnisch", "ukrainisch"]}},
        "adresse": {"type": "object", "title": "Anschrift", "required": ["strasse"],
                    "properties": {"strasse": {"type": "string", "title": "Straße", "x-din91379": "B"},
                                   "plz": {"type": "string", "title": "PLZ", "pattern": "^[0-9]{5}$"}}},
        "telefon": {"type": "array", "title": "Telefon", "items": {"type": "string"}, "maxItems": 3},
        "personen": {"type": "array", "title": "Mitziehende", "items": {
            "type": "object", "title": "Person", "required": ["vorname"],
            "properties": {"vorname": {"type": "string", "title": "Vorname", "x-din91379": "A"},
                           "geburtsdatum": {"type": "string", "format": "date"},
                           "minderjaehrig": {"type": "boolean"}}}},
        "hat_vorwohnung": {"type": "boolean", "title": "Vorwohnung"},
    },
    "if": {"properties": {"hat_vorwohnung": {"const": True}}, "required": ["hat_vorwohnung"]},
    "then": {"properties": {"vorwohnung_ort": {"type": "string", "title": "Ort", "x-din91379": "B"}},
             "required": ["vorwohnung_ort"]},
}  # fmt: skip

MELDESCHEIN_UI = {
    "ui:order": ["familienname", "vornamen", "geburtsdatum", "*", "zustimmung"],
    "familienname": {"ui:autofocus": True, "ui:autocomplete": "family-name", "ui:help": "Wie im Ausweis"},
    "vornamen": {"ui:placeholder": "z. B. Anna Maria"},
    "bemerkung": {"ui:widget": "textarea", "ui:rows": 4},
    "telefon": {"items": {"ui:widget": "tel"}},
    "geschlecht": {"ui:enumNames": ["Mann", "Frau", "Divers"]},
    "kinder": {"ui:inputmode": "decimal"},
}


@functools.cache
def meldeschein_form() -> Any:
    return make_form(MELDESCHEIN, MELDESCHEIN_UI, name="meldeschein")


@pytest.fixture
def meldeschein() -> Any:
    return meldeschein_form()


def field(view: Any, path: str) -> FieldView:
    found = view.find(path)
    assert found is not None, path
    return found


# --------------------------------------------------------------------------------------------
# The view


def test_form_title_description_and_order(meldeschein: Any) -> None:
    view = build_view(meldeschein)
    assert (view.title, view.description) == ("Meldeschein", "Angaben zur meldepflichtigen Person")
    names = [f.name for f in view.fields]
    assert names[:3] == ["familienname", "vornamen", "geburtsdatum"]
    assert names[-1] == "zustimmung"
    assert names[3:6] == ["termin", "kinder", "groesse"]  # "*" keeps schema order
    assert names[-2] == "vorwohnung_ort"  # conditional fields follow the fields that are always shown


def test_input_attributes_come_from_schema_ui_schema_and_widget(meldeschein: Any) -> None:
    view = build_view(meldeschein)
    familienname = field(view, "familienname")
    assert (familienname.label, familienname.help, familienname.required) == ("Familienname", "Wie im Ausweis", True)
    assert (familienname.autofocus, familienname.autocomplete) == (True, "family-name")
    assert familienname.id == "f-familienname"
    vornamen = field(view, "vornamen")
    assert (vornamen.help, vornamen.placeholder, vornamen.required, vornamen.autofocus) == (
        "Alle Vornamen", "z. B. Anna Maria", False, False,
    )  # fmt: skip
    geburtsdatum = field(view, "geburtsdatum")
    assert (geburtsdatum.widget, geburtsdatum.input_type, geburtsdatum.placeholder) == ("date", "text", "TT.MM.JJJJ")
    assert (field(view, "kinder").widget, field(view, "kinder").inputmode) == ("integer", "decimal")
    assert field(view, "groesse").inputmode == "decimal"
    assert (field(view, "bemerkung").input_type, field(view, "bemerkung").rows) == ("textarea", 4)
    assert field(view, "email").input_type == "email"


def test_options_of_choice_widgets(meldeschein: Any) -> None:
    view = build_view(meldeschein)
    assert field(view, "familienstand").widget == "select"
    assert field(view, "familienstand").options[0] == ("ledig", "ledig")
    geschlecht = field(view, "geschlecht")
    assert geschlecht.widget == "radio"
    assert geschlecht.options == (("m", "Mann"), ("w", "Frau"), ("d", "Divers"))
    staaten = field(view, "staatsangehoerigkeiten")
    assert (staaten.widget, staaten.input_type) == ("checkboxes", "checkboxes")
    assert [v for v, _ in staaten.options] == ["deutsch", "polnisch", "ukrainisch"]


def test_values_are_shown_as_input_text(meldeschein: Any) -> None:
    values = to_form_values(
        meldeschein,
        {
            "familienname": "Müller",
            "geburtsdatum": date(1950, 2, 1),
            "termin": datetime(2026, 11, 20, 9, 15, tzinfo=UTC),
            "groesse": 1.75,
            "zustimmung": True,
            "staatsangehoerigkeiten": ["polnisch"],
            "geschlecht": "w",
        },
    )
    view = build_view(meldeschein, values)
    assert field(view, "familienname").value == "Müller"
    assert field(view, "geburtsdatum").value == "01.02.1950"
    assert field(view, "termin").value == "20.11.2026 10:15"
    assert field(view, "groesse").value == "1,75"
    assert field(view, "zustimmung").value == "true"
    assert field(view, "newsletter").value == "false"
    assert field(view, "staatsangehoerigkeiten").values == ("polnisch",)
    assert field(view, "geschlecht").value == "w"
    assert field(view, "kinder").value == "0"  # the schema default, since there is no value


def test_posted_text_is_shown_as_typed(meldeschein: Any) -> None:
    view = build_view(meldeschein, {"geburtsdatum": "31.02.1950", "kinder": "zwei", "zustimmung": "on"})
    assert field(view, "geburtsdatum").value == "31.02.1950"
    assert field(view, "kinder").value == "zwei"
    assert field(view, "zustimmung").value == "true"


def test_errors_are_attached_to_fields_and_summarised(meldeschein: Any) -> None:
    errors = {
        "geburtsdatum": ["Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ)."],
        "familienname": ["Bitte füllen Sie dieses Feld aus."],
        "": ["Bitte prüfen Sie die Angaben."],
        "gibt_es_nicht": ["Verlorene Meldung."],
    }
    view = build_view(meldeschein, {}, errors)
    assert field(view, "geburtsdatum").errors == ("Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ).",)
    assert view.form_errors == ("Bitte prüfen Sie die Angaben.", "Verlorene Meldung.")
    assert [(e.id, e.label) for e in view.error_summary] == [
        ("", ""),
        ("", ""),
        ("f-familienname", "Familienname"),
        ("f-geburtsdatum", "Geburtsdatum"),
    ]


def test_error_of_a_row_field_is_found_in_its_row() -> None:
    form = make_form(family_schema())
    values = {"personen": [person(), person()]}
    view = build_view(form, values, {"personen/1/geburtsdatum": ["Zu früh."], "personen": ["Zu wenige."]})
    assert field(view, "personen/1/geburtsdatum").errors == ("Zu früh.",)
    assert field(view, "personen/1/geburtsdatum").name == "personen-1-geburtsdatum"
    assert field(view, "personen").errors == ("Zu wenige.",)
    assert view.form_errors == ()
    assert [(e.id, e.label) for e in view.error_summary] == [
        ("f-personen", "Personen"),
        ("f-personen-1-geburtsdatum", "Person 2 – Geburtsdatum"),
    ]


def test_list_of_objects_has_rows_with_add_and_remove() -> None:
    form = make_form(family_schema())
    view = build_view(form, {})
    personen = field(view, "personen")
    assert (personen.kind, personen.min_items, personen.max_items) == ("list", 1, 4)
    (row,) = personen.children  # padded to minItems
    assert (row.kind, row.name, row.label, row.can_remove) == ("row", "personen-0", "Person 1", False)
    assert [c.name for c in row.children] == [
        "personen-0-vorname",
        "personen-0-familienname",
        "personen-0-geburtsdatum",
    ]
    assert personen.can_add

    full = field(build_view(form, {"personen": [person()] * 4}), "personen")
    assert not full.can_add
    assert all(r.can_remove for r in full.children)


def test_list_of_single_values_has_one_input_per_row(meldeschein: Any) -> None:
    view = build_view(meldeschein, {"telefon": ["0381 1", "0171 2"]})
    telefon = field(view, "telefon")
    assert [(c.kind, c.name, c.widget, c.value, c.label) for c in telefon.children] == [
        ("input", "telefon-0", "tel", "0381 1", "Telefon 1"),
        ("input", "telefon-1", "tel", "0171 2", "Telefon 2"),
    ]


def test_nested_object_is_a_group(meldeschein: Any) -> None:
    adresse = field(build_view(meldeschein, {"adresse": {"strasse": "Am Markt 1"}}), "adresse")
    assert adresse.kind == "group"
    assert [(c.name, c.value, c.required) for c in adresse.children] == [
        ("adresse-strasse", "Am Markt 1", True),
        ("adresse-plz", "", False),
    ]


def test_readonly_field_shows_the_task_data() -> None:
    form = make_form({"type": "object", "properties": {"gebuehr": {"type": "number", "readOnly": True}}})
    view = build_view(form, {"gebuehr": "0"}, context={"gebuehr": 12.5})
    assert (field(view, "gebuehr").value, field(view, "gebuehr").readonly) == ("12,5", True)
    assert parse_posted(form, {"gebuehr": "0"}) == {}


# --------------------------------------------------------------------------------------------
# Conditional display


def test_if_then_field_is_shown_while_the_checkbox_is_ticked(meldeschein: Any) -> None:
    hidden = field(build_view(meldeschein, {"hat_vorwohnung": False}), "vorwohnung_ort")
    assert hidden.visible is False
    assert hidden.visible_if == ((ShowWhen("hat_vorwohnung", "hat_vorwohnung", ("true",)),),)
    assert hidden.required
    assert field(build_view(meldeschein, {"hat_vorwohnung": "true"}), "vorwohnung_ort").visible


def test_else_branch_is_shown_while_the_condition_fails() -> None:
    form = make_form(
        {
            "type": "object",
            "properties": {"staat": {"enum": ["deutsch", "andere"], "title": "Staat"}},
            "if": {"properties": {"staat": {"const": "deutsch"}}},
            "then": {"properties": {"personalausweis": {"type": "string"}}},
            "else": {"properties": {"pass_nr": {"type": "string"}}},
        }
    )
    view = build_view(form, {"staat": "andere"})
    not_german = ShowWhen("staat", "staat", ("deutsch",), negate=True, when_absent=True)
    assert field(view, "pass_nr").visible_if == ((not_german,),)
    assert field(view, "pass_nr").visible and not field(view, "personalausweis").visible
    # like JSON Schema: a condition on a field that is not required holds while it is empty
    assert field(build_view(form, {}), "personalausweis").visible


def test_dependent_schemas_show_fields_while_the_trigger_has_a_value() -> None:
    form = make_form(
        {
            "type": "object",
            "properties": {"telefon": {"type": "string"}},
            "dependentSchemas": {"telefon": {"properties": {"erreichbar": {"type": "string"}}}},
        }
    )
    erreichbar = field(build_view(form, {"telefon": "  "}), "erreichbar")
    assert erreichbar.visible_if == ((ShowWhen("telefon", "telefon"),),)
    assert not erreichbar.visible
    assert field(build_view(form, {"telefon": "0381"}), "erreichbar").visible


def test_rjsf_dependencies_with_one_of_show_fields_per_value() -> None:
    form = make_form(
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": {"wohnung": {"title": "Wohnung", "enum": ["haupt", "neben"]}},
            "dependencies": {
                "wohnung": {
                    "oneOf": [
                        {"properties": {"wohnung": {"enum": ["haupt"]}}},
                        {"properties": {"wohnung": {"enum": ["neben"]}, "hauptwohnung_ort": {"type": "string"}},
                         "required": ["hauptwohnung_ort"]},
                    ]
                }
            },
        }
    )  # fmt: skip
    view = build_view(form, {"wohnung": "neben"})
    ort = field(view, "hauptwohnung_ort")
    assert ort.visible and ort.required
    assert ort.visible_if == ((ShowWhen("wohnung", "wohnung", ("neben",)),),)
    assert not field(build_view(form, {"wohnung": "haupt"}), "hauptwohnung_ort").visible
    assert validate_submission(form, {"wohnung": "haupt", "hauptwohnung_ort": "Rostock"}) == {"wohnung": "haupt"}


def test_condition_inside_a_row_refers_to_the_same_row() -> None:
    form = make_form(
        {
            "type": "object",
            "properties": {
                "personen": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"ausweis": {"type": "boolean"}},
                        "if": {"properties": {"ausweis": {"const": True}}, "required": ["ausweis"]},
                        "then": {"properties": {"ausweis_nr": {"type": "string"}}},
                    },
                }
            },
        }
    )
    view = build_view(form, {"personen": [{"ausweis": False}, {"ausweis": True}]})
    assert field(view, "personen/1/ausweis_nr").visible_if == (
        (ShowWhen("personen/1/ausweis", "personen-1-ausweis", ("true",)),),
    )
    assert not field(view, "personen/0/ausweis_nr").visible and field(view, "personen/1/ausweis_nr").visible


def test_display_only_field_can_control_a_condition() -> None:
    form = make_form(
        {
            "type": "object",
            "properties": {"volljaehrig": {"type": "boolean", "readOnly": True}},
            "if": {"properties": {"volljaehrig": {"const": False}}, "required": ["volljaehrig"]},
            "then": {"properties": {"sorgeberechtigter": {"type": "string"}}},
        }
    )
    posted = {"volljaehrig": "false", "sorgeberechtigter": "Eva Muster"}
    assert parse_posted(form, posted) == {"sorgeberechtigter": "Eva Muster"}  # never read from the post
    values = parse_posted(form, posted)
    assert validate_submission(form, values, context={"volljaehrig": False}) == {
        "volljaehrig": False,
        "sorgeberechtigter": "Eva Muster",
    }
    assert validate_submission(form, values, context={"volljaehrig": True}) == {"volljaehrig": True}
    assert field(build_view(form, {}, context={"volljaehrig": False}), "sorgeberechtigter").visible
    assert not field(build_view(form, {}, context={"volljaehrig": True}), "sorgeberechtigter").visible


# --------------------------------------------------------------------------------------------
# Posted names


def test_posted_names_are_rebuilt_into_nested_values(meldeschein: Any) -> None:
    posted = MultiDict(
        [
            ("familienname", "Müller"),
            ("adresse-strasse", "Am Markt 1"),
            ("adresse-plz", ""),
            ("personen-0", "1"),
            ("personen-0-vorname", "Ben"),
            ("personen-0-minderjaehrig", "true"),
            ("personen-3", "1"),
            ("personen-3-vorname", "Cleo"),
            ("telefon-0", "0381"),
            ("staatsangehoerigkeiten", "deutsch"),
            ("staatsangehoerigkeiten", "polnisch"),
            ("csrf_token", "abc"),
            ("zustimmung", "true"),
        ]
    )
    assert parse_posted(meldeschein, posted) == {
        "familienname": "Müller",
        "zustimmung": "true",
        "newsletter": "false",
        "hat_vorwohnung": "false",
        "staatsangehoerigkeiten": ["deutsch", "polnisch"],
        "adresse": {"strasse": "Am Markt 1", "plz": ""},
        "telefon": ["0381"],
        "personen": [
            {"vorname": "Ben", "minderjaehrig": "true"},
            {"vorname": "Cleo", "minderjaehrig": "false"},
        ],
    }


def test_a_row_of_unticked_checkboxes_is_kept_by_its_marker() -> None:
    form = make_form(
        {"type": "object", "properties": {"l": {"type": "array", "items": {"type": "object",
                                                                           "properties": {"x": {"type": "boolean"}}}}}}
    )  # fmt: skip
    assert parse_posted(form, {"l-0": "1", "l-1": "1"}) == {"l": [{"x": "false"}, {"x": "false"}]}
    assert parse_posted(form, {}) == {"l": []}


def test_text_of_hidden_fields_is_kept_for_the_page_but_never_stored(meldeschein: Any) -> None:
    posted = {"familienname": "Müller", "geburtsdatum": "1.2.1950", "zustimmung": "true",
              "hat_vorwohnung": "false", "vorwohnung_ort": "Rostock"}  # fmt: skip
    values = parse_posted(meldeschein, posted)
    assert values["vorwohnung_ort"] == "Rostock"
    shown_again = field(build_view(meldeschein, values), "vorwohnung_ort")
    assert (shown_again.visible, shown_again.value) == (False, "Rostock")
    assert "vorwohnung_ort" not in validate_submission(meldeschein, values)
    values["hat_vorwohnung"] = "true"
    assert validate_submission(meldeschein, values)["vorwohnung_ort"] == "Rostock"


def test_a_plain_mapping_can_be_parsed(meldeschein: Any) -> None:
    assert parse_posted(meldeschein, {"familienname": "A", "staatsangehoerigkeiten": ["deutsch"]})[
        "staatsangehoerigkeiten"
    ] == ["deutsch"]


@given(st.lists(st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,8}|[0-9]{1,3}", fullmatch=True), min_size=1, max_size=5))
def test_names_and_paths_are_reversible(parts: list[str]) -> None:
    path = "/".join(parts)
    assert data_path(html_name(path)) == path


# --------------------------------------------------------------------------------------------
# Row buttons


def test_row_buttons() -> None:
    form = make_form(family_schema())
    values = {"einzugsdatum": "1.11.2026", "personen": [person()]}
    add = row_action(MultiDict([(ADD_ROW, "personen")]))
    assert add == RowAction("add", "personen")
    added = apply_row_action(form, values, add)
    assert added["personen"] == [person(), {}]
    assert values["personen"] == [person()]  # pure
    assert row_action({REMOVE_ROW: "personen-1"}) == RowAction("remove", "personen/1")
    assert apply_row_action(form, added, RowAction("remove", "personen/1"))["personen"] == [person()]
    assert row_action({"familienname": "x"}) is None


def test_row_buttons_respect_min_and_max_items() -> None:
    form = make_form(family_schema())
    one = {"personen": [person()]}
    assert apply_row_action(form, one, RowAction("remove", "personen/0")) == one
    four = {"personen": [person()] * 4}
    assert apply_row_action(form, four, RowAction("add", "personen")) == four


@pytest.mark.parametrize(
    "action", [RowAction("add", "einzugsdatum"), RowAction("add", "nix"), RowAction("remove", "personen/x"),
               RowAction("remove", "personen/7"), RowAction("add", "personen/0/vorname"),
               RowAction("add", "personen/3/kinder"), RowAction("remove", "personen/3/kinder/0")],
)  # fmt: skip
def test_row_buttons_with_bogus_targets_change_nothing(action: RowAction) -> None:
    schema = family_schema()
    schema["$defs"]["person"]["properties"]["kinder"] = {"type": "array", "items": {"type": "string"}}
    form = make_form(schema)
    values = {"personen": [person()]}
    assert apply_row_action(form, values, action) == values


# --------------------------------------------------------------------------------------------
# Round trips through a browser


def test_posted_text_survives_render_and_post(meldeschein: Any) -> None:
    typed = {
        "familienname": "Müller",
        "geburtsdatum": "31.02.1950",
        "kinder": "zwei",
        "zustimmung": "true",
        "newsletter": "false",
        "hat_vorwohnung": "true",
        "vorwohnung_ort": "Rostock",
        "familienstand": "ledig",
        "staatsangehoerigkeiten": ["deutsch"],
        "adresse": {"strasse": "Am Markt 1", "plz": "18055"},
        "telefon": ["0381"],
        "personen": [{"vorname": "Ben", "geburtsdatum": "", "minderjaehrig": "true"}],
    }
    posted = browser_post(build_view(meldeschein, typed))
    parsed = parse_posted(meldeschein, posted)
    assert {k: v for k, v in parsed.items() if v != ""} == typed


def test_absent_checkboxes_and_lists_come_back_false_and_empty(meldeschein: Any) -> None:
    data = {"familienname": "Müller", "geburtsdatum": date(1950, 2, 1), "zustimmung": True}
    back = validate_submission(
        meldeschein, parse_posted(meldeschein, browser_post(build_view(meldeschein, to_form_values(meldeschein, data))))
    )
    assert back == {
        **data,
        "newsletter": False,
        "hat_vorwohnung": False,
        "kinder": 0,  # the schema default
        "staatsangehoerigkeiten": [],
        "telefon": [],
        "personen": [],
    }


LETTERS = string.ascii_letters + "äöüÄÖÜßéèçñøåæłŁńśźżčšžđőűğıİÿŒœ"
name_part = st.text(alphabet=LETTERS, min_size=1, max_size=10)
names = st.lists(name_part, min_size=1, max_size=3).flatmap(
    lambda parts: st.sampled_from([" ", "-", "'"]).map(lambda sep: sep.join(parts))
)
places = st.tuples(names, st.integers(1, 300)).map(lambda t: f"{t[0]} {t[1]}")
birth_dates = st.dates(min_value=date(1896, 11, 15), max_value=TODAY)
moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.sampled_from([UTC, BERLIN]),
    allow_imaginary=False,
)  # fmt: skip
texts = st.text(alphabet=LETTERS + " \n.,!?0123456789", min_size=1, max_size=60).map(str.strip).filter(bool)


@st.composite
def meldeschein_data(draw: st.DrawFn) -> dict[str, Any]:
    optional = {
        "vornamen": names,
        "termin": moments,
        "kinder": st.integers(0, 20),
        "groesse": st.floats(-1e6, 1e6, allow_nan=False),
        "email": st.from_regex(r"[a-z0-9][a-z0-9.]{0,7}@[a-z]{1,8}\.de", fullmatch=True),
        "bemerkung": texts.map(lambda t: t[:200].strip()).filter(bool),
        "familienstand": st.sampled_from(MELDESCHEIN["properties"]["familienstand"]["enum"]),
        "geschlecht": st.sampled_from(["m", "w", "d"]),
        "adresse": st.fixed_dictionaries(
            {"strasse": places}, optional={"plz": st.from_regex(r"[0-9]{5}", fullmatch=True)}
        ),
    }
    data: dict[str, Any] = draw(
        st.fixed_dictionaries(
            {
                "familienname": names,
                "geburtsdatum": birth_dates,
                "zustimmung": st.just(True),
                # A shown checkbox, checkbox group or list always comes back (false, [], []): see
                # test_absent_checkboxes_and_lists_come_back_false_and_empty.
                "newsletter": st.booleans(),
                "staatsangehoerigkeiten": st.lists(st.sampled_from(["deutsch", "polnisch", "ukrainisch"]),
                                                   unique=True).map(
                    lambda xs: [x for x in ["deutsch", "polnisch", "ukrainisch"] if x in xs]
                ),
                "hat_vorwohnung": st.booleans(),
                "telefon": st.lists(st.from_regex(r"0[0-9]{2,5} [0-9]{3,8}", fullmatch=True), max_size=3),
                "personen": st.lists(
                    st.fixed_dictionaries(
                        {"vorname": names, "minderjaehrig": st.booleans()}, optional={"geburtsdatum": birth_dates}
                    ),
                    max_size=3,
                ),
            },
            optional=optional,
        )
    )  # fmt: skip
    if data["hat_vorwohnung"]:
        data["vorwohnung_ort"] = draw(places)
    if "kinder" not in data:
        data["kinder"] = 0  # the schema default is shown and posted
    return data


MINIMAL = {"familienname": "A", "geburtsdatum": date(2000, 1, 1), "zustimmung": True, "newsletter": False,
           "staatsangehoerigkeiten": [], "hat_vorwohnung": False, "telefon": [], "personen": [], "kinder": 0}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=meldeschein_data())
@example(data={**MINIMAL, "termin": datetime(2026, 10, 25, 2, 30, fold=0, tzinfo=BERLIN)})  # summer time
@example(data={**MINIMAL, "termin": datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)})  # the repeated hour
def test_valid_data_survives_prefill_render_post_and_validation(data: dict[str, Any]) -> None:
    form = meldeschein_form()
    with clock.using(clock.FixedClock.on(TODAY)):
        stored = validate_submission(form, data)
        assert in_utc(stored) == in_utc(data)
        view = build_view(form, to_form_values(form, stored))
        back = validate_submission(form, parse_posted(form, browser_post(view)))
    assert in_utc(back) == in_utc(stored)


def in_utc(data: dict[str, Any]) -> dict[str, Any]:
    """Aware datetimes as UTC: Python calls two zones' readings of one instant unequal in a repeated hour (PEP 495)."""
    return {k: v.astimezone(UTC) if isinstance(v, datetime) else v for k, v in data.items()}


def test_row_buttons_reach_nested_lists() -> None:
    schema = family_schema()
    schema["$defs"]["person"]["properties"]["kinder"] = {"type": "array", "items": {"type": "string"}}
    form = make_form(schema)
    values = {"personen": [person(), person()]}
    added = apply_row_action(form, values, RowAction("add", "personen/1/kinder"))
    assert added["personen"][1]["kinder"] == [""]
    assert "kinder" not in added["personen"][0]


INPUT_NAMES = [
    "familienname", "vornamen", "geburtsdatum", "termin", "kinder", "groesse", "email", "bemerkung", "zustimmung",
    "newsletter", "familienstand", "geschlecht", "staatsangehoerigkeiten", "adresse-strasse", "adresse-plz",
    "telefon-0", "telefon-1", "personen-0", "personen-0-vorname", "personen-0-geburtsdatum",
    "personen-0-minderjaehrig", "personen-1-vorname", "hat_vorwohnung", "vorwohnung_ort", "_add_row",
]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(posted=st.dictionaries(st.sampled_from(INPUT_NAMES), st.text(max_size=12), max_size=14))
def test_any_post_is_accepted_or_explained_next_to_a_shown_field(posted: dict[str, str]) -> None:
    form = meldeschein_form()
    values = parse_posted(form, posted)
    with clock.using(clock.FixedClock.on(TODAY)):
        try:
            validate_submission(form, values)
            return
        except InputInvalid as err:
            errors = err.errors
    view = build_view(form, values, errors)
    shown = [m for v in view.walk() for m in v.errors] + list(view.form_errors)
    assert len(shown) == sum(len(messages) for messages in errors.values())
    assert all(v.visible for v in view.walk() if v.errors)
    assert all(message and message[0].isupper() and message.endswith((".", "?")) for message in shown)


def test_lists_without_add_and_remove_buttons_refuse_those_actions() -> None:
    form = make_form(family_schema(), {"personen": {"ui:options": {"addable": False, "removable": False}}})
    values = {"personen": [person(), person()]}
    view = field(build_view(form, values), "personen")
    assert not view.can_add and not any(row.can_remove for row in view.children)
    assert apply_row_action(form, values, RowAction("add", "personen")) == values
    assert apply_row_action(form, values, RowAction("remove", "personen/0")) == values
