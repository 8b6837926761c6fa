"""Cleaning submitted data before validation: the form's fields only, normalised, typed.

What happens, field by field along the layout (nothing is changed in place):

- keys the form does not declare are dropped, at every depth (spiff-arena's ``omitExtraData``),
  and so are fields hidden by their condition: the server never takes a value the clerk could
  not see;
- strings are NFC-normalised and stripped; an empty string means "no value" (the key is left
  out, so ``required`` reports it); ``null`` too, unless the schema allows ``null``;
- posted text is converted by the field's widget and then by the schema type: ``"42"`` → 42,
  ``"3,5"`` → 3.5, ``"on"`` → True, ``"15.11.2026"`` → ``"2026-11-15"``; text that cannot be
  converted stays text, so validation reports it in German;
- ``date``/``datetime`` objects (data from scripts or tests) become ISO strings;
- display-only (``readonly``) fields take their value from ``context`` (the task data), never
  from the submission;
- rows of a list of objects keep their positions (an empty row stays ``{}``), so error paths
  such as ``personen/1/vorname`` match the rows on the page; blank entries of a list of single
  values are dropped.

A condition is evaluated on the cleaned values of the fields before it (fields that are always
shown come first), so a field may depend on a field that itself depends on another.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from engine import din91379
from engine.forms import dates
from engine.forms.layout import Field, visible
from engine.forms.schemas import json_types
from engine.forms.widgets import WIDGETS, coerce_text


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()
"""Marks "no value": the key is left out of the cleaned data."""


def child_value(container: Any, key: str | int) -> Any:
    """``container[key]`` for a mapping key or list index, ABSENT if it is not there."""
    if isinstance(key, str):
        return container.get(key, ABSENT) if isinstance(container, Mapping) else ABSENT
    if isinstance(container, Sequence) and not isinstance(container, str) and key < len(container):
        return container[key]
    return ABSENT


def normalize_text(text: str) -> str:
    """NFC, Unix newlines, no surrounding whitespace."""
    return din91379.normalize(text).replace("\r\n", "\n").replace("\r", "\n").strip()


def _cleaned_children(field: Field, raw: Mapping[str, Any], context: Any) -> Iterator[tuple[Field, Any]]:
    """``(child, cleaned value or ABSENT)`` for each visible child of object ``field``."""
    out: dict[str, Any] = {}
    for sub in field.children:
        if not visible(sub.visible_if, out):
            continue
        value = clean_value(sub, raw.get(sub.key, ABSENT), child_value(context, sub.key))
        if value is not ABSENT:
            out[sub.key] = value
        yield sub, value


def clean_object(field: Field, raw: Mapping[str, Any], context: Any) -> dict[str, Any]:
    """The cleaned values of the visible fields of object ``field``."""
    return {sub.key: value for sub, value in _cleaned_children(field, raw, context) if value is not ABSENT}


def visible_keys(field: Field, raw: Mapping[str, Any], context: Any = ABSENT) -> set[str]:
    """Keys of the children of object ``field`` shown for the (uncleaned) values ``raw``.

    ``context`` (task data at the same place) supplies display-only fields, which may control
    conditions too.
    """
    return {sub.key for sub, _ in _cleaned_children(field, raw, context)}


def clean_value(field: Field, raw: Any, context: Any = ABSENT) -> Any:
    """The cleaned value of one field, or ABSENT."""
    if field.readonly:
        raw = context
    if raw is ABSENT:
        return ABSENT
    if raw is None:
        return None if "null" in json_types(field.schema) else ABSENT
    if field.kind == "object" and isinstance(raw, Mapping):
        cleaned = clean_object(field, raw, context)
        return cleaned if cleaned or field.required else ABSENT
    if field.kind == "array" and _is_list(raw):
        assert field.item is not None
        rows = [clean_value(field.item, row, child_value(context, i)) for i, row in enumerate(raw)]
        if field.item.kind == "object":
            return [{} if row is ABSENT else row for row in rows]
        return [row for row in rows if row is not ABSENT]
    if field.kind == "choices" and _is_list(raw):
        items = [_scalar(field, item) for item in raw]
        return [item for item in items if item is not ABSENT]
    return _scalar(field, raw)


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _scalar(field: Field, raw: Any) -> Any:
    schema = field.schema
    if isinstance(raw, str):
        text = normalize_text(raw)
        if not text:
            return ABSENT
        widget = WIDGETS[field.widget] if field.widget in WIDGETS else WIDGETS["text"]
        value = widget.parse(text, schema)
        return coerce_text(value, schema) if isinstance(value, str) else value
    if isinstance(raw, datetime):
        return raw.date().isoformat() if schema.get("format") == "date" else dates.to_rfc3339(raw)
    if isinstance(raw, date):
        return raw.isoformat()
    if isinstance(raw, tuple):
        return list(raw)
    if isinstance(raw, Decimal):  # scripts compute fees with Decimal; JSON Schema knows only numbers
        return int(raw) if raw == raw.to_integral_value() else float(raw)
    return raw


def clean(root: Field, data: Mapping[str, Any], context: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Cleaned data of a whole form (the root object of its layout)."""
    return clean_object(root, data if isinstance(data, Mapping) else {}, context if context is not None else ABSENT)
