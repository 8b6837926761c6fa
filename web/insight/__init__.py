"""Insight (``/insight``, roles designer and auditor): where procedures stall, and overview charts.

- ``/insight/``: cases started and finished per calendar week, median duration per service,
  open cases by age (charts drawn on the server as SVG, each with a table of the same
  numbers), and the published versions to look into.
- ``/insight/services/<id>/versions/<n>``: the version's diagram with a heat overlay (per
  element: cases passed, waiting now, median time spent; bpmn-js viewer ``showHeat``) and the
  same numbers as a table (slowest elements first).

Numbers come from :class:`engine.insight.service.InsightService` (definitions in
:mod:`engine.insight.elements` and :mod:`engine.insight.overview`): only real cases of the
user's own authorities, never sandbox cases. Reading statistics is not a read of a case and is
not logged per case.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from engine.catalog.package import PackageFiles
from engine.insight.graph import diagram_graph
from engine.insight.overview import AGE_BUCKETS
from engine.insight.service import InsightService
from engine.store.models import PackageVersion
from web.context import actor, engine
from web.insight.charts import age_bars, age_table, dauer, duration_bars, weekly_bars, weekly_totals
from web.security import require_roles

bp = Blueprint("insight", __name__, url_prefix="/insight")
require_roles(bp, "designer", "auditor")

WEEK_CHOICES = (4, 8, 12, 26, 52)


def insight() -> InsightService:
    return InsightService(engine())


def _titles() -> dict[str, str]:
    eng = engine()
    with eng.db.read() as s:
        return {i.service_id: i.title for i in eng.catalog.services_for(s)}


@bp.get("/")
def index() -> Any:
    try:
        weeks = int(request.args.get("wochen", "12"))
    except ValueError:
        weeks = 12
    if weeks not in WEEK_CHOICES:
        weeks = 12
    titles = _titles()
    service_id = request.args.get("verfahren") or None
    if service_id not in titles:
        service_id = None
    data = insight().overview(actor(), weeks=weeks, service_id=service_id)
    totals = weekly_totals(data.per_week, data.weeks)
    ages = age_table(data.open_by_age)
    authorities = {a.key: a.name for a in engine().authorities.all()}
    pairs: dict[tuple[str, str], list[int]] = {}
    for r in data.per_week:
        sums = pairs.setdefault((r.service_id, r.authority_key), [0, 0])
        sums[0] += r.started
        sums[1] += r.finished
    eng = engine()
    with eng.db.read() as s:
        versions = {sid: [v.version_no for v in eng.catalog.versions(s, sid)] for sid in titles}
    return render_template(
        "insight/index.html", title=_("Einblick"), data=data, weeks=weeks, week_choices=WEEK_CHOICES,
        service_id=service_id, titles=titles, authorities=authorities, totals=totals,
        weekly=weekly_bars(totals), durations=duration_bars(data.durations, titles),
        ages=ages, age_chart=age_bars(ages, titles), buckets=[label for label, _limit in AGE_BUCKETS],
        pairs=sorted(pairs.items()), versions=versions, dauer=dauer)


def _entry_process(version_id: uuid.UUID) -> str:
    with engine().db.read() as s:
        pv = s.get(PackageVersion, version_id)
        return str(pv.manifest.get("entry_process", "")) if pv is not None else ""


@bp.get("/services/<service_id>/versions/<version_no>")
def version(service_id: str, version_no: str) -> Any:
    if not version_no.isdigit():
        abort(404)
    result = insight().version(service_id, int(version_no), actor())
    package = PackageFiles(service_id, result.diagrams)
    files = sorted(result.diagrams)
    entry = diagram_graph(package).process_files.get(_entry_process(result.version_id)) or (files[0] if files else "")
    shown = request.args.get("datei") or entry
    if shown not in result.diagrams:
        abort(404)
    heat = {k: {"passed": e.passed, "waiting": e.waiting, "median_seconds": e.median_s}
            for k, e in result.elements.items() if e.passed or e.waiting}
    rows = sorted(result.elements.values(), key=lambda e: (-(e.median_s or 0), -e.waiting, e.name))
    return render_template("insight/version.html", title=_("Einblick: %(title)s, Version %(no)s",
                                                           title=_titles().get(service_id, service_id),
                                                           no=result.version_no),
                           result=result, files=files, shown=shown, xml=result.diagrams[shown], heat=heat,
                           rows=[e for e in rows if e.passed or e.waiting or e.kind.endswith(("Task", "Event"))],
                           dauer=dauer)
