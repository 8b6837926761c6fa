"""The widget registry, the built-in widgets and the default choice of widget."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from engine.clock import BERLIN
from engine.forms import WIDGETS, WidgetRegistry
from engine.forms.widgets import DuplicateWidget, default_widget, option_list

from .helpers import make_form


def test_registering_an_id_twice_fails() -> None:
    registry = WidgetRegistry()

    @registry.register("stars", types={"integer"})
    def parse_stars(text: str, schema: Any) -> Any:
        return len(text)

    with pytest.raises(DuplicateWidget, match="stars"):

        @registry.register("stars", types={"integer"})
        def parse_again(text: str, schema: Any) -> Any:
            return 0

    assert registry["stars"].parse("***", {}) == 3
    assert registry.ids() == ["stars"]


def test_unknown_json_type_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown JSON types"):
        WidgetRegistry().register("x", types={"text"})


def test_a_new_registry_does_not_touch_the_built_in_one() -> None:
    WidgetRegistry().register("text", types={"string"})(lambda text, schema: text)
    assert WIDGETS["text"].input_type == "text"


def test_built_in_widgets() -> None:
    expected = {"text", "textarea", "number", "integer", "checkbox", "checkboxes", "select", "radio", "date",
                "datetime", "email", "tel", "hidden", "readonly"}  # fmt: skip
    assert set(WIDGETS.ids()) == expected
    assert not WIDGETS["readonly"].editable
    assert all(WIDGETS[w].choices for w in ("select", "radio", "checkboxes"))
    assert WIDGETS["checkboxes"].multiple


@pytest.mark.parametrize(
    ("widget", "schema", "posted", "expected"),
    [
        ("text", {"type": "string"}, "Anna", "Anna"),
        ("integer", {"type": "integer"}, "42", 42),
        ("integer", {"type": "integer"}, "+7", 7),
        ("integer", {"type": "integer"}, "4,2", "4,2"),
        ("number", {"type": "number"}, "4,25", 4.25),
        ("number", {"type": "number"}, "-0.5", -0.5),
        ("number", {"type": "number"}, "1e-05", 1e-05),
        ("number", {"type": "number"}, "1.234,5", "1.234,5"),
        ("number", {"type": "number"}, "nan", "nan"),
        ("checkbox", {"type": "boolean"}, "on", True),
        ("checkbox", {"type": "boolean"}, "Ja", True),
        ("checkbox", {"type": "boolean"}, "0", False),
        ("checkbox", {"type": "boolean"}, "kaputt", "kaputt"),
        ("date", {"type": "string", "format": "date"}, "15.11.2026", "2026-11-15"),
        ("date", {"type": "string", "format": "date"}, "2026-11-15", "2026-11-15"),
        ("date", {"type": "string", "format": "date"}, "32.11.2026", "32.11.2026"),
        ("datetime", {"type": "string", "format": "date-time"}, "15.11.2026 10:30", "2026-11-15T10:30:00+01:00"),
        ("datetime", {"type": "string", "format": "date-time"}, "15.07.2026 10:30 Uhr", "2026-07-15T10:30:00+02:00"),
        ("select", {"enum": [1, 2, 10]}, "10", 10),
        ("select", {"enum": ["1", "2"]}, "1", "1"),
        ("select", {"enum": ["a", "b"]}, "c", "c"),
        ("radio", {"type": "boolean"}, "false", False),
        ("radio", {"oneOf": [{"const": "D", "title": "deutsch"}]}, "X", "X"),
        ("checkboxes", {"type": "array", "items": {"enum": [1, 2]}}, "2", 2),
    ],
)
def test_parse_posted_text(widget: str, schema: dict[str, Any], posted: str, expected: Any) -> None:
    result = WIDGETS[widget].parse(posted, schema)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("widget", "schema", "value", "expected"),
    [
        ("date", {"type": "string", "format": "date"}, date(2026, 1, 5), "05.01.2026"),
        ("date", {"type": "string", "format": "date"}, "2026-01-05", "05.01.2026"),
        ("date", {"type": "string", "format": "date"}, "5.1.2026", "5.1.2026"),
        ("datetime", {"type": "string", "format": "date-time"}, datetime(2026, 7, 1, 8, 5, tzinfo=BERLIN),
         "01.07.2026 08:05"),
        ("datetime", {"type": "string", "format": "date-time"}, "2026-07-01T06:05:00Z", "01.07.2026 08:05"),
        ("datetime", {"type": "string", "format": "date-time"}, datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN),
         "25.10.2026 02:30 +01:00"),
        ("number", {"type": "number"}, 2.5, "2,5"),
        ("number", {"type": "number"}, 3, "3"),
        ("integer", {"type": "integer"}, 12, "12"),
        ("select", {"enum": [True, False]}, True, "true"),
        ("select", {"enum": [1.5, 2]}, 1.5, "1.5"),
        ("checkbox", {"type": "boolean"}, False, "false"),
        ("text", {"type": "string"}, None, ""),
    ],
)  # fmt: skip
def test_format_value_for_the_input(widget: str, schema: dict[str, Any], value: Any, expected: str) -> None:
    assert WIDGETS[widget].format(value, schema) == expected


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string"}, "text"),
        ({"type": ["string", "null"]}, "text"),
        ({"type": "string", "format": "date"}, "date"),
        ({"type": "string", "format": "date-time"}, "datetime"),
        ({"type": "string", "format": "email"}, "email"),
        ({"type": "integer"}, "integer"),
        ({"type": "number"}, "number"),
        ({"type": "boolean"}, "checkbox"),
        ({"enum": ["a", "b", "c", "d"]}, "radio"),
        ({"enum": ["a", "b", "c", "d", "e"]}, "select"),
        ({"type": "string", "oneOf": [{"const": "m", "title": "männlich"}, {"const": "w", "title": "weiblich"}]},
         "radio"),
        ({"anyOf": [{"enum": [str(i)], "title": f"Option {i}"} for i in range(6)]}, "select"),
        ({"type": "array", "items": {"enum": ["de", "pl"]}}, "checkboxes"),
    ],
)  # fmt: skip
def test_default_widget(schema: dict[str, Any], expected: str) -> None:
    assert default_widget(schema) == expected


def test_option_labels_come_from_titles_enum_names_or_ui_enum_names() -> None:
    assert option_list({"oneOf": [{"const": "D", "title": "deutsch"}]}) == (("D", "deutsch"),)
    assert option_list({"enum": ["l", "v"], "enumNames": ["ledig", "verheiratet"]}) == (
        ("l", "ledig"),
        ("v", "verheiratet"),
    )
    assert option_list({"enum": ["l", "v"]}, ["Ledig", "Verheiratet"]) == (("l", "Ledig"), ("v", "Verheiratet"))
    assert option_list({"type": "boolean"}) == (("true", "Ja"), ("false", "Nein"))


def test_layout_uses_ui_widget_and_falls_back_to_the_default() -> None:
    form = make_form(
        {
            "type": "object",
            "properties": {
                "bemerkung": {"type": "string"},
                "telefon": {"type": "string"},
                "geschlecht": {"enum": ["m", "w", "d", "x"]},
                "geburtsdatum": {"type": "string", "format": "date"},
                "aktenzeichen": {"type": "string", "readOnly": True},
                "intern": {"type": "string"},
            },
        },
        {
            "bemerkung": {"ui:widget": "textarea"},
            "telefon": {"ui:options": {"widget": "tel"}},
            "geschlecht": {"ui:widget": "select"},
            "intern": {"ui:disabled": True},
        },
    )
    widgets = {f.key: f.widget for f in form.layout.children}
    assert widgets == {
        "bemerkung": "textarea",
        "telefon": "tel",
        "geschlecht": "select",
        "geburtsdatum": "date",
        "aktenzeichen": "readonly",
        "intern": "readonly",
    }
