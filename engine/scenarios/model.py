"""A scenario as typed data (what the loader produces and the runner executes)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from engine.clock import BERLIN
from engine.forms.dates import Period, shift


@dataclass(frozen=True, slots=True, kw_only=True)
class Duration:
    """An ISO 8601 duration: calendar part (years, months, days) plus a clock part."""

    text: str
    period: Period = field(default_factory=Period)
    clock: timedelta = field(default_factory=timedelta)

    def after(self, instant: datetime) -> datetime:
        """``instant`` moved on: calendar units on the German calendar, then the clock part."""
        local = instant.astimezone(BERLIN)
        day = shift(local.date(), self.period)
        moved = datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=BERLIN)
        return moved + self.clock


@dataclass(frozen=True, slots=True, kw_only=True)
class Resident:
    ref: str
    """The name steps use for this person: ``${ref}``."""
    data: Mapping[str, Any]
    """Person fields as for ``register.create_person`` (plus ``gefuehrt_von``)."""
    line: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ExpectedError:
    field: str | None = None
    """Field path the InputInvalid must name (``direktversand``, ``personen/1/vorname``)."""
    contains: str | None = None
    """Text the error message must contain (case-insensitive)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskStep:
    task: str
    data: Mapping[str, Any]
    expect_error: ExpectedError | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageStep:
    message: str
    payload: Mapping[str, Any]
    line: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AdvanceStep:
    advance: Duration
    line: int | None = None


Step = TaskStep | MessageStep | AdvanceStep


@dataclass(frozen=True, slots=True, kw_only=True)
class Expectations:
    status: str | None = None
    path_includes: tuple[str, ...] = ()
    path_excludes: tuple[str, ...] = ()
    data: Mapping[str, Any] | None = None
    messages: tuple[Mapping[str, Any], ...] | None = None
    documents: tuple[Mapping[str, Any], ...] | None = None
    register: tuple[Mapping[str, Any], ...] = ()
    audit: tuple[str, ...] = ()
    """Audit event types that must appear in the case's history, in this order (others may lie between)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    name: str
    file: str
    authority: str
    today: date
    steps: tuple[Step, ...]
    rule_refs: tuple[str, ...] = ()
    register: tuple[Resident, ...] = ()
    mocks: Mapping[str, Any] = field(default_factory=dict)
    start_data: Mapping[str, Any] = field(default_factory=dict)
    expect: Expectations = field(default_factory=Expectations)
