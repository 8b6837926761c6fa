"""Checking the data a designer maps into a message, before any XML is produced.

Contract: a message type's ``input.schema.json`` is a JSON Schema (draft 2020-12). Besides
the standard keywords it may use

- ``"x-din91379": "A" | "B" | "C"`` on a string: every character (after NFC) must be in
  that DIN SPEC 91379 datatype (A: names of persons, B: names of places and streets,
  C: other text);
- ``"x-codelist": "<listURI>"`` on a string: the value must be a code of that list in the
  central :class:`~engine.xoev.codelists.CodeListRegistry` (any value if its codes are not
  available offline);
- ``"format": "date"`` (``YYYY-MM-DD``), ``"partial-date"`` (``YYYY``, ``YYYY-MM`` or
  ``YYYY-MM-DD``), ``"date-time"`` (ISO 8601 with time zone) – always enforced.

:func:`input_errors` returns ``{field path: [German messages]}``; the path joins keys and
0-based list indexes with ``/`` (``umzugsverbaende/0/personen/1/vornamen``). :func:`normalize`
returns the JSON form of the data with every string in NFC.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators

from engine import din91379
from engine.xoev.codelists import CodeListRegistry

_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_DIN_DATATYPES = ("A", "B", "C")
_TYPE_NAMES = {
    "string": "Text",
    "integer": "ganze Zahl",
    "number": "Zahl",
    "boolean": "Ja/Nein-Wert",
    "array": "Liste",
    "object": "Gruppe von Angaben",
    "null": "leerer Wert",
}


def normalize(value: Any) -> Any:
    """JSON form of ``value``: dates as ISO strings, mappings as dicts, every string NFC."""
    # Exact types first: message data is plain dicts, lists and text, and the abstract-class
    # checks below cost more than the work itself.
    kind = type(value)
    if kind is str:
        return unicodedata.normalize("NFC", value)
    if kind is dict:
        return {str(k): normalize(v) for k, v in value.items()}
    if kind is list:
        return [normalize(v) for v in value]
    if value is None or kind is bool or kind is int:
        return value
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): normalize(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return [normalize(v) for v in value]
    return value


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("date", raises=ValueError)
    def _date(value: object) -> bool:
        if not isinstance(value, str):
            return True
        return re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None and bool(date.fromisoformat(value))

    @checker.checks("partial-date", raises=ValueError)
    def _partial(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not _PARTIAL_DATE.match(value):
            return False
        padded = value + "-01" * ((10 - len(value)) // 3)
        return bool(date.fromisoformat(padded))

    @checker.checks("date-time", raises=ValueError)
    def _datetime(value: object) -> bool:
        if not isinstance(value, str):
            return True
        moment = datetime.fromisoformat(value)
        return "T" in value and moment.tzinfo is not None

    return checker


FORMATS = _format_checker()
"""The format checker of every input schema (the quick check uses the same one)."""


def _din_keyword(bundle: Path):  # type: ignore[no-untyped-def]
    def check(validator, datatype, instance, schema) -> Iterator[ValidationError]:  # type: ignore[no-untyped-def]
        if not isinstance(instance, str):
            return
        if datatype not in _DIN_DATATYPES:
            yield ValidationError(f"unknown DIN SPEC 91379 datatype {datatype!r} in the schema")
            return
        if not din91379.is_valid(instance, datatype, bundle=bundle):
            bad = din91379.invalid_characters(instance, datatype, bundle=bundle)
            yield ValidationError(f"characters outside DIN SPEC 91379 datatype {datatype}: {bad!r}",
                                  validator_value=bad)

    return check


def _codelist_keyword(registry: CodeListRegistry):  # type: ignore[no-untyped-def]
    def check(validator, list_uri, instance, schema) -> Iterator[ValidationError]:  # type: ignore[no-untyped-def]
        if not isinstance(instance, str):
            return
        code_list = registry.get(list_uri)
        if instance not in code_list:
            yield ValidationError(f"{instance!r} is not a code of {list_uri} version {code_list.version}",
                                  validator_value=(list_uri, code_list.version))

    return check


def make_validator(schema: Mapping[str, Any], registry: CodeListRegistry, bundle: Path) -> Draft202012Validator:
    """A validator for ``schema`` with the Amtskoffer keywords bound to registry and bundle."""
    cls = validators.extend(
        Draft202012Validator,
        {"x-din91379": _din_keyword(bundle), "x-codelist": _codelist_keyword(registry)},
    )
    return cls(schema, format_checker=FORMATS)


def _path(parts: Sequence[object]) -> str:
    return "/".join(str(p) for p in parts)


def _german(error: ValidationError) -> list[tuple[str, str]]:
    """(field path, German message) pairs for one jsonschema error."""
    path = list(error.absolute_path)
    kind = error.validator
    value = error.validator_value
    if kind == "required":
        missing = [name for name in value if isinstance(error.instance, dict) and name not in error.instance]
        return [(_path([*path, name]), "Pflichtangabe fehlt.") for name in missing]
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        return [(_path([*path, name]), "Dieses Feld ist nicht vorgesehen.") for name in extra]
    if kind == "x-din91379":
        shown = ", ".join(f"„{c}“ (U+{ord(c[0]):04X})" for c in value)
        return [(_path(path), f"Enthält Zeichen, die nach DIN SPEC 91379 nicht zulässig sind: {shown}.")]
    if kind == "x-codelist":
        list_uri, version = value
        return [(_path(path), f"Der Schlüssel „{error.instance}“ ist in der Codeliste {list_uri} "
                              f"(Version {version}) nicht enthalten.")]
    messages = {
        "type": lambda: "Erwartet wird: " + " oder ".join(
            _TYPE_NAMES.get(t, t) for t in ([value] if isinstance(value, str) else value)) + ".",
        "enum": lambda: "Unzulässiger Wert. Erlaubt: " + ", ".join(str(v) for v in value) + ".",
        "const": lambda: f"Erlaubt ist nur der Wert {value}.",
        "pattern": lambda: "Das Format ist ungültig.",
        "minLength": lambda: "Darf nicht leer sein." if value == 1 else f"Mindestens {value} Zeichen.",
        "maxLength": lambda: f"Höchstens {value} Zeichen.",
        "minItems": lambda: f"Mindestens {value} Einträge." if value != 1 else "Mindestens ein Eintrag.",
        "maxItems": lambda: f"Höchstens {value} Einträge.",
        "minimum": lambda: f"Der Wert muss mindestens {value} sein.",
        "maximum": lambda: f"Der Wert darf höchstens {value} sein.",
        "format": lambda: {
            "date": "Bitte ein Datum im Format JJJJ-MM-TT angeben.",
            "partial-date": "Bitte ein Datum als JJJJ, JJJJ-MM oder JJJJ-MM-TT angeben.",
            "date-time": "Bitte einen Zeitpunkt mit Uhrzeit und Zeitzone angeben.",
        }.get(value, "Das Format ist ungültig."),
    }
    text = messages.get(kind, lambda: "Der Wert ist ungültig.")()
    return [(_path(path), text)]


def input_errors(validator: Draft202012Validator, data: Any) -> dict[str, list[str]]:
    """German messages per field; empty if ``data`` (already :func:`normalize`-d) is valid."""
    errors: dict[str, list[str]] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        for path, message in _german(error):
            if message not in errors.setdefault(path, []):
                errors[path].append(message)
    return errors


def unchecked_strings(schema: Any, path: str = "") -> list[str]:
    """Schema locations of ``"type": "string"`` without a character or value check.

    Free text must name its DIN SPEC 91379 datatype (or be a code, enum, const, format or
    pattern), so that no unchecked text can reach a message.
    """
    found: list[str] = []
    if isinstance(schema, Mapping):
        types = schema.get("type")
        is_string = types == "string" or (isinstance(types, list) and "string" in types)
        guards = ("x-din91379", "x-codelist", "enum", "const", "format", "pattern")
        if is_string and not any(g in schema for g in guards):
            found.append(path or "/")
        for key, sub in schema.items():
            found += unchecked_strings(sub, f"{path}/{key}")
    elif isinstance(schema, list):
        for index, sub in enumerate(schema):
            found += unchecked_strings(sub, f"{path}/{index}")
    return found
