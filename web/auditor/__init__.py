"""The auditor's workspace (``/auditor``, role auditor; read-only).

- ``/auditor/``: case search across the auditor's authorities (number or its beginning, name,
  search label, service, status, authority, start date from/to, sandbox cases on request); the
  hit list itself is not logged.
- ``/auditor/cases/<id>``: the case record: chain status of the case, timeline of its audit
  events with German descriptions and before → after (corrections included), steps, messages
  with their XML, documents. Opening it is logged as a ``case_read`` *before* the page is
  built, so the reader's own visit is already in the timeline.
- ``/auditor/cases/<id>/diagram``: the diagram of the exact version the case ran on, the path
  taken and where the case stands (bpmn-js viewer; also logged as a read).
- ``/auditor/cases/<id>/dossier.json`` and ``.pdf``: the dossier (logged as a read).
- ``/auditor/register``: searches of the resident register and entries read outside any case
  (who, when, which criteria, how many hits), by members of the auditor's authorities.
- ``/auditor/chain``: the whole audit log verified ("Protokoll unverändert …" or "Kette
  gebrochen bei Ereignis Nr. N"); breaks in cases of other authorities are counted, not named.

Everything goes through :class:`engine.auditing.service.AuditorService`; another authority's
case is "not found" (404), as for clerks.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from engine.auditing.search import CaseQuery
from engine.auditing.service import AuditorService
from engine.catalog.package import PackageFiles
from engine.forms.dates import parse_date
from engine.insight.graph import diagram_graph
from engine.store.models import Case
from web.context import actor, engine
from web.present import STATUS_DE
from web.security import require_roles

bp = Blueprint("auditor", __name__, url_prefix="/auditor")
require_roles(bp, "auditor")

PAGE_SIZE = 50


def auditing() -> AuditorService:
    return AuditorService(engine())


# -- search ---------------------------------------------------------------------------------------
def _day(name: str, errors: dict[str, list[str]]) -> date | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    day = parse_date(text)
    if day is None:
        errors[name] = [_("Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ).")]
    return day


def _query(errors: dict[str, list[str]]) -> CaseQuery:
    args = request.args
    labels: dict[str, str] = {}
    label = args.get("merkmal", "").strip()
    if label:
        key, sep, value = label.partition("=")
        if not sep or not key.strip():
            errors["merkmal"] = [_("Bitte als Name=Wert angeben, z. B. person_id=…")]
        else:
            labels[key.strip()] = value.strip()
    try:
        offset = max(int(args.get("ab", "0")), 0)
    except ValueError:
        offset = 0
    return CaseQuery(number=args.get("nummer", "").strip()[:40] or None,
                     name=args.get("name", "").strip()[:100] or None, labels=labels,
                     service_id=args.get("verfahren") or None,
                     status=[s for s in args.getlist("status") if s in STATUS_DE],
                     authority=args.get("behoerde") or None, started_from=_day("von", errors),
                     started_to=_day("bis", errors), include_sandbox=args.get("sandbox") == "1",
                     limit=PAGE_SIZE, offset=offset)


@bp.get("/")
def index() -> Any:
    errors: dict[str, list[str]] = {}
    query = _query(errors)
    result = None if errors else auditing().search(actor(), query)
    eng, act = engine(), actor()
    with eng.db.read() as s:
        services = {i.service_id: i.title for i in eng.catalog.services_for(s)}
    authorities = [a for a in eng.authorities.all() if act.authority_ids is None or a.id in act.authority_ids]
    return render_template("auditor/index.html", title=_("Prüfung"), result=result, query=query, errors=errors,
                           args=request.args, services=services, authorities=authorities, statuses=STATUS_DE,
                           page_size=PAGE_SIZE, page_error=bool(errors)), 422 if errors else 200


# -- one case -------------------------------------------------------------------------------------
@bp.get("/cases/<uuid:case_id>")
def case(case_id: uuid.UUID) -> Any:
    record = auditing().case_record(case_id, actor())
    return render_template("auditor/case.html", title=_("Vorgang %(number)s", number=record.case.number),
                           record=record, c=record.case)


@bp.get("/cases/<uuid:case_id>/diagram")
def diagram(case_id: uuid.UUID) -> Any:
    service = auditing()
    shape = service.diagram(case_id, actor())
    with engine().db.read() as s:
        summary = s.execute(select(Case.number, Case.status, Case.service_id).where(Case.id == case_id)).one()
    files = sorted(shape.diagrams)
    shown = request.args.get("datei") or shape.entry_file
    if shown not in shape.diagrams:
        abort(404)
    visited = list(dict.fromkeys(shape.path)) + list(shape.flows)
    return render_template("auditor/diagram.html", title=_("Diagramm zu Vorgang %(number)s", number=summary.number),
                           shape=shape, c_number=summary.number, status=summary.status, files=files, shown=shown,
                           xml=shape.diagrams[shown], visited=visited, names=_names(shape.diagrams[shown]))


def _names(xml: str) -> dict[str, str]:
    """Element id → name of one diagram, for the path as text."""
    return diagram_graph(PackageFiles("x", {"d.bpmn": xml})).names


@bp.get("/cases/<uuid:case_id>/dossier.json")
def dossier_json(case_id: uuid.UUID) -> Any:
    data = auditing().dossier(case_id, actor())
    number = data.get("vorgang", {}).get("nummer") or str(case_id)
    response = Response(json.dumps(data, ensure_ascii=False, indent=2, default=str),
                        mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="pruefakte-{number}.json"'
    return response


@bp.get("/cases/<uuid:case_id>/dossier.pdf")
def dossier_pdf(case_id: uuid.UUID) -> Any:
    pdf = auditing().dossier_pdf(case_id, actor())
    with engine().db.read() as s:
        number = s.execute(select(Case.number).where(Case.id == case_id)).scalar_one()
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="pruefakte-{number}.pdf"'
    return response


# -- register access ------------------------------------------------------------------------------
@bp.get("/register")
def register_access() -> Any:
    entries = auditing().register_access(actor())
    return render_template("auditor/register.html", title=_("Zugriffe auf das Melderegister"), entries=entries)


# -- the whole log --------------------------------------------------------------------------------
@bp.get("/chain")
def chain() -> Any:
    act = actor()
    status = auditing().global_chain(act)
    raw = {str(b["case_id"]): uuid.UUID(str(b["case_id"])) for b in status.breaks if b.get("case_id")}
    visible: dict[str, tuple[uuid.UUID, str]] = {}
    if raw:
        with engine().db.read() as s:
            rows = {cid: (number, authority_id) for cid, number, authority_id in s.execute(
                select(Case.id, Case.number, Case.authority_id).where(Case.id.in_(set(raw.values()))))}
        for text, cid in raw.items():
            if cid in rows and act.may_see(rows[cid][1]):
                visible[text] = (cid, rows[cid][0])
    return render_template("auditor/chain.html", title=_("Gesamtes Protokoll prüfen"), status=status,
                           visible=visible)
