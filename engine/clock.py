"""Time as a dependency.

Rules and scripts never read the system clock: a step runs with one clock, and everything in
that step (``today()`` in scripts, audit timestamps, message creation times, deadlines) sees the
same instant. Tests and scenario files pin the clock to a date such as the application date of
a worked example.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that stands still until moved; used by tests, scenarios and benchmarks."""

    instant: datetime

    def __post_init__(self) -> None:
        if self.instant.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")

    @classmethod
    def on(cls, day: date, hour: int = 10) -> FixedClock:
        """A clock at ``hour`` o'clock Berlin time on ``day``."""
        return cls(datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN))

    def now(self) -> datetime:
        return self.instant

    def advance(self, delta: timedelta) -> None:
        self.instant = self.instant + delta


_SYSTEM = SystemClock()
_current: ContextVar[Clock | None] = ContextVar("amtskoffer_clock", default=None)


def now() -> datetime:
    """The current instant of the running step (aware)."""
    return (_current.get() or _SYSTEM).now()


def today() -> date:
    """The current calendar day in Germany (Europe/Berlin) of the running step."""
    return now().astimezone(BERLIN).date()


@contextmanager
def using(clock: Clock) -> Iterator[Clock]:
    """Run the enclosed code with ``clock`` as the current clock."""
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)


def current() -> Clock:
    return _current.get() or _SYSTEM
