"""The overview charts (pure): cases per week, median duration per service, open cases by age.

Definitions (sandbox cases never count; weeks and days are Europe/Berlin):

- **started / finished per week**: cases whose ``started_at`` / ``completed_at`` falls into the
  ISO week, per service and serving authority, for the ``weeks`` weeks ending with the week of
  ``today``. Every (service, authority) pair with at least one case in that window gets a row
  for every week (zero included), so chart lines do not break.
- **median duration per service**: over the cases *completed* in the window,
  ``completed_at - started_at``; with the number of cases and the 90th percentile.
- **open cases by age**: cases with status active, waiting or error, by ``now - started_at`` in
  the buckets of :data:`AGE_BUCKETS`, per service (all open cases, not only the window).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from engine.clock import BERLIN
from engine.insight.elements import OPEN_STATUSES

AGE_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("bis 7 Tage", 7),
    ("8 bis 30 Tage", 30),
    ("31 bis 90 Tage", 90),
    ("über 90 Tage", None),
)
"""(label, inclusive upper bound in whole days; None = open end)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseRow:
    service_id: str
    authority_key: str
    status: str
    started_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class WeekCount:
    week: str
    """ISO week, e.g. ``2026-W46``."""
    week_start: date
    """The Monday of that week."""
    service_id: str
    authority_key: str
    started: int
    finished: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceDuration:
    service_id: str
    completed: int
    median_s: float
    p90_s: float


@dataclass(frozen=True, slots=True, kw_only=True)
class AgeBucket:
    service_id: str
    bucket: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Overview:
    today: date
    weeks: tuple[str, ...]
    """The weeks of the window, oldest first."""
    per_week: tuple[WeekCount, ...]
    durations: tuple[ServiceDuration, ...]
    open_by_age: tuple[AgeBucket, ...]


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _week(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def _local(at: datetime) -> date:
    return at.astimezone(BERLIN).date()


def window_start(today: date, weeks: int) -> date:
    """The Monday the window of ``weeks`` weeks ending with the week of ``today`` starts on."""
    return _monday(today) - timedelta(weeks=weeks - 1)


def overview(rows: Iterable[CaseRow], *, today: date, now: datetime, weeks: int = 12) -> Overview:
    """The overview of ``rows`` (see the module docstring)."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    first = window_start(today, weeks)
    mondays = [first + timedelta(weeks=i) for i in range(weeks)]
    counts: dict[tuple[str, str, date], list[int]] = {}
    pairs: set[tuple[str, str]] = set()
    durations: dict[str, list[float]] = {}
    ages: dict[tuple[str, str], int] = {}
    for r in rows:
        started = _monday(_local(r.started_at))
        if first <= started <= mondays[-1]:
            counts.setdefault((r.service_id, r.authority_key, started), [0, 0])[0] += 1
            pairs.add((r.service_id, r.authority_key))
        if r.completed_at is not None:
            finished = _monday(_local(r.completed_at))
            if first <= finished <= mondays[-1]:
                counts.setdefault((r.service_id, r.authority_key, finished), [0, 0])[1] += 1
                pairs.add((r.service_id, r.authority_key))
                durations.setdefault(r.service_id, []).append((r.completed_at - r.started_at).total_seconds())
        if r.status in OPEN_STATUSES:
            days = (now - r.started_at).total_seconds() / 86400
            label = next(lbl for lbl, limit in AGE_BUCKETS if limit is None or days <= limit)
            ages[(r.service_id, label)] = ages.get((r.service_id, label), 0) + 1
    per_week = [WeekCount(week=_week(m), week_start=m, service_id=s, authority_key=a,
                          started=counts.get((s, a, m), [0, 0])[0], finished=counts.get((s, a, m), [0, 0])[1])
                for s, a in sorted(pairs) for m in mondays]
    services = sorted({s for s, _ in ages})
    open_by_age = [AgeBucket(service_id=s, bucket=label, count=ages.get((s, label), 0))
                   for s in services for label, _ in AGE_BUCKETS]
    return Overview(
        today=today, weeks=tuple(_week(m) for m in mondays), per_week=tuple(per_week),
        durations=tuple(ServiceDuration(service_id=s, completed=len(v), median_s=float(statistics.median(v)),
                                        p90_s=_percentile(v, 0.9)) for s, v in sorted(durations.items())),
        open_by_age=tuple(open_by_age),
    )


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (the value below which ``q`` of the cases lie)."""
    ordered = sorted(values)
    return float(ordered[max(math.ceil(q * len(ordered)) - 1, 0)])
