"""The sandbox pages: step through a draft as a clerk would, without consequences.

Everything runs through :class:`engine.designer.sandbox.SandboxService` (the draft's own SQLite
database with the demo authorities and fictitious demo residents; register changes stay there,
XMeld messages and orders are validated and *held*, never sent). The designer acts as a clerk of
any demo authority that has the service's authority role. The steps use the clerk's form
template, so what the designer sees is what a clerk will see; a rejected step shows the German
messages at the fields and keeps what was typed. The sandbox clock can be moved forward (timers
fire), business messages can be delivered as a partner authority would, and "Zurücksetzen"
deletes the sandbox.
"""

from __future__ import annotations

import json
import tomllib
import uuid
from datetime import timedelta
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.catalog.package import PackageFiles, parse_manifest
from engine.documents import DocumentService
from engine.errors import DesignError, InputInvalid, NotFound
from engine.forms import apply_row_action, build_view, parse_posted, row_action
from engine.service_layer.views import CaseView, TaskView
from web.clerk.queries import form_labels
from web.context import actor, engine
from web.designer import bp, designer, load_draft

MAX_ADVANCE_DAYS = 3660


def sandbox_authorities(package: PackageFiles) -> list[dict[str, str]]:
    """Demo authorities of the sandbox that may run the package ({key, name}), by name."""
    manifest, _problems = parse_manifest(package)
    path = designer().sandbox.authorities_file
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return []
    role = manifest.authority_role if manifest is not None else None
    found = [{"key": a["key"], "name": a.get("name", a["key"])} for a in data.get("authority", [])
             if isinstance(a, dict) and a.get("key") and a.get("kind") != "extern"
             and (role is None or role in (a.get("roles") or []))]
    return sorted(found, key=lambda a: a["name"])


@bp.get("/drafts/<uuid:draft_id>/sandbox")
def sandbox(draft_id: uuid.UUID) -> Any:
    view = load_draft(draft_id)
    service = designer().sandbox
    act = actor()
    own = {a.key for a in engine().authorities.all() if act.authority_ids is None or a.id in act.authority_ids}
    return render_template("designer/sandbox.html", title=_("Sandbox: %(id)s", id=view.info.service_id), view=view,
                           cases=service.cases(draft_id, act), authorities=sandbox_authorities(view.package),
                           own=own, now=service.now(draft_id), offset=service.clock_offset(draft_id))


@bp.post("/drafts/<uuid:draft_id>/sandbox")
def sandbox_start(draft_id: uuid.UUID) -> Any:
    authority = request.form.get("authority", "")
    view = load_draft(draft_id)
    if authority not in {a["key"] for a in sandbox_authorities(view.package)}:
        flash(_("Bitte wählen Sie eine Behörde."), "fehler")
        return redirect(url_for("designer.sandbox", draft_id=draft_id))
    try:
        case = designer().sandbox_start(draft_id, authority, actor())
    except (DesignError, InputInvalid) as err:
        flash(_("Der Entwurf lässt sich in der Sandbox nicht starten: %(why)s", why=err.user_message), "fehler")
        return redirect(url_for("designer.sandbox", draft_id=draft_id))
    flash(_("Sandbox-Vorgang %(number)s begonnen.", number=case.case.number), "erfolg")
    return _next(draft_id, case)


def _next(draft_id: uuid.UUID, case: CaseView) -> Any:
    if case.ready:
        return redirect(url_for("designer.sandbox_task", draft_id=draft_id, case_id=case.case.id,
                                task_id=case.ready[0].task_id))
    return redirect(url_for("designer.sandbox_case", draft_id=draft_id, case_id=case.case.id))


@bp.post("/drafts/<uuid:draft_id>/sandbox/clock")
def sandbox_clock(draft_id: uuid.UUID) -> Any:
    load_draft(draft_id)
    try:
        days = int(request.form.get("tage", ""))
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_ADVANCE_DAYS:
        flash(_("Bitte geben Sie eine Zahl von Tagen zwischen 1 und %(max)s ein.", max=MAX_ADVANCE_DAYS), "fehler")
        return redirect(url_for("designer.sandbox", draft_id=draft_id))
    fired = designer().sandbox.advance(draft_id, timedelta(days=days))
    flash(_("Die Sandbox-Uhr wurde um %(days)s Tage vorgestellt; Fristen ausgelöst in %(n)s Vorgängen.",
            days=days, n=len(fired)), "erfolg")
    return redirect(url_for("designer.sandbox", draft_id=draft_id))


@bp.post("/drafts/<uuid:draft_id>/sandbox/message")
def sandbox_message(draft_id: uuid.UUID) -> Any:
    load_draft(draft_id)
    name = request.form.get("name", "").strip()
    try:
        payload = json.loads(request.form.get("payload", "").strip() or "{}")
    except ValueError:
        payload = None
    if not name or not isinstance(payload, dict):
        flash(_("Bitte geben Sie den Namen der Nachricht und ihren Inhalt als JSON-Objekt an."), "fehler")
        return redirect(url_for("designer.sandbox", draft_id=draft_id))
    result = designer().sandbox.deliver_message(draft_id, name, payload, actor())
    if result.status == "correlated" and result.case_id is not None:
        flash(_("Nachricht „%(name)s“ zugestellt.", name=name), "erfolg")
        return redirect(url_for("designer.sandbox_case", draft_id=draft_id, case_id=result.case_id))
    flash(_("Kein Sandbox-Vorgang wartet auf die Nachricht „%(name)s“ mit diesem Inhalt.", name=name), "fehler")
    return redirect(url_for("designer.sandbox", draft_id=draft_id))


@bp.post("/drafts/<uuid:draft_id>/sandbox/reset")
def sandbox_reset(draft_id: uuid.UUID) -> Any:
    load_draft(draft_id)
    designer().sandbox.reset(draft_id)
    flash(_("Die Sandbox wurde zurückgesetzt."), "erfolg")
    return redirect(url_for("designer.sandbox", draft_id=draft_id))


@bp.get("/drafts/<uuid:draft_id>/sandbox/<uuid:case_id>")
def sandbox_case(draft_id: uuid.UUID, case_id: uuid.UUID) -> Any:
    view = load_draft(draft_id)
    service = designer().sandbox
    case = service.view(draft_id, case_id, actor())
    docs = DocumentService(service.engine_of(draft_id)).for_case(case_id, service.actor(actor()))
    return render_template("designer/sandbox_case.html", title=_("Sandbox-Vorgang %(number)s",
                                                                 number=case.case.number),
                           view=view, case=case, messages=service.messages(draft_id, case_id), docs=docs,
                           labels=form_labels(service.engine_of(draft_id), case.case.package_version_id))


@bp.get("/drafts/<uuid:draft_id>/sandbox/<uuid:case_id>/documents/<uuid:document_id>")
def sandbox_document(draft_id: uuid.UUID, case_id: uuid.UUID, document_id: uuid.UUID) -> Any:
    load_draft(draft_id)
    service = designer().sandbox
    info, content = DocumentService(service.engine_of(draft_id)).get(case_id, document_id, service.actor(actor()))
    response = Response(content, mimetype=info.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{info.filename}"'
    return response


def _task(case: CaseView, task_id: str) -> TaskView:
    task = next((t for t in case.ready if t.task_id == task_id), None)
    if task is None:
        raise NotFound(f"sandbox task {task_id} not ready", user_message=_("Dieser Schritt ist nicht mehr offen."))
    return task


@bp.route("/drafts/<uuid:draft_id>/sandbox/<uuid:case_id>/tasks/<task_id>", methods=["GET", "POST"])
def sandbox_task(draft_id: uuid.UUID, case_id: uuid.UUID, task_id: str) -> Any:
    view = load_draft(draft_id)
    service = designer().sandbox
    case = service.view(draft_id, case_id, actor())
    task = _task(case, task_id)
    values: dict[str, Any] = dict(task.values)
    errors: dict[str, list[str]] | None = None
    message, status = "", 200
    if request.method == "POST":
        posted = parse_posted(task.form, request.form) if task.form is not None else {}
        action = row_action(request.form) if task.form is not None else None
        if action is not None and task.form is not None:
            values = apply_row_action(task.form, posted, action)
        else:
            try:
                outcome = service.submit(draft_id, case_id, task_id, posted, actor())
            except InputInvalid as err:
                values, errors, message, status = posted, err.errors, err.user_message, 422
            else:
                flash(_("„%(name)s“ ist erledigt.", name=task.name), "erfolg")
                if outcome.case.ready_tasks:
                    return redirect(url_for("designer.sandbox_task", draft_id=draft_id, case_id=case_id,
                                            task_id=outcome.case.ready_tasks[0]["task_id"]))
                return redirect(url_for("designer.sandbox_case", draft_id=draft_id, case_id=case_id))
    form_view = build_view(task.form, values, errors, context=case.data) if task.form is not None else None
    return render_template("designer/sandbox_task.html", title=task.name, view=view, case=case, task=task,
                           form_view=form_view, message=message, page_error=status >= 400), status
