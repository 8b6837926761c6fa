"""Loading and checking a form: ``forms/<service_id>/<name>.schema.json`` (+ ``<name>.uischema.json``).

:func:`check_form` reports every problem of a form (for the designer, at publish time) and
never raises. :func:`load_form` returns a :class:`FormDefinition` or raises
:class:`~engine.errors.DesignError` for the first problem (with all of them in
``context["problems"]``), so a broken form never reaches a clerk.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePath
from typing import Any

from jsonschema.protocols import Validator

from engine.errors import DesignError
from engine.forms import checks
from engine.forms.dialect import DRAFT_2020_12, dialect_of, make_validator
from engine.forms.jsonpos import Positions, locate
from engine.forms.layout import Field, Finding, build_layout

SCHEMA_SUFFIX = ".schema.json"
UI_SUFFIX = ".uischema.json"


@dataclass(frozen=True, slots=True, kw_only=True)
class FormProblem:
    """One problem of a form file, located for the designer."""

    file: str
    pointer: str
    """JSON pointer into ``file`` (``""`` for the whole file)."""
    line: int | None
    """1-based line, best effort."""
    message: str
    """English, for logs."""
    user_message: str
    """German, for the designer."""
    column: int | None = None


@dataclass(frozen=True, eq=False)
class FormDefinition:
    """A checked form. Treat ``schema`` and ``ui_schema`` as read-only: derived data is cached."""

    name: str
    schema: dict[str, Any]
    ui_schema: dict[str, Any]
    dialect: str
    schema_file: str
    ui_file: str | None

    @cached_property
    def layout(self) -> Field:
        """The field tree (see :mod:`engine.forms.layout`); the root is an object field."""
        return build_layout(self.schema, self.ui_schema, self.dialect)[0]

    @cached_property
    def validator(self) -> Validator:
        return make_validator(self.schema, self.dialect)

    @property
    def field_names(self) -> tuple[str, ...]:
        """Top-level fields, i.e. the task data keys this form writes."""
        return tuple(f.key for f in self.layout.children)

    def field_at(self, path: str) -> Field | None:
        """The field at a data path (``personen/1/vorname``; row numbers are skipped)."""
        current: Field | None = self.layout
        for part in (p for p in path.split("/") if p):
            if current is None:
                return None
            if current.kind == "array":
                current = current.item if part.isdigit() else None
            elif current.kind == "choices" and part.isdigit():
                return current
            else:
                current = current.child(part)
        return current


def form_name(schema_file: str) -> str:
    """``person`` for ``forms/x/person.schema.json`` (also spiff-arena's ``person-schema.json``)."""
    base = PurePath(schema_file).name
    for suffix in (SCHEMA_SUFFIX, "-schema.json", ".json"):
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')


def _constant_position(text: str) -> tuple[int, int]:
    """Line and column of the first NaN/Infinity outside a string (Python's json accepts them)."""
    offset = next((m.start(1) for m in _CONSTANT.finditer(text) if m.group(1)), 0)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


_UNREADABLE = object()
"""What _parse returns for a file that is not JSON (``None`` is the JSON value ``null``)."""


def _parse(text: str | None, file: str | None, problems: list[FormProblem]) -> tuple[Any, Positions | None]:
    if text is None or file is None:
        return {}, None

    def refuse_constant(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        data = json.loads(text, parse_constant=refuse_constant)
    except json.JSONDecodeError as err:
        problems.append(
            FormProblem(
                file=file,
                pointer="",
                line=err.lineno,
                column=err.colno,
                message=f"invalid JSON: {err.msg} (line {err.lineno}, column {err.colno})",
                user_message=f"Die Datei ist kein gültiges JSON (Zeile {err.lineno}, Spalte {err.colno}).",
            )
        )
        return _UNREADABLE, None
    except ValueError as err:
        line, column = _constant_position(text)
        problems.append(
            FormProblem(
                file=file,
                pointer="",
                line=line,
                column=column,
                message=f"{err} (line {line}, column {column})",
                user_message=f"Die Datei enthält NaN oder Infinity; das ist kein JSON (Zeile {line}, Spalte {column}).",
            )
        )
        return _UNREADABLE, None
    positions = locate(text)
    for pointer in positions.duplicates:
        line_col = positions.line_col(pointer)
        problems.append(
            FormProblem(
                file=file,
                pointer=pointer,
                line=line_col[0] if line_col else None,
                column=line_col[1] if line_col else None,
                message=f"duplicate key at {pointer}; JSON keeps only the last one",
                user_message="Der Schlüssel „"
                + pointer.rsplit("/", 1)[-1]
                + "“ steht doppelt; nur der letzte würde gelten.",
            )
        )
    return data, positions


def check_form(
    schema_text: str,
    ui_text: str | None,
    *,
    schema_file: str,
    ui_file: str | None,
    reserved: frozenset[str] = frozenset(),
) -> list[FormProblem]:
    """Every problem of the form, in file order per check; ``[]`` if the form is fine.

    ``reserved`` are names a top-level field must not have (the script helpers, e.g. ``today``).
    """
    problems: list[FormProblem] = []
    schema, schema_pos = _parse(schema_text, schema_file, problems)
    ui, ui_pos = _parse(ui_text, ui_file, problems)
    if ui is _UNREADABLE:
        ui = {}
    elif not isinstance(ui, dict):
        problems.append(
            FormProblem(
                file=str(ui_file),
                pointer="",
                line=1,
                message="UI schema must be an object",
                user_message="Die Oberflächenbeschreibung muss ein JSON-Objekt sein.",
            )
        )
        ui = {}
    if schema is _UNREADABLE:
        return problems
    findings: list[Finding] = []
    dialect = DRAFT_2020_12
    if isinstance(schema, dict):
        try:
            dialect = dialect_of(schema)
        except ValueError as err:
            findings.append(
                Finding(
                    "schema",
                    "/$schema",
                    str(err),
                    "Unbekannter Schema-Dialekt; erlaubt sind JSON Schema 2020-12 (Standard, "
                    "ohne „$schema“) und draft-07.",
                )
            )
            return problems + _locate(findings, schema_file, schema_pos, ui_file, ui_pos)
    findings += checks.check_metaschema(schema, dialect)
    root, layout_findings = build_layout(schema, ui or {}, dialect)
    findings += checks.check_root(schema, root)
    findings += checks.check_keywords(schema, dialect)
    findings += checks.check_refs(schema, dialect)
    findings += checks.check_subschemas(schema, dialect)
    findings += layout_findings
    findings += checks.check_names(root, reserved)
    findings += checks.check_object_rules(root, schema, dialect)
    findings += checks.check_autofocus(root)
    return problems + _locate(_unique(findings), schema_file, schema_pos, ui_file, ui_pos)


def _unique(findings: list[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))


def _locate(
    findings: list[Finding],
    schema_file: str,
    schema_pos: Positions | None,
    ui_file: str | None,
    ui_pos: Positions | None,
) -> list[FormProblem]:
    located = []
    for f in findings:
        file, positions = (schema_file, schema_pos) if f.where == "schema" else (ui_file or "", ui_pos)
        line_col = positions.line_col(f.pointer) if positions else None
        located.append(
            FormProblem(
                file=file,
                pointer=f.pointer,
                line=line_col[0] if line_col else None,
                column=line_col[1] if line_col else None,
                message=f.message,
                user_message=f.user_message,
            )
        )
    return located


def load_form(
    schema_text: str,
    ui_text: str | None,
    *,
    schema_file: str,
    ui_file: str | None,
    reserved: frozenset[str] = frozenset(),
) -> FormDefinition:
    """A checked form; raises DesignError (file, pointer, line, column, problems) if anything is wrong."""
    problems = check_form(schema_text, ui_text, schema_file=schema_file, ui_file=ui_file, reserved=reserved)
    if problems:
        first = problems[0]
        where = f"Zeile {first.line}" if first.line else (first.pointer or "Datei")
        raise DesignError(
            f"{first.file}:{first.line or '?'} {first.pointer or '/'}: {first.message}"
            + (f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""),
            user_message=f"Formular {first.file}, {where}: {first.user_message}",
            file=first.file,
            pointer=first.pointer,
            line=first.line,
            column=first.column,
            problems=problems,
        )
    schema = json.loads(schema_text)
    ui = json.loads(ui_text) if ui_text is not None else {}
    return FormDefinition(
        name=form_name(schema_file),
        schema=schema,
        ui_schema=ui,
        dialect=dialect_of(schema),
        schema_file=schema_file,
        ui_file=ui_file,
    )


def read_form(schema_path: Path, *, reserved: frozenset[str] = frozenset()) -> FormDefinition:
    """Load ``<name>.schema.json`` and, if present, ``<name>.uischema.json`` beside it."""
    name = form_name(str(schema_path))
    ui_path = schema_path.with_name(name + UI_SUFFIX)
    ui_text = ui_path.read_text(encoding="utf-8") if ui_path.exists() else None
    return load_form(
        schema_path.read_text(encoding="utf-8"),
        ui_text,
        schema_file=str(schema_path),
        ui_file=str(ui_path) if ui_text is not None else None,
        reserved=reserved,
    )
