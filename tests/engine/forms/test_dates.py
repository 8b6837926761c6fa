"""Date input, output and bound expressions; positions in JSON text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.clock import BERLIN
from engine.forms import dates
from engine.forms.jsonpos import locate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-15", date(2026, 11, 15)),
        ("15.11.2026", date(2026, 11, 15)),
        ("5.1.2026", date(2026, 1, 5)),
        (" 05.01.2026 ", date(2026, 1, 5)),
        ("29.02.2024", date(2024, 2, 29)),
        ("29.02.2026", None),
        ("15.11.26", None),
        ("2026-1-5", None),
        ("15/11/2026", None),
        ("heute", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert dates.parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-15T10:30:00+01:00", datetime(2026, 11, 15, 10, 30, tzinfo=BERLIN)),
        ("2026-11-15T09:30:00Z", datetime(2026, 11, 15, 9, 30, tzinfo=UTC)),
        ("2026-11-15T10:30", datetime(2026, 11, 15, 10, 30, tzinfo=BERLIN)),
        ("15.11.2026 10:30", datetime(2026, 11, 15, 10, 30, tzinfo=BERLIN)),
        ("15.11.2026, 10:30 Uhr", datetime(2026, 11, 15, 10, 30, tzinfo=BERLIN)),
        ("15.11.2026 10:30:15,5", datetime(2026, 11, 15, 10, 30, 15, 500000, tzinfo=BERLIN)),
        ("15.11.2026 25:00", None),
        ("15.11.2026", None),
        ("2026-11-15T10:30+25:00", None),
    ],
)
def test_parse_datetime(text: str, expected: datetime | None) -> None:
    parsed = dates.parse_datetime(text)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is not None


def test_ambiguous_wall_time_keeps_its_offset() -> None:
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second = first + timedelta(hours=1)  # 02:30 CET
    shown = [dates.format_datetime(first), dates.format_datetime(second)]
    assert shown == ["25.10.2026 02:30 +02:00", "25.10.2026 02:30 +01:00"]
    assert [dates.parse_datetime(s) for s in shown] == [first, second]


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)))
def test_shown_datetimes_parse_back_to_the_same_instant(moment: datetime) -> None:
    assert dates.parse_datetime(dates.format_datetime(moment)) == moment


@given(st.dates())
def test_shown_dates_parse_back(day: date) -> None:
    assert dates.parse_date(dates.format_date(day)) == day


@pytest.mark.parametrize(
    ("day", "period", "sign", "expected"),
    [
        (date(2026, 11, 15), dates.Period(years=130), -1, date(1896, 11, 15)),
        (date(2024, 2, 29), dates.Period(years=1), 1, date(2025, 2, 28)),
        (date(2026, 1, 31), dates.Period(months=1), 1, date(2026, 2, 28)),
        (date(2026, 11, 15), dates.Period(days=14), 1, date(2026, 11, 29)),
        (date(2026, 3, 1), dates.Period(months=1, days=1), -1, date(2026, 1, 31)),
        (date(2026, 1, 1), dates.Period(years=9999), 1, date.max),
        (date(2026, 1, 1), dates.Period(years=9999), -1, date.min),
    ],
)
def test_shift(day: date, period: dates.Period, sign: int, expected: date) -> None:
    assert dates.shift(day, period, sign) == expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("today", date(2026, 11, 15)),
        ("today-P130Y", date(1896, 11, 15)),
        ("today+P14D", date(2026, 11, 29)),
        ("today+P2W", date(2026, 11, 29)),
        ("today-P1Y6M", date(2025, 5, 15)),
        ("2020-02-29", date(2020, 2, 29)),
        ("field:einzugsdatum", None),
    ],
)
def test_bounds(expr: str, expected: date | None) -> None:
    assert dates.parse_bound(expr).resolve(date(2026, 11, 15)) == expected


@pytest.mark.parametrize(
    "expr", ["yesterday", "today-130Y", "today+P", "today+PT1H", "15.11.2026", "2020-02-30", "field:", "field:a-b", 5]
)
def test_invalid_bounds(expr: object) -> None:
    with pytest.raises(ValueError):
        dates.parse_bound(expr)


def test_locate_finds_lines_and_duplicates() -> None:
    text = '{\n  "a": {\n    "b": [1,\n      {"c": "x"}]\n  },\n  "a": 2\n}'
    positions = locate(text)
    assert positions.line_col("/a/b/1/c") == (4, 13)
    assert positions.line("/a/b/0") == 3
    assert positions.line("/a/b/7") == 3  # falls back to the nearest existing parent
    assert positions.duplicates == ["/a"]
    assert positions.line("/a") == 6  # JSON keeps the last one, so that is where the pointer leads
