"""JSON Schema forms: load and check, validate submissions, and a render model for the web.

A form is ``forms/<service_id>/<name>.schema.json`` (JSON Schema 2020-12 by default, draft-07
if ``$schema`` says so) plus an optional ``<name>.uischema.json`` (rjsf conventions). The
designer-facing contract is the forms section of ``docs/process-authoring.md``.

Public API (import from here; the submodules are implementation):

- designing: :func:`check_form` (all problems, never raises), :func:`load_form` /
  :func:`read_form` (a :class:`FormDefinition` or :class:`~engine.errors.DesignError`);
- running a user task: :func:`to_form_values` (pre-fill), :func:`validate_submission`
  (clean + validate + type; pure, raises :class:`~engine.errors.InputInvalid` with German
  messages by field path), :func:`apply_submission` (merge into task data);
- web: :func:`build_view` → :class:`FormView` / :class:`FieldView`, :func:`parse_posted`
  (posted names → nested values), :func:`row_action` / :func:`apply_row_action`;
- widgets: :data:`WIDGETS`, a :class:`WidgetRegistry` of input kinds by id.

This package imports no web framework, no database and no runtime code.
"""

from engine.forms.definition import FormDefinition, FormProblem, check_form, load_form, read_form
from engine.forms.posted import (
    ADD_ROW,
    REMOVE_ROW,
    RowAction,
    apply_row_action,
    data_path,
    html_name,
    parse_posted,
    row_action,
)
from engine.forms.render import ErrorLink, FieldView, FormView, ShowWhen, build_view
from engine.forms.validate import apply_submission, submission_errors, to_form_values, validate_submission
from engine.forms.widgets import WIDGETS, Widget, WidgetRegistry

__all__ = [
    "ADD_ROW",
    "REMOVE_ROW",
    "WIDGETS",
    "ErrorLink",
    "FieldView",
    "FormDefinition",
    "FormProblem",
    "FormView",
    "RowAction",
    "ShowWhen",
    "Widget",
    "WidgetRegistry",
    "apply_row_action",
    "apply_submission",
    "build_view",
    "check_form",
    "data_path",
    "html_name",
    "load_form",
    "parse_posted",
    "read_form",
    "row_action",
    "submission_errors",
    "to_form_values",
    "validate_submission",
]
