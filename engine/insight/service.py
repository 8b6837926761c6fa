"""Insight for designers: statistics per diagram element of a version, and the overview charts.

``InsightService(engine)`` reads cases and steps (never workflow states, so it stays cheap with
many cases) within the caller's authorities and hands them to the pure functions of
:mod:`engine.insight.elements` and :mod:`engine.insight.overview`, where every number is
defined. Sandbox cases never count. Roles: designer, auditor or admin.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import undefer

from engine import clock
from engine.catalog.package import PackageFiles
from engine.clock import BERLIN
from engine.errors import NotFound
from engine.insight.elements import OPEN_STATUSES, CaseFacts, ElementStat, StepFacts, element_statistics
from engine.insight.graph import diagram_graph
from engine.insight.overview import CaseRow, Overview, overview, window_start
from engine.service_layer.actors import Actor
from engine.store.models import Authority, Case, CaseStep, PackageVersion

if TYPE_CHECKING:
    from engine.service_layer.core import Engine

INSIGHT_ROLES = ("designer", "auditor", "admin")


@dataclass(frozen=True, slots=True, kw_only=True)
class VersionInsight:
    version_id: uuid.UUID
    service_id: str
    version_no: int
    content_hash: str
    cases: int
    open_cases: int
    completed_cases: int
    elements: dict[str, ElementStat]
    diagrams: dict[str, str]
    """The version's BPMN files {name: XML}, to draw the overlay on."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "version_id": str(self.version_id), "service_id": self.service_id, "version_no": self.version_no,
            "cases": self.cases, "open_cases": self.open_cases, "completed_cases": self.completed_cases,
            "elements": {k: {"name": e.name, "kind": e.kind, "passed": e.passed, "visits": e.visits,
                             "waiting": e.waiting, "median_s": e.median_s, "waiting_median_s": e.waiting_median_s,
                             "heat": e.heat} for k, e in self.elements.items()},
        }


def _scoped(stmt: Select[Any], actor: Actor) -> Select[Any]:
    if actor.authority_ids is not None:
        stmt = stmt.where(Case.authority_id.in_(actor.authority_ids))
    return stmt.where(Case.sandbox.is_(False))


class InsightService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def version(self, service_id: str, version_no: int, actor: Actor, *, now: datetime | None = None
                ) -> VersionInsight:
        with self.engine.db.read() as s:
            vid = s.execute(select(PackageVersion.id).where(PackageVersion.service_id == service_id,
                                                            PackageVersion.version_no == version_no)).scalar()
        if vid is None:
            raise NotFound(f"{service_id} v{version_no} not found",
                           user_message=f"Version {version_no} des Verfahrens „{service_id}“ gibt es nicht.")
        return self.elements(vid, actor, now=now)

    def elements(self, version_id: uuid.UUID, actor: Actor, *, now: datetime | None = None) -> VersionInsight:
        """Per-element statistics of the cases of one version (definitions: :mod:`engine.insight.elements`)."""
        actor.require_role(*INSIGHT_ROLES)
        now = now or clock.now()
        with self.engine.db.read() as s:
            pv = s.execute(select(PackageVersion).options(undefer(PackageVersion.files))
                           .where(PackageVersion.id == version_id)).scalar_one_or_none()
            if pv is None:
                raise NotFound(f"version {version_id} not found", user_message="Diese Version gibt es nicht.")
            package = PackageFiles(pv.service_id, dict(pv.files))
            case_rows = s.execute(_scoped(select(Case.id, Case.status, Case.ready_tasks, Case.waiting_for)
                                          .where(Case.package_version_id == version_id), actor)).all()
            step_rows = s.execute(_scoped(
                select(CaseStep.case_id, CaseStep.seq, CaseStep.at, CaseStep.path, CaseStep.superseded)
                .join(Case, Case.id == CaseStep.case_id).where(Case.package_version_id == version_id), actor)).all()
            info = (pv.id, pv.service_id, pv.version_no, pv.content_hash)
        steps: dict[uuid.UUID, list[StepFacts]] = {}
        for case_id, seq, at, path, superseded in step_rows:
            steps.setdefault(case_id, []).append(StepFacts(seq=seq, at=at, path=tuple(path or ()),
                                                           superseded=bool(superseded)))
        facts = []
        for case_id, status, ready, waiting in case_rows:
            waiting = waiting or []
            facts.append(CaseFacts(
                case_id=case_id, status=status, steps=tuple(steps.get(case_id, [])),
                ready_specs=tuple(t.get("spec", "") for t in ready or []),
                timer_elements=tuple(w.get("element", "") for w in waiting if w.get("kind") == "timer"
                                     and w.get("element")),
                messages=tuple(w.get("name", "") for w in waiting if w.get("kind") == "message")))
        stats = element_statistics(diagram_graph(package), facts, now)
        return VersionInsight(
            version_id=info[0], service_id=info[1], version_no=info[2], content_hash=info[3], cases=len(facts),
            open_cases=sum(1 for f in facts if f.status in OPEN_STATUSES),
            completed_cases=sum(1 for f in facts if f.status == "completed"), elements=stats,
            diagrams={n: package.files[n] for n in package.bpmn_files()})

    def overview(self, actor: Actor, *, weeks: int = 12, service_id: str | None = None,
                 today: date | None = None, now: datetime | None = None) -> Overview:
        """The overview charts (definitions: :mod:`engine.insight.overview`)."""
        actor.require_role(*INSIGHT_ROLES)
        now = now or clock.now()
        today = today or clock.today()
        with self.engine.db.read() as s:
            stmt = _scoped(select(Case.service_id, Authority.key, Case.status, Case.started_at, Case.completed_at)
                           .join(Authority, Authority.id == Case.authority_id), actor)
            if service_id:
                stmt = stmt.where(Case.service_id == service_id)
            # Only what the charts can show: cases touching the window, and every open case.
            since = datetime.combine(window_start(today, weeks), time(0), tzinfo=BERLIN)
            stmt = stmt.where(or_(Case.started_at >= since, Case.completed_at >= since,
                                  Case.status.in_(OPEN_STATUSES)))
            rows = [CaseRow(service_id=r[0], authority_key=r[1], status=r[2], started_at=r[3], completed_at=r[4])
                    for r in s.execute(stmt)]
        return overview(rows, today=today, now=now, weeks=weeks)
