"""Validating submissions: cleaning, German messages for every keyword, dates, DIN SPEC 91379."""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from engine import clock
from engine.clock import BERLIN
from engine.errors import InputInvalid
from engine.forms import apply_submission, submission_errors, to_form_values, validate_submission

from .helpers import TODAY, family_schema, make_form, person


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    with clock.using(clock.FixedClock.on(TODAY)):
        yield


def errors_of(form: Any, data: dict[str, Any], **kwargs: Any) -> dict[str, list[str]]:
    with pytest.raises(InputInvalid) as caught:
        validate_submission(form, data, **kwargs)
    return caught.value.errors


def one_field(field_schema: dict[str, Any], *, required: bool = True, **schema: Any) -> Any:
    return make_form(
        {"type": "object", "properties": {"feld": field_schema}, "required": ["feld"] if required else [], **schema}
    )


# --------------------------------------------------------------------------------------------
# German messages, one per keyword

KEYWORD_CASES = [
    ("required", {"type": "string"}, {}, "Bitte füllen Sie dieses Feld aus."),
    ("required-blank", {"type": "string"}, {"feld": "   "}, "Bitte füllen Sie dieses Feld aus."),
    ("required-checkbox", {"type": "boolean"}, {}, "Bitte bestätigen Sie dies."),
    ("required-checkbox-false", {"type": "boolean"}, {"feld": "false"}, "Bitte bestätigen Sie dies."),
    ("required-select", {"enum": ["a", "b", "c", "d", "e"]}, {}, "Bitte wählen Sie eine Möglichkeit aus."),
    ("type-integer", {"type": "integer"}, {"feld": "zwölf"}, "Bitte geben Sie eine ganze Zahl ein."),
    ("type-integer-decimal", {"type": "integer"}, {"feld": "1,5"}, "Bitte geben Sie eine ganze Zahl ein."),
    ("type-number", {"type": "number"}, {"feld": "drei"}, "Bitte geben Sie eine Zahl ein."),
    ("type-boolean", {"type": "boolean"}, {"feld": "vielleicht"}, "Bitte wählen Sie „Ja“ oder „Nein“."),
    ("type-string", {"type": "string"}, {"feld": 5}, "Bitte geben Sie einen Text ein."),
    ("minLength", {"type": "string", "minLength": 3}, {"feld": "ab"}, "Bitte geben Sie mindestens 3 Zeichen ein."),
    ("minLength-1", {"type": "string", "minLength": 2}, {"feld": "a"}, "Bitte geben Sie mindestens 2 Zeichen ein."),
    ("maxLength", {"type": "string", "maxLength": 3}, {"feld": "abcde"},
     "Bitte geben Sie höchstens 3 Zeichen ein (jetzt: 5)."),
    ("pattern", {"type": "string", "pattern": "^[0-9]{5}$"}, {"feld": "1234"},
     "Die Eingabe hat nicht das erwartete Format."),
    ("pattern-errorMessage", {"type": "string", "pattern": "^[0-9]{5}$",
                              "errorMessage": "Die Postleitzahl hat fünf Ziffern."},
     {"feld": "1234"}, "Die Postleitzahl hat fünf Ziffern."),
    ("pattern-x-errorMessage", {"type": "string", "pattern": "^[0-9]{5}$",
                                "x-errorMessage": {"pattern": "Fünf Ziffern, bitte."}},
     {"feld": "1234"}, "Fünf Ziffern, bitte."),
    ("errorMessage-other-keyword-untouched", {"type": "string", "pattern": "^[0-9]+$", "maxLength": 2,
                                              "errorMessage": {"pattern": "Nur Ziffern."}},
     {"feld": "123"}, "Bitte geben Sie höchstens 2 Zeichen ein (jetzt: 3)."),
    ("enum", {"type": "string", "enum": ["ledig", "verheiratet"]}, {"feld": "geschieden"},
     "Bitte wählen Sie einen der vorgegebenen Werte: „ledig“, „verheiratet“."),
    ("enum-options", {"oneOf": [{"const": "D", "title": "deutsch"}, {"const": "A", "title": "österreichisch"}]},
     {"feld": "X"}, "Bitte wählen Sie einen der vorgegebenen Werte: „deutsch“, „österreichisch“."),
    ("const-checkbox", {"type": "boolean", "const": True}, {"feld": False}, "Bitte bestätigen Sie dies."),
    ("const", {"type": "string", "const": "ja"}, {"feld": "nein"}, "Hier ist nur „ja“ zulässig."),
    ("minimum", {"type": "integer", "minimum": 1}, {"feld": "0"}, "Der Wert muss mindestens 1 sein."),
    ("maximum", {"type": "number", "maximum": 2.5}, {"feld": "3"}, "Der Wert darf höchstens 2,5 sein."),
    ("exclusiveMinimum", {"type": "integer", "exclusiveMinimum": 0}, {"feld": "0"},
     "Der Wert muss größer als 0 sein."),
    ("exclusiveMaximum", {"type": "integer", "exclusiveMaximum": 10}, {"feld": "10"},
     "Der Wert muss kleiner als 10 sein."),
    ("multipleOf-cents", {"type": "number", "multipleOf": 0.01}, {"feld": "1,234"},
     "Bitte geben Sie höchstens 2 Nachkommastellen ein."),
    ("multipleOf", {"type": "integer", "multipleOf": 5}, {"feld": "7"}, "Der Wert muss ein Vielfaches von 5 sein."),
    ("minItems", {"type": "array", "items": {"type": "string"}, "minItems": 2}, {"feld": ["a"]},
     "Bitte geben Sie mindestens 2 Einträge an."),
    ("maxItems", {"type": "array", "items": {"type": "string"}, "maxItems": 1}, {"feld": ["a", "b"]},
     "Bitte geben Sie höchstens einen Eintrag an."),
    ("maxItems-choices", {"type": "array", "items": {"enum": ["a", "b", "c"]}, "maxItems": 1},
     {"feld": ["a", "b"]}, "Bitte wählen Sie höchstens eine Möglichkeit aus."),
    ("uniqueItems", {"type": "array", "items": {"type": "string"}, "uniqueItems": True}, {"feld": ["a", "a"]},
     "Jeder Eintrag darf nur einmal vorkommen."),
    ("format-date", {"type": "string", "format": "date"}, {"feld": "31.02.2026"},
     "Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ)."),
    ("format-date-two-digit-year", {"type": "string", "format": "date"}, {"feld": "15.11.26"},
     "Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ)."),
    ("format-date-time", {"type": "string", "format": "date-time"}, {"feld": "morgen früh"},
     "Bitte geben Sie ein gültiges Datum mit Uhrzeit ein (TT.MM.JJJJ HH:MM)."),
    ("format-email", {"type": "string", "format": "email"}, {"feld": "anna.example.de"},
     "Bitte geben Sie eine gültige E-Mail-Adresse ein (zum Beispiel name@example.de)."),
    ("minimumDate", {"type": "string", "format": "date", "minimumDate": "2026-01-01"}, {"feld": "31.12.2025"},
     "Das Datum darf nicht vor dem 01.01.2026 liegen."),
    ("maximumDate-today", {"type": "string", "format": "date", "maximumDate": "today"}, {"feld": "16.11.2026"},
     "Das Datum darf nicht nach dem 15.11.2026 liegen."),
    ("maximumDate-offset", {"type": "string", "format": "date", "maximumDate": "today+P14D"},
     {"feld": "2026-11-30"}, "Das Datum darf nicht nach dem 29.11.2026 liegen."),
    ("not", {"type": "string", "not": {"const": "x"}}, {"feld": "x"}, "Diese Angabe ist hier nicht zulässig."),
    ("anyOf-best-branch", {"anyOf": [{"type": "integer", "minimum": 10}, {"type": "string", "format": "email"}]},
     {"feld": 5}, "Der Wert muss mindestens 10 sein."),
    ("oneOf-best-branch", {"oneOf": [{"type": "string", "pattern": "^[A-Z]{2}$"}, {"type": "integer"}]},
     {"feld": "abc"}, "Die Eingabe hat nicht das erwartete Format."),
    ("oneOf-errorMessage", {"oneOf": [{"type": "string", "pattern": "^[A-Z]{2}$"}, {"type": "integer"}],
                            "errorMessage": "Bitte zwei Großbuchstaben oder eine Zahl."},
     {"feld": "abc"}, "Bitte zwei Großbuchstaben oder eine Zahl."),
    ("din-A", {"type": "string", "x-din91379": "A"}, {"feld": "Anna😀"},
     "Das Zeichen „😀“ ist in Namen nicht zulässig (DIN SPEC 91379)."),
    ("din-B", {"type": "string", "x-din91379": "B"}, {"feld": "Hauptstraße 5 ✓"},
     "Das Zeichen „✓“ ist in Namen von Orten, Straßen und Organisationen nicht zulässig (DIN SPEC 91379)."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("field_schema", "data", "message"), [pytest.param(*case[1:], id=case[0]) for case in KEYWORD_CASES]
)
def test_german_message_for_each_keyword(field_schema: dict[str, Any], data: dict[str, Any], message: str) -> None:
    assert errors_of(one_field(field_schema), data) == {"feld": [message]}


@pytest.mark.parametrize("dialect", ["2020-12", "draft-07"])
def test_required_error_message_from_parent_errorMessage(dialect: str) -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"plz": {"type": "string"}},
        "required": ["plz"],
        "errorMessage": {"required": {"plz": "Ohne Postleitzahl geht es nicht."}},
    }
    if dialect == "draft-07":
        schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    assert errors_of(make_form(schema), {}) == {"plz": ["Ohne Postleitzahl geht es nicht."]}


def test_if_then_else_requires_the_branch_fields() -> None:
    form = make_form(
        {
            "type": "object",
            "properties": {"familienstand": {"enum": ["ledig", "verheiratet"]}, "ehegatte": {"type": "string"}},
            "if": {"properties": {"familienstand": {"const": "verheiratet"}}, "required": ["familienstand"]},
            "then": {"required": ["ehegatte"]},
            "else": {"properties": {"ehegatte": {"maxLength": 0}}},
        }
    )
    assert errors_of(form, {"familienstand": "verheiratet"}) == {"ehegatte": ["Bitte füllen Sie dieses Feld aus."]}
    assert validate_submission(form, {"familienstand": "ledig"}) == {"familienstand": "ledig"}


@pytest.mark.parametrize(
    ("dialect", "keyword"), [("2020-12", "dependentRequired"), ("draft-07", "dependencies")]
)  # fmt: skip
def test_dependent_required_names_the_trigger(dialect: str, keyword: str) -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "telefon": {"type": "string", "title": "Telefonnummer"},
            "erreichbar": {"type": "string", "title": "Erreichbar ab"},
        },
        keyword: {"telefon": ["erreichbar"]},
    }
    if dialect == "draft-07":
        schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    errors = errors_of(make_form(schema), {"telefon": "0381 123"})
    assert errors == {
        "erreichbar": ["Bitte füllen Sie dieses Feld aus; es wird benötigt, wenn „Telefonnummer“ angegeben ist."]
    }


def test_additional_properties_in_a_branch_are_reported_on_the_object() -> None:
    form = make_form(
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {"art": {"enum": ["a", "b"]}},
            "if": {"properties": {"art": {"const": "a"}}, "required": ["art"]},
            "then": {"properties": {"extra": {"type": "string"}}},
        }
    )
    errors = errors_of(form, {"art": "a", "extra": "x"})
    assert errors == {"": ["Dieser Abschnitt enthält Angaben, die hier nicht vorgesehen sind."]}


def test_several_errors_of_one_field_are_all_reported() -> None:
    form = one_field({"type": "string", "minLength": 5, "pattern": "^[0-9]+$"})
    assert errors_of(form, {"feld": "ab"}) == {
        "feld": ["Bitte geben Sie mindestens 5 Zeichen ein.", "Die Eingabe hat nicht das erwartete Format."]
    }


# --------------------------------------------------------------------------------------------
# Cleaning


def test_strings_are_stripped_and_nfc_normalised() -> None:
    form = one_field({"type": "string", "x-din91379": "A"})
    decomposed = unicodedata.normalize("NFD", "Nguyễn")
    assert decomposed != "Nguyễn"
    result = validate_submission(form, {"feld": f"  {decomposed}\t"})
    assert result == {"feld": "Nguyễn"}
    assert unicodedata.is_normalized("NFC", result["feld"])


def test_blank_optional_fields_are_absent() -> None:
    form = one_field({"type": "string"}, required=False)
    assert validate_submission(form, {"feld": "  "}) == {}
    assert validate_submission(form, {"feld": None}) == {}


def test_null_stays_when_the_schema_allows_it() -> None:
    form = one_field({"type": ["string", "null"]}, required=False)
    assert validate_submission(form, {"feld": None}) == {"feld": None}


def test_extra_keys_are_dropped_at_every_depth() -> None:
    form = make_form(family_schema())
    data = {
        "einzugsdatum": "2026-11-01",
        "personen": [{**person(), "lieblingsfarbe": "blau"}],
        "is_admin": True,
        "__class__": "x",
    }
    assert validate_submission(form, data) == {
        "einzugsdatum": date(2026, 11, 1),
        "personen": [{"vorname": "Anna", "familienname": "Schmidt", "geburtsdatum": date(1980, 4, 1)}],
    }


@pytest.mark.parametrize(
    ("field_schema", "posted", "expected"),
    [
        ({"type": "integer"}, "42", 42),
        ({"type": "integer"}, "-3", -3),
        ({"type": "number"}, "3,5", 3.5),
        ({"type": "number"}, "3.5", 3.5),
        ({"type": "number"}, "7", 7),
        ({"type": "boolean"}, "on", True),
        ({"type": "boolean"}, "true", True),
        ({"type": "boolean"}, "false", False),
        ({"type": "boolean"}, "nein", False),
        ({"type": "integer", "enum": [1, 2, 3]}, "2", 2),
        ({"oneOf": [{"const": True, "title": "Ja"}, {"const": False, "title": "Nein"}]}, "false", False),
        ({"type": "string", "format": "date"}, "15.11.2026", date(2026, 11, 15)),
        ({"type": "string", "format": "date"}, "5.1.2026", date(2026, 1, 5)),
        ({"type": "string", "format": "date"}, "2026-11-15", date(2026, 11, 15)),
        ({"type": "string", "format": "date-time"}, "2026-11-15T10:30",
         datetime(2026, 11, 15, 10, 30, tzinfo=BERLIN)),
        ({"type": "string", "format": "date-time"}, "15.11.2026 10:30", datetime(2026, 11, 15, 9, 30, tzinfo=UTC)),
        ({"type": "string", "format": "date-time"}, "2026-11-15T10:30:00Z",
         datetime(2026, 11, 15, 10, 30, tzinfo=UTC)),
        ({"type": "string", "format": "email"}, " anna@example.de ", "anna@example.de"),
    ],
)  # fmt: skip
def test_posted_text_is_converted_to_the_schema_type(field_schema: dict[str, Any], posted: str, expected: Any) -> None:
    result = validate_submission(one_field(field_schema, required=False), {"feld": posted})
    assert result == {"feld": expected}
    assert type(result["feld"]) is type(expected)


def test_date_times_come_back_aware() -> None:
    result = validate_submission(one_field({"type": "string", "format": "date-time"}), {"feld": "15.11.2026 10:30"})
    assert result["feld"].utcoffset() == timedelta(hours=1)


def test_python_dates_are_accepted_as_input() -> None:
    form = one_field({"type": "string", "format": "date", "maximumDate": "today"})
    assert validate_submission(form, {"feld": date(2000, 1, 1)}) == {"feld": date(2000, 1, 1)}


def test_validation_is_pure() -> None:
    form = make_form(family_schema())
    data = {"einzugsdatum": "15.11.2026", "personen": [person(vorname=" Anna "), {"vorname": "Bo"}]}
    context = {"einzugsdatum": date(2020, 1, 1), "other": [1, 2]}
    data_before, context_before = copy.deepcopy(data), copy.deepcopy(context)
    with pytest.raises(InputInvalid):
        validate_submission(form, data, context=context)
    assert (data, context) == (data_before, context_before)
    del data["personen"][1]
    result = validate_submission(form, data, context=context)
    assert (data, context) == (data_before | {"personen": data["personen"]}, context_before)
    assert result["personen"][0]["vorname"] == "Anna"


def test_log_message_names_fields_but_no_values() -> None:
    form = make_form(family_schema())
    with pytest.raises(InputInvalid) as caught:
        validate_submission(form, {"einzugsdatum": "kein Datum", "personen": [person(vorname="Geheimname😀")]})
    assert "personen/0/vorname" in str(caught.value)
    assert "Geheimname" not in str(caught.value) and "kein Datum" not in str(caught.value)
    assert caught.value.user_message == "Bitte prüfen Sie die 2 markierten Felder."
    assert caught.value.context["form"] == "test"


# --------------------------------------------------------------------------------------------
# Dates with a fixed clock (15.11.2026)


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ("16.11.2026", "Das Datum darf nicht nach dem 15.11.2026 liegen."),
        ("01.01.2100", "Das Datum darf nicht nach dem 15.11.2026 liegen."),
        ("14.11.1896", "Das Datum darf nicht vor dem 15.11.1896 liegen."),
        ("0001-01-01", "Das Datum darf nicht vor dem 15.11.1896 liegen."),
        ("30.02.1990", "Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ)."),
        ("1990-13-01", "Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ)."),
        ("gestern", "Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ)."),
    ],
)
def test_impossible_birth_dates_are_rejected(posted: str, message: str) -> None:
    form = make_form(family_schema())
    errors = errors_of(form, {"einzugsdatum": "2026-11-01", "personen": [person(geburtsdatum=posted)]})
    assert errors == {"personen/0/geburtsdatum": [message]}


@pytest.mark.parametrize("posted", ["15.11.2026", "15.11.1896", "29.02.2000"])
def test_birth_date_bounds_are_inclusive(posted: str) -> None:
    form = make_form(family_schema())
    result = validate_submission(form, {"einzugsdatum": "2026-11-01", "personen": [person(geburtsdatum=posted)]})
    assert result["personen"][0]["geburtsdatum"].strftime("%d.%m.%Y") == posted


def test_today_follows_the_clock() -> None:
    form = one_field({"type": "string", "format": "date", "maximumDate": "today"})
    with clock.using(clock.FixedClock.on(date(2026, 11, 20))):
        assert validate_submission(form, {"feld": "20.11.2026"}) == {"feld": date(2026, 11, 20)}
    assert errors_of(form, {"feld": "20.11.2026"}) == {"feld": ["Das Datum darf nicht nach dem 15.11.2026 liegen."]}


def test_field_bound_compares_with_a_sibling_date() -> None:
    form = make_form(
        {
            "type": "object",
            "properties": {
                "einzug": {"type": "string", "format": "date", "title": "Einzugsdatum"},
                "auszug": {"type": "string", "format": "date", "minimumDate": "field:einzug"},
            },
        }
    )
    errors = errors_of(form, {"einzug": "01.03.2026", "auszug": "28.02.2026"})
    assert errors == {"auszug": ["Das Datum darf nicht vor dem 01.03.2026 („Einzugsdatum“) liegen."]}
    assert validate_submission(form, {"einzug": "01.03.2026", "auszug": "01.03.2026"})["auszug"] == date(2026, 3, 1)
    assert validate_submission(form, {"auszug": "01.01.2020"}) == {"auszug": date(2020, 1, 1)}


# --------------------------------------------------------------------------------------------
# DIN SPEC 91379


@pytest.mark.parametrize(
    "name", ["Łukasz Nguyễn-Müller", "Zoë O'Connor", "Ægir Þórsson", "Ångström", "Çelik", "Dvořák", "ß", "Renée"]
)
def test_real_names_with_diacritics_are_accepted(name: str) -> None:
    form = one_field({"type": "string", "x-din91379": "A"})
    assert validate_submission(form, {"feld": name}) == {"feld": name}


def test_decomposed_input_is_accepted_and_stored_composed() -> None:
    form = one_field({"type": "string", "x-din91379": "A"})
    nfd = unicodedata.normalize("NFD", "Łukasz Nguyễn-Müller")
    assert validate_submission(form, {"feld": nfd}) == {"feld": "Łukasz Nguyễn-Müller"}


def test_compatibility_character_gets_a_suggestion() -> None:
    form = one_field({"type": "string", "x-din91379": "A"})
    assert errors_of(form, {"feld": "Ǆenan"}) == {
        "feld": ["Das Zeichen „Ǆ“ ist in Namen nicht zulässig (DIN SPEC 91379). Bitte schreiben Sie „DŽ“ statt „Ǆ“."]
    }


def test_invisible_characters_are_named_by_code_point() -> None:
    form = one_field({"type": "string", "x-din91379": "A"})
    assert errors_of(form, {"feld": "Anna\u200bMaria"}) == {
        "feld": ["Das Zeichen U+200B (unsichtbares Zeichen) ist in Namen nicht zulässig (DIN SPEC 91379)."]
    }


def test_several_bad_characters_are_listed() -> None:
    form = one_field({"type": "string", "x-din91379": "A"})
    (message,) = errors_of(form, {"feld": "A😀B✓"})["feld"]
    assert message == "Die Zeichen „😀“ und „✓“ sind in Namen nicht zulässig (DIN SPEC 91379)."


def test_digits_are_fine_in_street_names_but_not_in_person_names() -> None:
    form = make_form(
        {
            "type": "object",
            "properties": {
                "name": {"type": "string", "x-din91379": "A"},
                "strasse": {"type": "string", "x-din91379": "B"},
            },
        }
    )
    assert validate_submission(form, {"strasse": "Straße des 17. Juni 5"}) == {"strasse": "Straße des 17. Juni 5"}
    assert list(errors_of(form, {"name": "Anna 2"})) == ["name"]


# --------------------------------------------------------------------------------------------
# Families: lists of objects, both dialects


@pytest.mark.parametrize("dialect", ["2020-12", "draft-07"])
def test_family_errors_point_at_the_row(dialect: str) -> None:
    form = make_form(family_schema(dialect))
    data = {
        "einzugsdatum": "01.11.2026",
        "personen": [person(), person(vorname="Ben", geburtsdatum="31.11.2020"), {"vorname": "Cleo"}],
    }
    assert errors_of(form, data) == {
        "personen/1/geburtsdatum": ["Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ)."],
        "personen/2/familienname": ["Bitte füllen Sie dieses Feld aus."],
        "personen/2/geburtsdatum": ["Bitte füllen Sie dieses Feld aus."],
    }


@pytest.mark.parametrize("dialect", ["2020-12", "draft-07"])
def test_family_is_cleaned_and_typed(dialect: str) -> None:
    form = make_form(family_schema(dialect))
    data = {"einzugsdatum": "01.11.2026", "personen": [person(), person("Ben", "Schmidt", "3.7.2019")]}
    assert validate_submission(form, data) == {
        "einzugsdatum": date(2026, 11, 1),
        "personen": [
            {"vorname": "Anna", "familienname": "Schmidt", "geburtsdatum": date(1980, 4, 1)},
            {"vorname": "Ben", "familienname": "Schmidt", "geburtsdatum": date(2019, 7, 3)},
        ],
    }


def test_an_empty_row_keeps_its_place() -> None:
    form = make_form(family_schema())
    errors = errors_of(form, {"einzugsdatum": "01.11.2026", "personen": [{}, person()]})
    assert set(errors) == {"personen/0/vorname", "personen/0/familienname", "personen/0/geburtsdatum"}


def test_min_and_max_items_of_the_family() -> None:
    form = make_form(family_schema())
    assert errors_of(form, {"einzugsdatum": "01.11.2026", "personen": []}) == {
        "personen": ["Bitte geben Sie mindestens einen Eintrag an."]
    }
    assert errors_of(form, {"einzugsdatum": "01.11.2026", "personen": [person()] * 5}) == {
        "personen": ["Bitte geben Sie höchstens 4 Einträge an."]
    }


# --------------------------------------------------------------------------------------------
# Conditional fields, display-only fields


CONDITIONAL = {
    "type": "object",
    "properties": {"hat_vorwohnung": {"type": "boolean", "title": "Es gibt eine Vorwohnung"}},
    "required": ["hat_vorwohnung"],
    "if": {"properties": {"hat_vorwohnung": {"const": True}}, "required": ["hat_vorwohnung"]},
    "then": {
        "properties": {"vorwohnung_ort": {"type": "string", "title": "Ort der Vorwohnung", "x-din91379": "B"}},
        "required": ["vorwohnung_ort"],
    },
}


def test_hidden_conditional_field_is_ignored() -> None:
    form = make_form(CONDITIONAL, {"hat_vorwohnung": {"ui:widget": "radio"}})
    assert validate_submission(form, {"hat_vorwohnung": "false", "vorwohnung_ort": "Rostock😀"}) == {
        "hat_vorwohnung": False
    }


def test_shown_conditional_field_is_validated() -> None:
    form = make_form(CONDITIONAL, {"hat_vorwohnung": {"ui:widget": "radio"}})
    assert errors_of(form, {"hat_vorwohnung": "true"}) == {"vorwohnung_ort": ["Bitte füllen Sie dieses Feld aus."]}
    assert validate_submission(form, {"hat_vorwohnung": "true", "vorwohnung_ort": " Rostock "}) == {
        "hat_vorwohnung": True,
        "vorwohnung_ort": "Rostock",
    }


def test_dependent_schema_field_is_kept_only_with_its_trigger() -> None:
    form = make_form(
        {
            "type": "object",
            "properties": {"telefon": {"type": "string"}},
            "dependentSchemas": {"telefon": {"properties": {"erreichbar": {"type": "string"}}}},
        }
    )
    assert validate_submission(form, {"erreichbar": "abends"}) == {}
    assert validate_submission(form, {"telefon": "0381", "erreichbar": "abends"}) == {
        "telefon": "0381",
        "erreichbar": "abends",
    }


def test_readonly_field_comes_from_the_task_data_not_the_post() -> None:
    form = make_form(
        {
            "type": "object",
            "properties": {
                "gebuehr": {"type": "number", "readOnly": True, "title": "Gebühr"},
                "bemerkung": {"type": "string"},
            },
            "required": ["gebuehr"],
        }
    )
    result = validate_submission(form, {"gebuehr": "0", "bemerkung": "x"}, context={"gebuehr": 12.5})
    assert result == {"gebuehr": 12.5, "bemerkung": "x"}
    assert errors_of(form, {"gebuehr": "12,5"}) == {"gebuehr": ["Bitte füllen Sie dieses Feld aus."]}


# --------------------------------------------------------------------------------------------
# Task data ↔ form values


def test_to_form_values_picks_the_form_fields_and_writes_dates_as_iso() -> None:
    form = make_form(family_schema())
    task_data = {
        "einzugsdatum": date(2026, 11, 1),
        "personen": [{"vorname": "Anna", "familienname": "Schmidt", "geburtsdatum": date(1980, 4, 1), "x": 1}],
        "case_secret": "nicht ins Formular",
    }
    assert to_form_values(form, task_data) == {
        "einzugsdatum": "2026-11-01",
        "personen": [{"vorname": "Anna", "familienname": "Schmidt", "geburtsdatum": "1980-04-01"}],
    }


def test_to_form_values_keeps_values_of_hidden_branches() -> None:
    form = make_form(CONDITIONAL)
    values = to_form_values(form, {"hat_vorwohnung": False, "vorwohnung_ort": "Rostock"})
    assert values == {"hat_vorwohnung": False, "vorwohnung_ort": "Rostock"}


def test_to_form_values_writes_datetimes_with_offset() -> None:
    form = one_field({"type": "string", "format": "date-time"})
    moment = datetime(2026, 11, 15, 10, 30, tzinfo=BERLIN)
    assert to_form_values(form, {"feld": moment}) == {"feld": "2026-11-15T10:30:00+01:00"}


def test_apply_submission_sets_cleared_fields_to_none_and_keeps_other_data() -> None:
    form = make_form(
        {
            "type": "object",
            "properties": {
                "telefon": {"type": "string"},
                "email": {"type": "string", "format": "email"},
                "gebuehr": {"type": "number", "readOnly": True},
            },
        }
    )
    task_data = {"telefon": "0381 1", "email": "a@b.de", "gebuehr": 10, "case_note": "bleibt"}
    cleaned = validate_submission(form, {"telefon": "", "email": "neu@b.de"}, context=task_data)
    assert apply_submission(form, task_data, cleaned) == {
        "telefon": None,
        "email": "neu@b.de",
        "gebuehr": 10,
        "case_note": "bleibt",
    }
    assert task_data["telefon"] == "0381 1"


def test_draft07_ref_wrapped_in_all_of_keeps_its_bound() -> None:
    form = make_form(
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "definitions": {"datum": {"type": "string", "format": "date"}},
            "properties": {"geburtsdatum": {"allOf": [{"$ref": "#/definitions/datum"}], "maximumDate": "today"}},
        }
    )
    assert form.layout.child("geburtsdatum").widget == "date"
    assert errors_of(form, {"geburtsdatum": "16.11.2026"}) == {
        "geburtsdatum": ["Das Datum darf nicht nach dem 15.11.2026 liegen."]
    }
    assert validate_submission(form, {"geburtsdatum": "15.11.2026"}) == {"geburtsdatum": TODAY}


def test_decimal_from_scripts_is_a_number() -> None:
    form = one_field({"type": "number", "maximum": 100})
    assert validate_submission(form, {"feld": Decimal("12.50")}) == {"feld": 12.5}
    assert validate_submission(form, {"feld": Decimal("12")}) == {"feld": 12}


def test_submission_errors_reports_without_raising() -> None:
    form = make_form(family_schema())
    data = {"einzugsdatum": "1.11.2026", "personen": [person(vorname="")]}
    assert submission_errors(form, data) == {"personen/0/vorname": ["Bitte füllen Sie dieses Feld aus."]}
    assert submission_errors(form, {"einzugsdatum": "1.11.2026", "personen": [person()]}) == {}
