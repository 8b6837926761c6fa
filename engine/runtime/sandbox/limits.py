"""The limits of a script call: ``Limits`` (per environment or call) and the fixed size limits.

What each limit covers is in the table of the package docstring (``engine.runtime.sandbox``).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_SEQUENCE_LEN = 1_000_000
MAX_INT_BITS = 100_000
MAX_DECIMAL_DIGITS = 4_300
MAX_RANGE_LEN = 10_000_000
MAX_FORMAT_WIDTH = 10_000
DIRECT_ITERATION_LEN = 100_000
MAX_SOURCE_LEN = 100_000


@dataclass(frozen=True, slots=True)
class Limits:
    """Run-time limits of one script call."""

    time_s: float = 1.0
    """Wall-clock seconds."""
    memory_mb: float = 64
    """Growth of the process's resident memory, in MiB."""

    def __post_init__(self) -> None:
        if not (self.time_s > 0 and self.memory_mb > 0):
            raise ValueError(f"limits must be positive: {self}")
