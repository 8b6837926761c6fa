"""The clerk's workspace (``/clerk``, role clerk): start page, search, cases, guided steps, documents.

Every call into the engine passes the user's :class:`~engine.service_layer.actors.Actor`, so a
clerk only ever sees the cases of the authorities they belong to (others answer 404).
"Never lose what was typed": a rejected step re-renders the form with the posted text and the
German messages at each field; "Zwischenspeichern" stores a draft server-side.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import clock
from engine.errors import Conflict, InputInvalid
from engine.forms import FormDefinition, RowAction, apply_row_action, build_view, parse_posted, row_action
from engine.forms.dates import parse_date
from engine.service_layer.views import CaseSummary, CaseView, TaskView
from web.clerk.queries import (
    case_messages,
    form_labels,
    match_cases,
    ready_task,
    resident_search,
    resident_search_available,
)
from web.context import actor, documents, drafts, engine
from web.errors import CONFLICT_HINT
from web.security import require_roles

bp = Blueprint("clerk", __name__, url_prefix="/clerk")
require_roles(bp, "clerk")


# -- start page -----------------------------------------------------------------------------
def _overdue(c: CaseSummary, now: datetime) -> bool:
    if c.next_timer_at is not None and c.next_timer_at <= now:
        return True
    for w in c.waiting_for:
        due = w.get("due")
        if due:
            try:
                if datetime.fromisoformat(due) <= now:
                    return True
            except ValueError:
                continue
    return False


def _services() -> list[tuple[Any, list[Any]]]:
    eng, act = engine(), actor()
    out = []
    with eng.db.read() as s:
        for auth_id in sorted(act.authority_ids or []):
            auth = eng.authorities.get(s, auth_id)
            out.append((auth, eng.catalog.services_for(s, auth)))
    out.sort(key=lambda pair: pair[0].name)
    return out


@bp.get("/")
def index() -> Any:
    now = clock.now()
    open_cases = [c for c in engine().cases.list(actor(), limit=300) if c.status in ("active", "waiting")]
    overdue = [c for c in open_cases if _overdue(c, now)]
    mine = [c for c in open_cases if c.ready_tasks and c not in overdue]
    others = [c for c in open_cases if not c.ready_tasks and c not in overdue]
    return render_template("clerk/index.html", title=_("Übersicht"), overdue=overdue, mine=mine, others=others,
                           services=_services(), residents=resident_search_available(engine()))


@bp.post("/cases")
def start() -> Any:
    service_id = request.form.get("service_id", "")
    authority = request.form.get("authority", "")
    act = actor()
    if not service_id or not authority:
        flash(_("Bitte wählen Sie ein Verfahren."), "fehler")
        return redirect(url_for("clerk.index"))
    try:
        authority_id = uuid.UUID(authority)
    except ValueError:
        abort(404)
    act.require_authority(authority_id)
    view = engine().cases.start(service_id, authority_id, act)
    flash(_("Vorgang %(number)s wurde angelegt.", number=view.case.number), "erfolg")
    return _next_page(view.case)


def _next_page(case: CaseSummary) -> Response:
    if case.ready_tasks:
        return redirect(url_for("clerk.task", case_id=case.id, task_id=case.ready_tasks[0]["task_id"]))
    return redirect(url_for("clerk.case", case_id=case.id))


# -- search ---------------------------------------------------------------------------------
@bp.get("/search")
def search() -> Any:
    q = request.args.get("q", "").strip()[:200]
    cases = match_cases(engine().cases.list(actor(), limit=1000), q) if q else []
    residents_on = resident_search_available(engine())
    person: dict[str, Any] = {k: request.args.get(k, "").strip()[:100] for k in ("familienname", "vornamen",
                                                                                 "geburtsdatum")}
    hits, person_error = None, ""
    if residents_on and person["familienname"]:
        day = parse_date(person["geburtsdatum"]) if person["geburtsdatum"] else None
        if person["geburtsdatum"] and day is None:
            person_error = _("Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ).")
        else:
            hits = resident_search(engine(), actor(), familienname=person["familienname"],
                                   vornamen=person["vornamen"], geburtsdatum=day)
    return render_template("clerk/search.html", title=_("Suche"), q=q, cases=cases, residents=residents_on,
                           person=person, hits=hits, person_error=person_error)


# -- the case page --------------------------------------------------------------------------
@bp.get("/cases/<uuid:case_id>")
def case(case_id: uuid.UUID) -> Any:
    act = actor()
    view = engine().cases.view(case_id, act)
    return render_template("clerk/case.html", title=_("Vorgang %(number)s", number=view.case.number), view=view,
                           docs=documents().for_case(case_id, act), messages=case_messages(engine(), case_id, act),
                           drafts=drafts().tasks_with_drafts(case_id),
                           labels=form_labels(engine(), view.case.package_version_id))


@bp.get("/cases/<uuid:case_id>/documents/<uuid:document_id>")
def document(case_id: uuid.UUID, document_id: uuid.UUID) -> Any:
    info, content = documents().get(case_id, document_id, actor())
    response = Response(content, mimetype=info.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{info.filename}"'
    return response


# -- steps ----------------------------------------------------------------------------------
def _focus_after(form: FormDefinition, values: dict[str, Any], action: RowAction) -> str:
    """The input to focus after a row button: the new row's first input, or the list's add button."""
    view = build_view(form, values)
    list_path = action.path if action.kind == "add" else action.path.rpartition("/")[0]
    lst = view.find(list_path)
    if lst is None:
        return ""
    if action.kind == "add" and lst.children:
        row = lst.children[-1]
        first = next((v for v in row.walk() if v.kind == "input" and not v.readonly), None)
        return first.id if first else ""
    return f"add-{lst.name}"


def _version() -> int | None:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        return None


def _render_step(view: CaseView, *, form: FormDefinition | None, values: dict[str, Any],
                 errors: dict[str, list[str]] | None, focus: str, message: str, status: int,
                 task: TaskView | None = None, correcting: Any = None, draft: Any = None) -> Any:
    form_view = build_view(form, values, errors, context=view.data) if form is not None else None
    name = task.name if task else (correcting.task_name or correcting.task_spec or "")
    title = (_("Korrektur: %(name)s", name=name) if correcting else name)
    return render_template("clerk/task.html", title=title, view=view, task=task, correcting=correcting,
                           form_view=form_view, focus_id=focus, message=message, draft=draft,
                           labels=form_labels(engine(), view.case.package_version_id),
                           page_error=bool(errors) or status >= 400), status


@bp.route("/cases/<uuid:case_id>/tasks/<task_id>", methods=["GET", "POST"])
def task(case_id: uuid.UUID, task_id: str) -> Any:
    eng, act = engine(), actor()
    errors: dict[str, list[str]] | None = None
    focus, message, status, draft = "", "", 200, None
    values: dict[str, Any] | None = None
    if request.method == "POST":
        # The common case (a valid submit) needs only the task's form, not the whole case view.
        ready = ready_task(eng, case_id, task_id, act)
        form = eng.cases.task_form(case_id, task_id, act) if ready is not None else None
        if ready is None:
            flash(_("Dieser Schritt ist nicht mehr offen."), "info")
            return redirect(url_for("clerk.case", case_id=case_id))
        posted = parse_posted(form, request.form) if form is not None else {}
        action = row_action(request.form) if form is not None else None
        if action is not None and form is not None:
            values = apply_row_action(form, posted, action)
            focus = _focus_after(form, values, action)
        elif request.form.get("_action") == "draft":
            drafts().save(case_id, task_id, posted, act)
            flash(_("Ihre Eingaben zu „%(name)s“ wurden zwischengespeichert. Sie können später weitermachen.",
                    name=ready.get("name") or ""), "erfolg")
            return redirect(url_for("clerk.case", case_id=case_id))
        else:
            try:
                outcome = eng.cases.submit(case_id, task_id, posted, act, expected_version=_version())
            except InputInvalid as err:
                values, errors, message, status = posted, err.errors, err.user_message, 422
            except Conflict as err:
                values, message, status = posted, f"{err.user_message} {CONFLICT_HINT}", 409
            else:
                drafts().discard(case_id, task_id)
                flash(_("„%(name)s“ ist erledigt.", name=ready.get("name") or ready.get("spec")), "erfolg")
                return _next_page(outcome.case)
    view = eng.cases.view(case_id, act, log_read=request.method == "GET")
    current = next((t for t in view.ready if t.task_id == task_id), None)
    if current is None:
        flash(_("Dieser Schritt ist nicht mehr offen."), "info")
        return redirect(url_for("clerk.case", case_id=case_id))
    if values is None:
        values = dict(current.values)
        draft = drafts().load(case_id, task_id, act)
        if draft is not None:
            values = draft.values
    return _render_step(view, form=current.form, values=values, errors=errors, focus=focus, message=message,
                        status=status, task=current, draft=draft)


@bp.route("/cases/<uuid:case_id>/steps/<uuid:step_id>/correct", methods=["GET", "POST"])
def correct(case_id: uuid.UUID, step_id: uuid.UUID) -> Any:
    eng, act = engine(), actor()
    view = eng.cases.view(case_id, act, log_read=request.method == "GET")
    step = next((st for st in view.steps if st.id == step_id), None)
    if step is None:
        abort(404)
    if not step.correctable:
        flash(_("Dieser Schritt kann nicht mehr korrigiert werden."), "fehler")
        return redirect(url_for("clerk.case", case_id=case_id))
    form = eng.cases.step_form(case_id, step_id, act)
    values: dict[str, Any] = dict(step.submitted or {})
    errors: dict[str, list[str]] | None = None
    focus, message, status = "", "", 200
    if request.method == "POST":
        posted = parse_posted(form, request.form) if form is not None else {}
        action = row_action(request.form) if form is not None else None
        if action is not None and form is not None:
            values = apply_row_action(form, posted, action)
            focus = _focus_after(form, values, action)
        else:
            try:
                outcome = eng.cases.correct(case_id, step_id, posted, act, expected_version=_version())
            except InputInvalid as err:
                values, errors, message, status = posted, err.errors, err.user_message, 422
            except Conflict as err:
                values, message, status = posted, f"{err.user_message} {CONFLICT_HINT}", 409
            else:
                flash(_("Die Korrektur wurde gespeichert. Die folgenden Schritte werden erneut abgefragt, "
                        "mit Ihren bisherigen Angaben vorausgefüllt."), "erfolg")
                return _next_page(outcome.case)
    return _render_step(view, form=form, values=values, errors=errors, focus=focus, message=message,
                        status=status, correcting=step)
