"""Form widgets: a registry of input kinds by id, how each reads a posted string and shows a value.

A widget is registered with a decorator under a unique id; registering an id twice raises
:class:`DuplicateWidget` when the module is imported. The web layer maps widget ids to
templates; the engine only needs to know what JSON types a widget edits, how it turns the
posted text into a JSON value (``parse``) and a value back into input text (``format``).

``parse`` receives text that is already NFC-normalised, stripped and non-empty. When it cannot
read the text it returns the text unchanged, so that validation reports a German message
("Bitte geben Sie eine ganze Zahl ein.") instead of the widget guessing.

Designers pick a widget with ``"ui:widget"``; otherwise :func:`default_widget` chooses from
the schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from engine.forms import dates
from engine.forms.schemas import JSON_TYPES, choice_options, primary_type

ParseFn = Callable[[str, Mapping[str, Any]], Any]
FormatFn = Callable[[Any, Mapping[str, Any]], str]

_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
_TRUE = frozenset({"true", "on", "1", "ja", "yes"})
_FALSE = frozenset({"false", "off", "0", "nein", "no"})
RADIO_MAX_OPTIONS = 4
"""Up to this many options a radio group is the default; more become a select."""


class DuplicateWidget(ValueError):
    """Two widgets were registered under one id (a programming error, raised at import)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Widget:
    id: str
    """Unique id, the value of ``ui:widget``."""
    types: frozenset[str]
    """JSON types the widget can edit."""
    parse: ParseFn
    """Posted text → JSON value (or the text unchanged if it cannot be read)."""
    format: FormatFn
    """JSON value (or posted text) → text for the input."""
    input_type: str = "text"
    """HTML hint: an ``<input type>`` or ``textarea``/``select``/``radio``/``checkbox``/``checkboxes``/``none``."""
    inputmode: str = ""
    """Default ``inputmode`` (virtual keyboard) unless the UI schema sets ``ui:inputmode``."""
    placeholder: str = ""
    """Default placeholder unless the UI schema sets ``ui:placeholder``."""
    choices: bool = False
    """Shows a list of options (from ``enum`` / ``oneOf`` with ``const``)."""
    multiple: bool = False
    """Posts several values under one name (checkbox group for an array)."""
    editable: bool = True
    """False for display-only widgets: the server never reads them from a post."""


@dataclass
class WidgetRegistry:
    """Widgets by id. Use :meth:`register` as a decorator on the widget's parse function."""

    _widgets: dict[str, Widget] = field(default_factory=dict)

    def register(
        self, widget_id: str, *, types: set[str] | frozenset[str], format: FormatFn | None = None, **options: Any
    ) -> Callable[[ParseFn], ParseFn]:
        unknown = set(types) - set(JSON_TYPES)
        if unknown:
            raise ValueError(f"widget {widget_id!r}: unknown JSON types {sorted(unknown)}")

        def decorate(parse: ParseFn) -> ParseFn:
            if widget_id in self._widgets:
                raise DuplicateWidget(f"widget id {widget_id!r} is registered twice")
            self._widgets[widget_id] = Widget(
                id=widget_id, types=frozenset(types), parse=parse, format=format or format_by_schema, **options
            )
            return parse

        return decorate

    def __getitem__(self, widget_id: str) -> Widget:
        return self._widgets[widget_id]

    def __contains__(self, widget_id: object) -> bool:
        return widget_id in self._widgets

    def __iter__(self) -> Iterator[Widget]:
        return iter(self._widgets.values())

    def ids(self) -> list[str]:
        return sorted(self._widgets)


# ---------------------------------------------------------------------------------------------
# Conversions shared by several widgets


def format_plain(value: Any) -> str:
    """Machine text for option values and checkboxes: ``true``, ``3``, ``2.5``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def parse_integer(text: str) -> Any:
    return int(text) if _INTEGER.fullmatch(text) else text


def parse_decimal(text: str) -> Any:
    """``3``, ``3,5``, ``3.5``; a German decimal comma is what clerks type."""
    if _INTEGER.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        return float(text.replace(",", "."))
    return text


def parse_boolean(text: str) -> Any:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return text


def coerce_text(text: str, schema: Mapping[str, Any]) -> Any:
    """Turn text into the type the schema declares; date input into ISO form.

    Used after every widget's parse, so that e.g. a ``text`` widget on an integer field or a
    ``hidden`` field still yields the right JSON type.
    """
    kind = primary_type(schema)
    if kind == "integer":
        return parse_integer(text)
    if kind == "number":
        return parse_decimal(text)
    if kind == "boolean":
        return parse_boolean(text)
    if kind in (None, "string"):
        fmt = schema.get("format")
        if fmt == "date" and (day := dates.parse_date(text)) is not None:
            return day.isoformat()
        if fmt == "date-time" and (moment := dates.parse_datetime(text)) is not None:
            return dates.to_rfc3339(moment)
    return text


def format_by_schema(value: Any, schema: Mapping[str, Any]) -> str:
    """Input text for a value: German dates and decimal commas, everything else as JSON text."""
    fmt = schema.get("format")
    if isinstance(value, datetime):
        return dates.format_datetime(value)
    if isinstance(value, date):
        return dates.format_date(value)
    if isinstance(value, str):
        if fmt == "date" and dates.is_iso_date(value):
            return dates.format_date(dates.parse_date(value))  # type: ignore[arg-type]
        if fmt == "date-time" and dates.is_rfc3339(value):
            return dates.format_datetime(datetime.fromisoformat(value.upper()))
        return value
    if isinstance(value, float) and not isinstance(value, bool):
        return repr(value).replace(".", ",")
    return format_plain(value)


def _options_of(schema: Mapping[str, Any]) -> list[tuple[Any, str]]:
    items = schema.get("items")
    if primary_type(schema) == "array" and isinstance(items, Mapping):
        schema = items
    options = choice_options(schema)
    if options is None and primary_type(schema) == "boolean":
        return [(True, "Ja"), (False, "Nein")]
    return options or []


def parse_choice(text: str, schema: Mapping[str, Any]) -> Any:
    """The option whose value is posted as ``text``; unknown text stays text (→ enum error)."""
    for value, _label in _options_of(schema):
        if format_plain(value) == text:
            return value
    return text


def format_choice(value: Any, schema: Mapping[str, Any]) -> str:
    return value if isinstance(value, str) else format_plain(value)


def option_list(schema: Mapping[str, Any], ui_labels: Any = None) -> tuple[tuple[str, str], ...]:
    """``((posted value, label), …)`` for a choice widget; ``ui:enumNames`` override the labels."""
    options = _options_of(schema)
    labels = [label for _, label in options]
    if isinstance(ui_labels, list) and len(ui_labels) == len(options):
        labels = [str(label) for label in ui_labels]
    return tuple((format_plain(value), label) for (value, _), label in zip(options, labels, strict=True))


def _identity(text: str, schema: Mapping[str, Any]) -> Any:
    return text


# ---------------------------------------------------------------------------------------------
# The built-in widgets

WIDGETS = WidgetRegistry()
_SCALARS = frozenset({"string", "integer", "number", "boolean", "null"})

WIDGETS.register("text", types={"string"})(_identity)
WIDGETS.register("textarea", types={"string"}, input_type="textarea")(_identity)
WIDGETS.register("email", types={"string"}, input_type="email", inputmode="email")(_identity)
WIDGETS.register("tel", types={"string"}, input_type="tel", inputmode="tel")(_identity)
WIDGETS.register("hidden", types=set(JSON_TYPES) - {"object", "array"}, input_type="hidden")(_identity)
WIDGETS.register("readonly", types=set(JSON_TYPES), input_type="none", editable=False)(_identity)
WIDGETS.register("select", types=_SCALARS, format=format_choice, input_type="select", choices=True)(parse_choice)
WIDGETS.register("radio", types=_SCALARS, format=format_choice, input_type="radio", choices=True)(parse_choice)
WIDGETS.register(
    "checkboxes", types={"array"}, format=format_choice, input_type="checkboxes", choices=True, multiple=True
)(parse_choice)


# Numbers use a text input with a numeric keyboard: <input type="number"> changes the value when
# the mouse wheel scrolls over it and rejects the German decimal comma in some browsers.
@WIDGETS.register("integer", types={"integer"}, inputmode="numeric")
def _parse_integer(text: str, schema: Mapping[str, Any]) -> Any:
    return parse_integer(text)


@WIDGETS.register("number", types={"number", "integer"}, inputmode="decimal")
def _parse_number(text: str, schema: Mapping[str, Any]) -> Any:
    return parse_decimal(text)


@WIDGETS.register("checkbox", types={"boolean"}, format=format_choice, input_type="checkbox")
def _parse_checkbox(text: str, schema: Mapping[str, Any]) -> Any:
    return parse_boolean(text)


# Dates are typed, not picked: scrolling a calendar back 80 years to a birth date is slow, and
# "15.11.1946" is what people say and what is printed on their documents.
@WIDGETS.register("date", types={"string"}, placeholder="TT.MM.JJJJ")
def _parse_date(text: str, schema: Mapping[str, Any]) -> Any:
    day = dates.parse_date(text)
    return day.isoformat() if day else text


@WIDGETS.register("datetime", types={"string"}, placeholder="TT.MM.JJJJ HH:MM")
def _parse_datetime(text: str, schema: Mapping[str, Any]) -> Any:
    moment = dates.parse_datetime(text)
    return dates.to_rfc3339(moment) if moment else text


_BY_TYPE = {"boolean": "checkbox", "integer": "integer", "number": "number"}
_BY_FORMAT = {"date": "date", "date-time": "datetime", "email": "email"}


def default_widget(schema: Mapping[str, Any]) -> str:
    """The widget for a field whose UI schema names none."""
    kind = primary_type(schema)
    if kind == "array":
        return "checkboxes"
    options = choice_options(schema)
    if options is not None:
        return "radio" if len(options) <= RADIO_MAX_OPTIONS else "select"
    if kind in _BY_TYPE:
        return _BY_TYPE[kind]
    return _BY_FORMAT.get(str(schema.get("format")), "text")
