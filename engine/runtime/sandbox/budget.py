"""Run time: budget, ticks, memory.

A ``_Budget`` holds the deadline and the memory baseline of one script call (in a ``ContextVar``,
so threads never share one); ticking iterators and ``_feed`` make C-level iteration tick. The
errors for exceeded limits are built here too.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from engine.errors import ScriptError, ScriptLimitExceeded
from engine.runtime.sandbox.limits import DIRECT_ITERATION_LEN, Limits

try:  # not on Windows; /proc/self/statm is preferred anyway
    import resource
except ImportError:  # pragma: no cover
    resource = None  # type: ignore[assignment]

MEMORY_CHECK_INTERVAL_S = 0.002
# The memory baseline is read this long after the first tick, so that short scripts never pay
# for reading /proc (≈10 µs); in 0.2 ms a script can allocate a few MB at most.
MEMORY_BASELINE_DELAY_S = 0.0002

_perf_counter = time.perf_counter
_current: ContextVar[_Budget | None] = ContextVar("amtskoffer_script_budget", default=None)

try:
    _PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, ValueError, OSError):  # pragma: no cover
    _PAGE_SIZE = 4096


def _resident_bytes() -> int:
    """Resident memory of this process; 0 if the platform cannot tell (no memory limit then)."""
    try:
        fd = os.open("/proc/self/statm", os.O_RDONLY)
        try:
            return int(os.read(fd, 128).split()[1]) * _PAGE_SIZE
        finally:
            os.close(fd)
    except (OSError, IndexError, ValueError):
        pass
    if resource is not None:  # the peak, not the current size: growth below an old peak is missed
        scale = 1 if sys.platform == "darwin" else 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    return 0  # pragma: no cover


def _de_number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _limit_error(limit: str, log: str, user: str) -> ScriptLimitExceeded:
    return ScriptLimitExceeded(log, user_message=user, limit=limit)


def _too_big(what: str, size: float, maximum: int) -> ScriptLimitExceeded:
    return _limit_error(
        "size",
        f"{what}: {size:.0f} exceeds {maximum}",
        f"Das Ergebnis wäre zu groß ({what}: höchstens {maximum:,} erlaubt).".replace(",", "."),
    )


class _Budget:
    """Deadline and memory baseline of one script call."""

    __slots__ = ("deadline", "limits", "memory_base", "next_check", "started")

    def __init__(self, limits: Limits, outer: _Budget | None) -> None:
        self.limits = limits
        self.deadline = _perf_counter() + limits.time_s
        if outer is not None and outer.deadline < self.deadline:
            self.deadline = outer.deadline  # a nested call may not outlive the call it runs in
        self.started = False
        self.memory_base = -1  # not read yet: conditions without loops never read /proc
        self.next_check = 0.0

    def tick(self, _clock: Callable[[], float] = _perf_counter) -> bool:
        # The hot path: one clock read and one comparison. next_check is the earlier of the
        # deadline and the next memory check. (The clock is read on every tick, not every N
        # ticks: N loop passes that each copy a large list could outgrow the limit unseen.)
        if _clock() >= self.next_check:
            self._check()
        return True

    def _check(self) -> None:
        now = _perf_counter()
        if now >= self.deadline:
            raise _limit_error(
                "time",
                f"script exceeded its time limit of {self.limits.time_s} s",
                f"Das Skript hat das Zeitlimit von {_de_number(self.limits.time_s)} s überschritten.",
            )
        if not self.started:  # first tick
            self.started = True
            self.next_check = min(self.deadline, now + MEMORY_BASELINE_DELAY_S)
            return
        resident = _resident_bytes()
        if self.memory_base < 0:
            self.memory_base = resident
        elif resident - self.memory_base > self.limits.memory_mb * 2**20:
            raise _limit_error(
                "memory",
                f"script grew memory by {(resident - self.memory_base) / 2**20:.0f} MiB "
                f"(limit {self.limits.memory_mb} MiB)",
                f"Das Skript hat das Speicherlimit von {_de_number(self.limits.memory_mb)} MB überschritten.",
            )
        self.next_check = min(self.deadline, _perf_counter() + MEMORY_CHECK_INTERVAL_S)

    def close(self) -> None:
        # Functions or generators that escaped into task data fail when called later.
        self.deadline = self.next_check = -math.inf

    def getiter(self, ob: Any) -> Iterator[Any]:
        return _ticking(iter(ob), self.tick)


def _ticking(iterator: Iterator[Any], tick: Callable[[], bool]) -> Iterator[Any]:
    for item in iterator:
        tick()
        yield item


def _budget() -> _Budget:
    budget = _current.get()
    if budget is None:
        raise ScriptError(
            "sandbox guard called outside a script run",
            user_message="Eine Skriptfunktion wurde außerhalb eines Skriptlaufs aufgerufen.",
        )
    return budget


def _tick_every(iterable: Iterable[Any]) -> Iterator[Any]:
    """The iterable with a tick per item: for callbacks that may grow what they iterate."""
    return _ticking(iter(iterable), _budget().tick)


_SNAPSHOT_TYPES = frozenset(
    {str, bytes, tuple, list, dict, set, frozenset, range, type({}.keys()), type({}.values()), type({}.items())}
)


def _feed(iterable: Any) -> Any:
    """What a C-level consumer (list(), sum(), str.join …) may iterate without ticks.

    A small existing container is passed on as is (fast path); anything else — generators,
    map/zip objects, large ranges or containers — is iterated with a tick per item.
    """
    if type(iterable) in _SNAPSHOT_TYPES and len(iterable) <= DIRECT_ITERATION_LEN:
        return iterable
    return _tick_every(iterable)
