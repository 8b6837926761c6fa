"""Facts about one resolved field schema: its JSON types, its options, JSON equality.

Options follow rjsf/spiff-arena: ``enum`` (labels from ``enumNames`` if given) or a ``oneOf``
/ ``anyOf`` whose members each fix one value with ``const`` (or a one-element ``enum``) and
name it with ``title``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

JSON_TYPES = ("string", "integer", "number", "boolean", "array", "object", "null")


def type_of(value: Any) -> str:
    """The JSON type name of a Python value (``bool`` is not a number here)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Sequence):
        return "array"
    return "object"


def json_types(schema: Mapping[str, Any]) -> tuple[str, ...]:
    """Declared types (``type`` string or list), else those of the ``const``/``enum``/option values."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return (declared,)
    if isinstance(declared, list):
        return tuple(t for t in declared if isinstance(t, str))
    values: list[Any] = []
    if "const" in schema:
        values = [schema["const"]]
    elif isinstance(schema.get("enum"), list):
        values = schema["enum"]
    elif (options := choice_options(schema)) is not None:
        values = [value for value, _ in options]
    found: list[str] = []
    for value in values:
        kind = type_of(value)
        if kind not in found:
            found.append(kind)
    if "object" not in found and isinstance(schema.get("properties"), Mapping):
        found.append("object")
    return tuple(found)


def primary_type(schema: Mapping[str, Any]) -> str | None:
    """The first declared type other than ``null`` (``["string", "null"]`` is a string field)."""
    return next((t for t in json_types(schema) if t != "null"), None)


def _member_value(member: Any) -> tuple[bool, Any]:
    if not isinstance(member, Mapping):
        return False, None
    if "const" in member:
        return True, member["const"]
    enum = member.get("enum")
    if isinstance(enum, list) and len(enum) == 1:
        return True, enum[0]
    return False, None


def choice_options(schema: Mapping[str, Any]) -> list[tuple[Any, str]] | None:
    """``[(value, label), …]`` if the schema is a closed list of values, else None."""
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        names = schema.get("enumNames")
        if isinstance(names, list) and len(names) == len(enum):
            return [(v, str(n)) for v, n in zip(enum, names, strict=True)]
        return [(v, label_of(v)) for v in enum]
    for key in ("oneOf", "anyOf"):
        members = schema.get(key)
        if isinstance(members, list) and members:
            found = [_member_value(m) for m in members]
            if all(ok for ok, _ in found):
                return [
                    (value, str(m.get("title", label_of(value)))) for (_, value), m in zip(found, members, strict=True)
                ]
    return None


def label_of(value: Any) -> str:
    """A readable label for an option without a title."""
    if isinstance(value, bool):
        return "Ja" if value else "Nein"
    return "" if value is None else str(value)


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON Schema's ``const``/``enum`` define it: ``true`` is not ``1``, ``1`` is ``1.0``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b
