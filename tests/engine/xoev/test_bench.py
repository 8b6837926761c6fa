"""engine/xoev/bench.py: the benchmark reports both numbers (smoke test with few runs)."""

from __future__ import annotations

from engine.settings import Settings
from engine.xoev import message_types
from engine.xoev.bench import run
from engine.xoev.validate import XMeldValidator


def test_bench_reports_compile_and_generate_times() -> None:
    before = XMeldValidator.for_bundle(Settings().xoev_schema_dir)
    result = run(Settings(), generate_runs=5)
    assert 0 < result["xmeld_schema_compile_s"] < 10
    assert 0 < result["xmeld_generate_validate_median_ms"] < 1000
    assert result["xmeld_generate_validate_runs"] == 5 * 5
    assert len(result["xmeld_generate_validate_batch_medians_ms"]) == 5
    assert set(result["xmeld_generate_validate_median_ms_by_type"]) == set(message_types(Settings()))
    # the benchmark recompiled from scratch, so the cached validator is a new object
    assert XMeldValidator.for_bundle(Settings().xoev_schema_dir) is not before
