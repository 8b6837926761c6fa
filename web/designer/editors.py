"""The draft's editors: BPMN modeler, DMN table editor, JSON-Schema form editor with preview.

- BPMN and DMN: the page holds the editor (``data-amtskoffer="modeler"`` / ``"dmn-modeler"``) and
  a hidden textarea the editor keeps in sync; "Speichern" posts it like any form. The problems
  the draft's validation found in the file (catalog check; bpmnlint runs live in the modeler)
  are passed to the modeler, which puts them on the elements, and listed below as text.
- Forms: schema and UI schema as JSON text areas; the preview renders the form with the clerk's
  own template (``_form.html``) from :func:`engine.forms.build_view`. "Vorschau aktualisieren"
  re-renders without saving (no JavaScript needed); ``static/js/designer.js`` refreshes the
  preview while typing through :func:`form_preview`. "Eingaben prüfen" validates what was
  typed into the preview exactly as a clerk's submission would be (nothing is stored), and the
  preview's own row buttons add and remove rows. Every form problem is listed with its line.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import undefer

from engine.catalog.package import PackageFiles
from engine.designer.drafts import DraftView
from engine.errors import Conflict, InputInvalid
from engine.forms import FormView, apply_row_action, build_view, check_form, load_form, parse_posted, row_action
from engine.forms.definition import FormProblem
from engine.forms.validate import submission_errors
from engine.runtime.helpers import HELPER_NAMES
from engine.store.models import PackageVersion
from web.context import actor, engine
from web.designer import bp, designer, load_draft, not_found_unless, revision
from web.designer.config import SCHEMA_SUFFIX, UI_SUFFIX, modeler_config


def _published_bpmn() -> dict[str, str]:
    """BPMN texts of the newest published version of every service (for message names)."""
    eng = engine()
    with eng.db.read() as s:
        ids = [i.version_id for i in eng.catalog.services_for(s)]
        rows = s.execute(select(PackageVersion).options(undefer(PackageVersion.files))
                         .where(PackageVersion.id.in_(ids))).scalars() if ids else []
        return {f"{pv.service_id}/{n}": t for pv in rows for n, t in pv.files.items()
                if n.endswith(".bpmn") and "/" not in n}


def _save_diagram(draft_id: uuid.UUID, path: str, xml: str) -> tuple[DraftView | None, str, int]:
    try:
        return designer().drafts.save(draft_id, {path: xml}, actor(), expected_revision=revision()), "", 200
    except InputInvalid as err:
        return None, " ".join([err.user_message, *(m for v in err.errors.values() for m in v)]), 422
    except Conflict as err:
        return None, err.user_message, 409


def _saved_message(view: DraftView, path: str) -> str:
    problems = view.validation.by_file().get(path, [])
    errors = sum(1 for p in problems if p.severity == "error")
    return _("„%(path)s“ gespeichert (Stand %(rev)s). In dieser Datei: %(errors)s Fehler, %(warnings)s Hinweis(e); "
             "im ganzen Entwurf: %(all)s Fehler.", path=path, rev=view.info.revision, errors=errors,
             warnings=len(problems) - errors, all=view.info.errors)


def _post_diagram(draft_id: uuid.UUID, name: str, field: str, endpoint: str,
                  view: DraftView) -> tuple[DraftView, str, str, int] | Any:
    """GET: the stored XML. POST: save and redirect, or keep what was posted with the error."""
    if request.method != "POST":
        return view, view.package.files[name], "", 200
    posted = request.form.get(field, "")
    saved, message, status = _save_diagram(draft_id, name, posted)
    if saved is not None:
        flash(_saved_message(saved, name), "erfolg")
        return redirect(url_for(endpoint, draft_id=draft_id, name=name))
    return load_draft(draft_id), posted, message, status


# -- BPMN -----------------------------------------------------------------------------------------
@bp.route("/drafts/<uuid:draft_id>/bpmn/<name>", methods=["GET", "POST"])
def edit_bpmn(draft_id: uuid.UUID, name: str) -> Any:
    view = load_draft(draft_id)
    not_found_unless(name in view.package.bpmn_files())
    outcome = _post_diagram(draft_id, name, "bpmn_xml", "designer.edit_bpmn", view)
    if not isinstance(outcome, tuple):
        return outcome
    view, xml, message, status = outcome
    config = modeler_config(registry=engine().registry, settings=engine().settings, package=view.package,
                            published=_published_bpmn(), problems=view.validation.problems, file=name)
    return render_template("designer/bpmn.html", title=_("Diagramm %(name)s", name=name), view=view, name=name,
                           xml=xml, config=config, problems=view.validation.by_file().get(name, []),
                           message=message, select=request.args.get("element", ""),
                           page_error=status >= 400), status


# -- DMN ------------------------------------------------------------------------------------------
@bp.route("/drafts/<uuid:draft_id>/dmn/<name>", methods=["GET", "POST"])
def edit_dmn(draft_id: uuid.UUID, name: str) -> Any:
    view = load_draft(draft_id)
    not_found_unless(name in view.package.dmn_files())
    outcome = _post_diagram(draft_id, name, "dmn_xml", "designer.edit_dmn", view)
    if not isinstance(outcome, tuple):
        return outcome
    view, xml, message, status = outcome
    return render_template("designer/dmn.html", title=_("Entscheidungstabelle %(name)s", name=name), view=view,
                           name=name, xml=xml, problems=view.validation.by_file().get(name, []), message=message,
                           page_error=status >= 400), status


# -- forms ----------------------------------------------------------------------------------------
EDITOR_FIELDS = ("_schema", "_uischema")
"""Names of the editor's own text areas; the preview's inputs are the form's field names."""


def _paths(name: str) -> tuple[str, str]:
    return f"forms/{name}{SCHEMA_SUFFIX}", f"forms/{name}{UI_SUFFIX}"


def preview(name: str, schema_text: str, ui_text: str, posted: Mapping[str, Any] | None, *,
            check: bool) -> tuple[list[FormProblem], FormView | None, bool]:
    """(problems, preview view, whether checked input was valid) of the form texts.

    ``posted``: what was typed into the preview (None: an empty form); ``check``: validate it
    like a clerk's submission. A row button in ``posted`` adds or removes a row instead.
    """
    schema_file, ui_file = _paths(name)
    ui = ui_text if ui_text.strip() else None
    problems = check_form(schema_text, ui, schema_file=schema_file, ui_file=ui_file if ui else None,
                          reserved=HELPER_NAMES)
    if problems:
        return problems, None, False
    form = load_form(schema_text, ui, schema_file=schema_file, ui_file=ui_file if ui else None,
                     reserved=HELPER_NAMES)
    values = parse_posted(form, posted) if posted is not None else {}
    errors = None
    action = row_action(posted) if posted is not None else None
    if action is not None:
        values = apply_row_action(form, values, action)
    elif check:
        errors = submission_errors(form, values, context={})
    return [], build_view(form, values, errors, context={}), check and action is None and not errors


@bp.route("/drafts/<uuid:draft_id>/forms/<name>", methods=["GET", "POST"])
def edit_form(draft_id: uuid.UUID, name: str) -> Any:
    view = load_draft(draft_id)
    schema_path, ui_path = _paths(name)
    not_found_unless(schema_path in view.package.files)
    schema_text = view.package.files[schema_path]
    ui_text = view.package.files.get(ui_path, "")
    message, status, posted, action = "", 200, None, "preview"
    if request.method == "POST":
        schema_text = request.form.get("_schema", "")
        ui_text = request.form.get("_uischema", "")
        action = request.form.get("_action", "preview")
        posted = request.form
        if action == "save":
            changes: dict[str, str | None] = {schema_path: schema_text,
                                              ui_path: ui_text if ui_text.strip() else None}
            if not ui_text.strip() and ui_path not in view.package.files:
                changes.pop(ui_path)
            try:
                saved = designer().drafts.save(draft_id, changes, actor(), expected_revision=revision())
            except InputInvalid as err:
                message, status = " ".join([err.user_message, *(m for v in err.errors.values() for m in v)]), 422
            except Conflict as err:
                message, status = err.user_message, 409
            else:
                flash(_saved_message(saved, schema_path), "erfolg")
                return redirect(url_for("designer.edit_form", draft_id=draft_id, name=name))
            view = load_draft(draft_id)
    problems, form_view, valid = preview(name, schema_text, ui_text, posted, check=action == "submit")
    return render_template("designer/form.html", title=_("Formular %(name)s", name=name), view=view, name=name,
                           schema_text=schema_text, ui_text=ui_text, problems=problems, form_view=form_view,
                           checked=action == "submit", valid=valid, message=message,
                           schema_path=schema_path, ui_path=ui_path, users=_users_of(view.package, name),
                           page_error=status >= 400), status


@bp.post("/drafts/<uuid:draft_id>/forms/<name>/preview")
def form_preview(draft_id: uuid.UUID, name: str) -> Any:
    """The preview fragment for ``static/js/designer.js`` (same inputs as the editor's form)."""
    view = load_draft(draft_id)
    not_found_unless(_paths(name)[0] in view.package.files)
    problems, form_view, valid = preview(name, request.form.get("_schema", ""), request.form.get("_uischema", ""),
                                         request.form, check=False)
    return render_template("designer/_form_preview.html", problems=problems, form_view=form_view, checked=False,
                           valid=valid)


def _users_of(package: PackageFiles, name: str) -> list[str]:
    """Diagram files whose user tasks name this form (for the editor's heading)."""
    wanted = f'"{name}{SCHEMA_SUFFIX}"'
    return [n for n in package.bpmn_files() if wanted in package.files[n]]
