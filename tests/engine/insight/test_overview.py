"""The overview charts (pure): weekly counts, durations, open cases by age."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from engine.insight.overview import AGE_BUCKETS, CaseRow, overview

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # Wednesday of ISO week 47
TODAY = date(2026, 11, 18)


def row(service: str, authority: str, started: datetime, completed: datetime | None = None,
        status: str | None = None) -> CaseRow:
    return CaseRow(service_id=service, authority_key=authority, started_at=started, completed_at=completed,
                   status=status or ("completed" if completed else "active"))


def test_weeks_are_counted_in_german_time_with_zeros_filled_in() -> None:
    sunday_night = datetime(2026, 11, 15, 22, 30, tzinfo=UTC)  # Sunday 23:30 in Berlin: week 46
    monday_early = datetime(2026, 11, 15, 23, 30, tzinfo=UTC)  # Monday 00:30 in Berlin: week 47
    rows = [row("anmeldung", "neubukow", sunday_night), row("anmeldung", "neubukow", monday_early,
                                                             monday_early + timedelta(days=1)),
            row("reisepass", "neubukow-salzhaff", NOW - timedelta(weeks=20))]  # outside the window, but open
    ov = overview(rows, today=TODAY, now=NOW, weeks=3)
    assert ov.weeks == ("2026-W45", "2026-W46", "2026-W47")
    got = [(w.week, w.service_id, w.authority_key, w.started, w.finished) for w in ov.per_week]
    assert got == [("2026-W45", "anmeldung", "neubukow", 0, 0), ("2026-W46", "anmeldung", "neubukow", 1, 0),
                   ("2026-W47", "anmeldung", "neubukow", 1, 1)]
    assert ov.per_week[0].week_start == date(2026, 11, 2)
    assert [(a.service_id, a.bucket, a.count) for a in ov.open_by_age if a.count] == [
        ("anmeldung", "bis 7 Tage", 1), ("reisepass", "über 90 Tage", 1)]
    assert len(ov.open_by_age) == 2 * len(AGE_BUCKETS)


def test_durations_per_service_use_completed_cases_in_the_window() -> None:
    start = NOW - timedelta(days=5)
    rows = [row("anmeldung", "a", start, start + timedelta(hours=h)) for h in (1, 2, 3, 10)]
    rows.append(row("anmeldung", "a", start, None))
    ov = overview(rows, today=TODAY, now=NOW, weeks=2)
    [d] = ov.durations
    assert (d.service_id, d.completed, d.median_s, d.p90_s) == ("anmeldung", 4, 2.5 * 3600, 10 * 3600)


@pytest.mark.parametrize(("days", "bucket"), [(0, "bis 7 Tage"), (7, "bis 7 Tage"), (7.5, "8 bis 30 Tage"),
                                              (30, "8 bis 30 Tage"), (31, "31 bis 90 Tage"), (91, "über 90 Tage")])
def test_age_buckets_are_inclusive_at_their_upper_bound(days: float, bucket: str) -> None:
    ov = overview([row("s", "a", NOW - timedelta(days=days), status="waiting")], today=TODAY, now=NOW)
    assert [a.bucket for a in ov.open_by_age if a.count] == [bucket]


def test_closed_cases_have_no_age_and_weeks_must_be_positive() -> None:
    ov = overview([row("s", "a", NOW, status="cancelled")], today=TODAY, now=NOW)
    assert ov.open_by_age == ()
    with pytest.raises(ValueError):
        overview([], today=TODAY, now=NOW, weeks=0)
