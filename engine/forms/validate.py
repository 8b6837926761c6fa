"""Validating a submission, and converting between task data and form values.

:func:`validate_submission` is pure: it returns new cleaned data or raises
:class:`~engine.errors.InputInvalid` with German messages by field path; the input and the task
data are never changed, so a rejected step changes nothing.

Beyond JSON Schema it enforces two form rules: ``minimumDate``/``maximumDate`` of the form
``field:<name>`` (a sibling date), and spiff-arena's "a required checkbox must be ticked".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from engine.errors import InputInvalid
from engine.forms import dates
from engine.forms.clean import clean
from engine.forms.definition import FormDefinition
from engine.forms.layout import Field, visible
from engine.forms.messages import CONFIRM, explain


def submission_errors(
    form: FormDefinition, data: Mapping[str, Any], *, context: Mapping[str, Any] | None = None
) -> dict[str, list[str]]:
    """German messages by field path, ``{}`` if ``data`` is valid (e.g. for a preview); never raises."""
    return _errors(form, clean(form.layout, data, context))


def _errors(form: FormDefinition, cleaned: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        messages = errors.setdefault(path, [])
        if message not in messages:
            messages.append(message)

    for error in form.validator.iter_errors(cleaned):
        for path, message in explain(form, error):
            add(path, message)
    for path, message in _form_rules(form.layout, cleaned, ""):
        add(path, message)
    return errors


def validate_submission(
    form: FormDefinition, data: Mapping[str, Any], *, context: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The cleaned, validated and typed data of a submission (see :mod:`engine.forms.clean`).

    ``data`` is what the clerk submitted (posted strings from :func:`parse_posted` or JSON);
    ``context`` is the current task data, the source of display-only fields. Dates come back
    as ``datetime.date``, date-times as aware ``datetime``. Keys of the form that are missing
    from the result had no value (see :func:`apply_submission`).
    """
    cleaned = clean(form.layout, data, context)
    errors = _errors(form, cleaned)
    if errors:
        count = len(errors)
        raise InputInvalid(
            # Paths only: the values are personal data and must not reach the logs.
            f"form {form.name!r}: {count} invalid field(s): {', '.join(sorted(errors))}",
            errors=errors,
            user_message="Bitte prüfen Sie das markierte Feld."
            if count == 1
            else f"Bitte prüfen Sie die {count} markierten Felder.",
            form=form.name,
        )
    return _typed(form.layout, cleaned)


def _form_rules(field: Field, value: Any, path: str) -> Iterator[tuple[str, str]]:
    if field.kind == "object" and isinstance(value, Mapping):
        for sub in field.children:
            if not visible(sub.visible_if, value):
                continue
            sub_path = f"{path}/{sub.key}" if path else sub.key
            if sub.widget == "checkbox" and sub.required and value.get(sub.key) is False:
                yield sub_path, CONFIRM
            for keyword in ("minimumDate", "maximumDate"):
                yield from _field_bound(field, sub, value, keyword, sub_path)
            if sub.key in value:
                yield from _form_rules(sub, value[sub.key], sub_path)
    elif field.kind == "array" and isinstance(value, list) and field.item is not None:
        for i, row in enumerate(value):
            yield from _form_rules(field.item, row, f"{path}/{i}")


def _field_bound(
    obj: Field, sub: Field, values: Mapping[str, Any], keyword: str, path: str
) -> Iterator[tuple[str, str]]:
    expr = sub.schema.get(keyword)
    if not isinstance(expr, str) or not expr.startswith("field:"):
        return
    other = obj.child(expr[len("field:") :])
    mine, theirs = values.get(sub.key), values.get(other.key) if other else None
    if other is None or not isinstance(mine, str) or not isinstance(theirs, str):
        return
    day, bound = dates.parse_date(mine), dates.parse_date(theirs)
    if day is None or bound is None or not dates.is_iso_date(theirs):
        return
    if keyword == "minimumDate" and day < bound:
        yield path, f"Das Datum darf nicht vor dem {dates.format_date(bound)} („{other.title}“) liegen."
    if keyword == "maximumDate" and day > bound:
        yield path, f"Das Datum darf nicht nach dem {dates.format_date(bound)} („{other.title}“) liegen."


def _typed(field: Field, value: Any) -> Any:
    """ISO strings of date fields → ``date`` / aware ``datetime`` (validated, so they parse)."""
    if field.kind == "object" and isinstance(value, Mapping):
        by_key = {f.key: f for f in field.children}
        return {k: _typed(by_key[k], v) if k in by_key else v for k, v in value.items()}
    if field.kind == "array" and isinstance(value, list) and field.item is not None:
        return [_typed(field.item, row) for row in value]
    if field.kind == "value" and isinstance(value, str):
        fmt = field.schema.get("format")
        if fmt == "date" and dates.is_iso_date(value):
            return date.fromisoformat(value)
        if fmt == "date-time" and dates.is_rfc3339(value):
            return datetime.fromisoformat(value.upper())
    return value


def to_form_values(form: FormDefinition, task_data: Mapping[str, Any]) -> dict[str, Any]:
    """The values to pre-fill the form with: the form's fields from task data, dates as ISO text.

    Fields of every condition branch are taken (a hidden field keeps its value for when it is
    shown again); nothing else from the task data leaves the engine through a form.
    """
    return _form_values(form.layout, task_data if isinstance(task_data, Mapping) else {})


def _form_values(field: Field, value: Any) -> Any:
    if field.kind == "object" and isinstance(value, Mapping):
        return {sub.key: _form_values(sub, value[sub.key]) for sub in field.children if sub.key in value}
    if field.kind == "array" and isinstance(value, list | tuple) and field.item is not None:
        return [_form_values(field.item, row) for row in value]
    if field.kind == "choices" and isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if field.schema.get("format") == "date" else dates.to_rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def apply_submission(form: FormDefinition, task_data: Mapping[str, Any], cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """New task data: every top-level field of the form set from ``cleaned``, ``None`` if it has no value.

    ``None`` (not a missing key) because scripts read task data keys as variables: a cleared
    optional field must not leave its old value behind, nor make ``if telefon:`` a NameError.
    This matches spiff-arena, where an empty field is submitted as ``null``.
    """
    merged = dict(task_data)
    for sub in form.layout.children:
        if sub.readonly:
            continue
        merged[sub.key] = cleaned.get(sub.key)
    return merged
