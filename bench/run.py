"""Run every benchmark and collect the results (``make bench`` → ``bench/results.json``).

Ratios are computed from values measured in the same run. Benchmarks never assert: they
measure and report; goals are stated in the issue notes and docs.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any


def run_all(*, quick: bool = False, progress: Callable[[str], None] = print) -> dict[str, Any]:
    from bench import steps
    from engine.settings import Settings
    from engine.xoev import bench as xoev_bench

    results: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
    }
    before = calibration_s()
    progress("XMeld generation and validation")
    results.update(xoev_bench.run(Settings()))
    results.update(steps.run(runs=1 if quick else 3, progress=progress, quick=quick))
    for extra in _extras():
        results.update(extra(quick=quick, progress=progress))
    results["machine"]["calibration_loop_s"] = [before, calibration_s()]
    return results


def calibration_s() -> float:
    """CPU seconds of a fixed pure-Python loop (best of 3), at the start and the end of a run.

    On a shared host the same loop has taken 0.26 s and 0.50 s on different hours; reading
    absolute milliseconds next to this figure tells a slow machine from a slow change.
    """
    best = float("inf")
    for _ in range(3):
        start, total = time.process_time(), 0
        for i in range(3_000_000):
            total += i
        best = min(best, time.process_time() - start)
    return round(best, 3)


def _extras() -> list[Callable[..., dict[str, Any]]]:
    """Benchmarks contributed by other parts (web)."""
    import importlib

    found = []
    for name in ("bench.web", "bench.register"):
        try:
            found.append(importlib.import_module(name).run)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise
    return found
