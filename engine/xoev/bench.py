"""Benchmarks of the XMeld layer, for ``amtskoffer bench``.

:func:`run` returns

- ``xmeld_schema_compile_s``: compiling the bundle's entry schema from scratch (catalog
  read, every XSD parsed, schema built) with the validator cache cleared; median of 3;
- ``xmeld_generate_validate_median_ms``: one :func:`build_message` of the
  ``rueckmeldung.anmeldunginland.0201`` example (input check, rendering, XSD validation),
  median over 5 batches of 200 runs after one warm-up; ``…_batch_medians_ms`` shows the
  spread between the batches (on a shared machine, neighbours' load moves single batches);
- ``xmeld_generate_validate_cpu_median_ms``: the same runs in CPU time of this process, which
  other load on a shared machine disturbs much less than wall-clock time;
- ``xmeld_generate_validate_median_ms_by_type``: the median of 100 runs of every shipped type's
  example, since the cost depends on the type's template and input schema.
"""

from __future__ import annotations

import gc
import statistics
import time
import uuid
from typing import Any

from engine.settings import Settings
from engine.xoev.examples import EXAMPLE_CREATED_AT
from engine.xoev.generate import build_message, example_authorities, message_types
from engine.xoev.validate import XMeldValidator

BENCH_MESSAGE_TYPE = "rueckmeldung.anmeldunginland.0201"
COMPILE_RUNS = 3
GENERATE_RUNS = 200
BATCHES = 5
PER_TYPE_RUNS = 100


def run(settings: Settings, *, generate_runs: int = GENERATE_RUNS) -> dict[str, Any]:
    """Measure; ``generate_runs`` (per batch) below 200 only for smoke tests."""
    compile_times = []
    for _ in range(COMPILE_RUNS):
        XMeldValidator.clear_cache()
        start = time.perf_counter()
        XMeldValidator.for_bundle(settings.xoev_schema_dir)
        compile_times.append(time.perf_counter() - start)

    mtype = message_types(settings)[BENCH_MESSAGE_TYPE]
    author, reader = example_authorities(mtype)

    def once() -> None:
        build_message(BENCH_MESSAGE_TYPE, author=author, reader=reader, data=mtype.example.data,
                      created_at=EXAMPLE_CREATED_AT, message_id=uuid.uuid4(), settings=settings)

    once()  # warm-up: loads code lists and message types
    generate_times, cpu_times, batch_medians = [], [], []
    for _ in range(BATCHES):
        gc.collect()  # each batch starts from the same heap, not from the previous batch's garbage
        batch = []
        for _ in range(generate_runs):
            start, cpu_start = time.perf_counter(), time.process_time()
            once()
            cpu_times.append(time.process_time() - cpu_start)
            batch.append(time.perf_counter() - start)
        batch_medians.append(round(statistics.median(batch) * 1000, 3))
        generate_times += batch
    by_type = {name: _median_ms(settings, name, min(generate_runs, PER_TYPE_RUNS)) for name in message_types(settings)}
    return {
        "xmeld_schema_compile_s": round(statistics.median(compile_times), 4),
        "xmeld_generate_validate_median_ms": round(statistics.median(generate_times) * 1000, 3),
        "xmeld_generate_validate_batch_medians_ms": batch_medians,
        "xmeld_generate_validate_cpu_median_ms": round(statistics.median(cpu_times) * 1000, 3),
        "xmeld_generate_validate_runs": generate_runs * BATCHES,
        "xmeld_generate_validate_median_ms_by_type": dict(sorted(by_type.items())),
    }


def _median_ms(settings: Settings, name: str, runs: int) -> float:
    mtype = message_types(settings)[name]
    author, reader = example_authorities(mtype)

    def once() -> None:
        build_message(name, author=author, reader=reader, data=mtype.example.data, created_at=EXAMPLE_CREATED_AT,
                      message_id=uuid.uuid4(), settings=settings)

    once()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        once()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 3)
