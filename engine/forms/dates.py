"""Dates in forms: German and ISO input, German output, and ``minimumDate``/``maximumDate`` bounds.

Input accepted for ``format: date``: ``2026-11-15`` (ISO, what the JSON data holds) and
``15.11.2026`` / ``5.1.2026`` (German, what clerks type). Two-digit years are refused on
purpose: for a birth date "15.11.26" could mean 1926 or 2026.

Input accepted for ``format: date-time``: RFC 3339 (``2026-11-15T10:30:00+01:00``), a local
``2026-11-15T10:30`` (``<input type="datetime-local">``) and German ``15.11.2026 10:30``;
local times are German time (Europe/Berlin).

Bound expressions (the values of ``minimumDate`` / ``maximumDate``)::

    2026-01-31                 a fixed day
    today                      engine.clock.today() of the running step
    today-P130Y, today+P14D    today shifted by an ISO 8601 duration of years, months, weeks, days
    field:<name>               another date field of the same object (resolved by the caller)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from engine.clock import BERLIN

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?"
_OFFSET = r"(Z|[+-]\d{2}:\d{2})"
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")
_ISO_LOCAL = re.compile(rf"(\d{{4}})-(\d{{2}})-(\d{{2}})[Tt ]{_TIME}\s*{_OFFSET}?")
_GERMAN_DATETIME = re.compile(rf"(\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}}),?\s+{_TIME}(?:\s*Uhr)?\s*{_OFFSET}?")
_DURATION = re.compile(r"P(?!$)(?:(\d{1,4})Y)?(?:(\d{1,5})M)?(?:(\d{1,5})W)?(?:(\d{1,6})D)?")
_BOUND = re.compile(r"today(?:([+-])(P\w+))?")
_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def parse_date(text: str) -> date | None:
    """The day written as ISO ``YYYY-MM-DD`` or German ``TT.MM.JJJJ``; None if it is no real day."""
    text = text.strip()
    if m := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in m.groups())
    elif m := _GERMAN_DATE.fullmatch(text):
        day, month, year = (int(g) for g in m.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:  # 31.02.2026
        return None


def is_iso_date(text: str) -> bool:
    """True for a real day in the exact form ``YYYY-MM-DD`` (what validated data contains)."""
    return _ISO_DATE.fullmatch(text) is not None and parse_date(text) is not None


def format_date(day: date) -> str:
    """``15.11.2026``: how dates are shown to clerks and in messages."""
    return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"


def _time_parts(groups: tuple[str | None, ...]) -> tuple[int, int, int, int]:
    hour, minute, second, fraction = groups
    micro = int((fraction or "0").ljust(6, "0")) if fraction else 0
    return int(hour or 0), int(minute or 0), int(second or 0), micro


def _with_offset(naive: datetime, offset: str | None) -> datetime:
    if offset is None:
        return naive.replace(tzinfo=BERLIN)
    return datetime.fromisoformat(naive.isoformat() + ("+00:00" if offset in "Zz" else offset))


def parse_datetime(text: str) -> datetime | None:
    """An aware datetime from RFC 3339, local ISO or German input; local means German time."""
    text = text.strip()
    if m := _ISO_LOCAL.fullmatch(text):
        year, month, day = (int(g) for g in m.groups()[:3])
        time_groups, offset = m.groups()[3:7], m.group(8)
    elif m := _GERMAN_DATETIME.fullmatch(text):
        day, month, year = (int(g) for g in m.groups()[:3])
        time_groups, offset = m.groups()[3:7], m.group(8)
    else:
        return None
    try:
        naive = datetime(year, month, day, *_time_parts(time_groups))
        return _with_offset(naive, offset)
    except ValueError:  # 25:00, 31.02., offset +25:00
        return None


def is_rfc3339(text: str) -> bool:
    """True for a complete RFC 3339 date-time with offset (what validated data contains)."""
    if _RFC3339.fullmatch(text) is None:
        return False
    try:
        datetime.fromisoformat(text.upper())
    except ValueError:
        return False
    return True


def to_rfc3339(moment: datetime) -> str:
    """``2026-11-15T10:30:00+01:00``; naive datetimes are taken as German time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BERLIN)
    return moment.isoformat()


def format_datetime(moment: datetime) -> str:
    """``15.11.2026 10:30`` in German time; the offset is added only when the wall time is ambiguous.

    In the night the clocks go back, 02:30 happens twice; without the offset the value would
    not survive being shown and posted again.
    """
    local = (moment if moment.tzinfo else moment.replace(tzinfo=BERLIN)).astimezone(BERLIN)
    text = f"{format_date(local.date())} {local.hour:02d}:{local.minute:02d}"
    if local.second or local.microsecond:
        text += f":{local.second:02d}"
    if local.microsecond:
        text += f",{local.microsecond:06d}"
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        offset = local.isoformat()[-6:]
        text += f" {offset}"
    return text


@dataclass(frozen=True, slots=True)
class Period:
    """An ISO 8601 duration restricted to calendar units (``P1Y2M3W4D``)."""

    years: int = 0
    months: int = 0
    days: int = 0


def parse_period(text: str) -> Period:
    """Parse ``P130Y``, ``P14D``, ``P1Y6M``, ``P2W``; raises ValueError for anything else."""
    m = _DURATION.fullmatch(text)
    if m is None:
        raise ValueError(f"not a duration of years/months/weeks/days: {text!r}")
    years, months, weeks, days = (int(g or 0) for g in m.groups())
    return Period(years, months, weeks * 7 + days)


def shift(day: date, period: Period, sign: int = 1) -> date:
    """``day`` moved by ``period``; a day missing in the target month becomes its last day.

    29.02.2024 + P1Y is 28.02.2025 (as § 188 Abs. 3 BGB counts). Results beyond the calendar
    are clamped to 01.01.0001 / 31.12.9999 rather than raising in the middle of validation.
    """
    month_index = day.year * 12 + (day.month - 1) + sign * (period.years * 12 + period.months)
    year, month = divmod(month_index, 12)
    month += 1
    if year < 1:
        return date.min
    if year > 9999:
        return date.max
    last = _days_in_month(year, month)
    moved = date(year, month, min(day.day, last))
    try:
        return moved + timedelta(days=sign * period.days)
    except OverflowError:
        return date.min if sign < 0 else date.max


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - timedelta(days=1)).day


@dataclass(frozen=True, slots=True)
class DateBound:
    """A parsed ``minimumDate``/``maximumDate`` value."""

    fixed: date | None = None
    """A fixed day (``2026-01-31``)."""
    period: Period | None = None
    """Offset from today (``today`` alone has a zero period)."""
    sign: int = 1
    field: str | None = None
    """Name of a sibling date field (``field:einzugsdatum``)."""

    def resolve(self, today: date) -> date | None:
        """The concrete day; None for a field reference (the caller looks the field up)."""
        if self.fixed is not None:
            return self.fixed
        if self.period is not None:
            return shift(today, self.period, self.sign)
        return None


def parse_bound(expr: object) -> DateBound:
    """Parse a bound expression; raises ValueError with an English reason if it is invalid."""
    if not isinstance(expr, str):
        raise ValueError(f"a date bound must be a string, not {type(expr).__name__}")
    if expr.startswith("field:"):
        name = expr[len("field:") :]
        if not _FIELD_NAME.fullmatch(name):
            raise ValueError(f"'field:' must be followed by a field name, got {expr!r}")
        return DateBound(field=name)
    if m := _BOUND.fullmatch(expr):
        sign, duration = m.groups()
        period = parse_period(duration) if duration else Period()
        return DateBound(period=period, sign=-1 if sign == "-" else 1)
    if is_iso_date(expr):
        return DateBound(fixed=parse_date(expr))
    raise ValueError(f"expected YYYY-MM-DD, 'today', 'today-P<n>Y' or 'field:<name>', got {expr!r}")
