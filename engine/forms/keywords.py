"""Our JSON Schema keywords and formats, plugged into ``jsonschema`` validators.

- ``minimumDate`` / ``maximumDate`` (spiff-arena's names): the date must not lie before / after
  the bound (inclusive). ``field:<name>`` bounds need the sibling value, which a keyword
  function cannot see; :mod:`engine.forms.validate` checks those, so here they are skipped.
- ``x-din91379``: ``"A"`` (names of persons), ``"B"`` (names of places, streets, organisations)
  or ``"C"`` (other text); the string must consist of DIN SPEC 91379 characters of that type.
- ``required``, ``dependentRequired`` and draft-07 ``dependencies`` are replaced by versions
  that report the error *at the missing field* (``personen/1/vorname``) instead of at the
  object, so the message can be shown next to the empty input.
- Formats ``date``, ``date-time``, ``email`` are checked by our own functions: jsonschema's
  ``date-time`` check silently passes unless an optional package is installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from jsonschema import FormatChecker, ValidationError

from engine import clock, din91379
from engine.forms import dates

DIN_KINDS = ("A", "B", "C")

# Deliberately simple: one "@", no spaces, a dot in the domain. Stricter RFC 5322 checks reject
# real addresses more often than they catch typos; the clerk reads the address back anyway.
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")


class DateBoundError(ValidationError):
    """A ``minimumDate``/``maximumDate`` violation; carries the concrete day for the message."""

    bound: date


def _date_bound(expr: Any, instance: Any, *, later: bool) -> Iterator[ValidationError]:
    if not isinstance(instance, str) or not dates.is_iso_date(instance):
        return  # not a date at all: the format check reports it
    try:
        bound = dates.parse_bound(expr).resolve(clock.today())
    except ValueError:
        return  # check_form reports invalid expressions; a loaded form never has one
    if bound is None:
        return  # field reference, checked in validate.py
    day = dates.parse_date(instance)
    assert day is not None
    if (day > bound) if later else (day < bound):
        relation = "after" if later else "before"
        error = DateBoundError(f"{instance} is {relation} {bound.isoformat()}")
        error.bound = bound
        yield error


def minimum_date(validator: Any, expr: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[Any]:
    yield from _date_bound(expr, instance, later=False)


def maximum_date(validator: Any, expr: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[Any]:
    yield from _date_bound(expr, instance, later=True)


def din_characters(validator: Any, kind: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[Any]:
    if isinstance(instance, str) and kind in DIN_KINDS and not din91379.is_valid(instance, kind):
        # The characters go into the German message (built from error.instance); the English
        # text stays free of user input because it may end up in logs.
        yield ValidationError(f"string contains characters outside DIN SPEC 91379 datatype {kind}")


def required(validator: Any, names: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for name in names:
        if name not in instance:
            yield ValidationError(f"{name!r} is a required property", path=(name,))


def _dependent_required_of(trigger: str, names: Any, instance: Mapping[str, Any]) -> Iterator[Any]:
    for name in names:
        if name not in instance:
            error = ValidationError(f"{name!r} is a dependency of {trigger!r}", path=(name,))
            error.trigger = trigger  # type: ignore[attr-defined]
            yield error


def dependent_required(validator: Any, deps: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for trigger, names in deps.items():
        if trigger in instance:
            yield from _dependent_required_of(trigger, names, instance)


def dependencies_draft7(validator: Any, deps: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for trigger, dependency in deps.items():
        if trigger not in instance:
            continue
        if validator.is_type(dependency, "array"):
            yield from _dependent_required_of(trigger, dependency, instance)
        else:
            yield from validator.descend(instance, dependency, schema_path=trigger)


KEYWORDS = {
    "minimumDate": minimum_date,
    "maximumDate": maximum_date,
    "x-din91379": din_characters,
    "required": required,
}
KEYWORDS_2020_12 = {**KEYWORDS, "dependentRequired": dependent_required}
KEYWORDS_DRAFT_07 = {**KEYWORDS, "dependencies": dependencies_draft7}


def format_checker() -> FormatChecker:
    """A checker for exactly the formats forms use; other formats stay annotations."""
    checker = FormatChecker(formats=())

    @checker.checks("date")
    def _date(value: object) -> bool:
        return not isinstance(value, str) or dates.is_iso_date(value)

    @checker.checks("date-time")
    def _date_time(value: object) -> bool:
        return not isinstance(value, str) or dates.is_rfc3339(value)

    @checker.checks("email")
    def _email(value: object) -> bool:
        return not isinstance(value, str) or _EMAIL.fullmatch(value) is not None

    return checker
