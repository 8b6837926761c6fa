"""Case search for auditors: by number, name, labels, service, status, authority and start date.

Filters on columns run in SQL; the name (case title and every label value, compared with
``fold_name``: "Mueller" finds "Müller") and label filters run in Python over the
candidates, which keeps the search identical on SQLite and PostgreSQL (no JSON operators).
Results are restricted to the auditor's authorities; sandbox cases only on request.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.clock import BERLIN
from engine.runtime.helpers import fold_name
from engine.service_layer.actors import Actor
from engine.store.models import Authority, Case, PackageVersion


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseQuery:
    number: str | None = None
    """Case number or its beginning (``V-2026-``), case-insensitive."""
    name: str | None = None
    """Part of the case title or of a label value (applicant's name …)."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Every given label must equal the value (as text)."""
    service_id: str | None = None
    status: Sequence[str] = ()
    authority: str | None = None
    """Authority key."""
    started_from: date | None = None
    started_to: date | None = None
    """Inclusive, Berlin calendar days."""
    include_sandbox: bool = False
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseHit:
    id: uuid.UUID
    number: str
    service_id: str
    version_no: int
    authority_key: str
    authority_name: str
    status: str
    title: str
    labels: dict[str, Any]
    started_at: datetime
    started_by: str
    completed_at: datetime | None
    sandbox: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchResult:
    hits: tuple[CaseHit, ...]
    total: int
    """All matches (``hits`` is the page ``offset … offset + limit``)."""


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=BERLIN)


def search_cases(s: Session, actor: Actor, query: CaseQuery) -> SearchResult:
    stmt = (select(Case, Authority.key, Authority.name, PackageVersion.version_no)
            .join(Authority, Authority.id == Case.authority_id)
            .join(PackageVersion, PackageVersion.id == Case.package_version_id)
            .order_by(Case.started_at.desc(), Case.number))
    if actor.authority_ids is not None:
        stmt = stmt.where(Case.authority_id.in_(actor.authority_ids))
    if not query.include_sandbox:
        stmt = stmt.where(Case.sandbox.is_(False))
    if query.number:
        stmt = stmt.where(func.upper(Case.number).like(query.number.strip().upper() + "%"))
    if query.service_id:
        stmt = stmt.where(Case.service_id == query.service_id)
    if query.status:
        stmt = stmt.where(Case.status.in_(list(query.status)))
    if query.authority:
        stmt = stmt.where(Authority.key == query.authority)
    if query.started_from:
        stmt = stmt.where(Case.started_at >= _day_start(query.started_from))
    if query.started_to:
        stmt = stmt.where(Case.started_at < _day_start(query.started_to + timedelta(days=1)))
    wanted = fold_name(query.name) if query.name and query.name.strip() else ""
    hits = []
    for case, key, name, version_no in s.execute(stmt):
        labels = dict(case.labels or {})
        if any(str(labels.get(k, "")) != str(v) for k, v in query.labels.items()):
            continue
        if wanted and not any(wanted in fold_name(str(v)) for v in [case.title, *labels.values()]
                              if isinstance(v, str | int)):
            continue
        hits.append(CaseHit(id=case.id, number=case.number, service_id=case.service_id, version_no=version_no,
                            authority_key=key, authority_name=name, status=case.status, title=case.title,
                            labels=labels, started_at=case.started_at, started_by=case.started_by,
                            completed_at=case.completed_at, sandbox=case.sandbox))
    page = hits[query.offset: query.offset + query.limit]
    return SearchResult(hits=tuple(page), total=len(hits))
