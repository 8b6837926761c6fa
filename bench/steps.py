"""Step cost as a case's history grows (issue: engine core, "Benchmark").

A loop process (``tests/fixtures/packages/schleife``) where every round is one user task whose
5 form fields are appended as a new person to the case data, as a multi-person Anmeldung
accumulates data (200 rounds: 1,000 values). Measured through the
real service layer (form validation, SQLite WAL with synchronous=FULL, audit chain):

- *warm* steps: the case's workflow is in the in-process cache;
- *cold* steps: the cache is emptied right before the step, so the case is loaded from the DB;
- a *naive* store in the same run: one row per case holding SpiffWorkflow's full
  ``serialize_json`` (spec included), loaded, deserialized, stepped, serialized and written back.

Warm steps at history 10 and 200 are measured interleaved (two cohorts of cases, the second
started late) so both are taken at the same process age and database size.
"""

from __future__ import annotations

import gc
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Column, MetaData, String, Table, Text, insert, select, update

from engine import clock
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.settings import PROJECT_ROOT, Settings
from engine.store.db import connect

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
def _letters(i: int) -> str:
    """0 → "A", 25 → "Z", 26 → "BA": names must be letters only (DIN 91379 datatype A)."""
    out = ""
    while True:
        i, r = divmod(i, 26)
        out = chr(ord("A") + r) + out
        if i == 0:
            return out


def _fields(i: int) -> dict[str, Any]:
    """The 5 fields of person number ``i`` (one loop round adds one person to ``personen``)."""
    return {"vorname": f"Person{_letters(i).lower()}", "familienname": f"Testfall-{_letters(i)}",
            "geburtsort": "Rerik", "strasse": "Testweg", "hausnummer": str(i + 1)}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _engine(tmp: Path) -> Engine:
    settings = Settings(root=PROJECT_ROOT, database_url=f"sqlite:///{tmp / 'bench.db'}", var_dir=tmp,
                        processes_dir=FIXTURES / "packages", forms_dir=FIXTURES / "forms")
    engine = Engine(settings)
    engine.migrate()
    engine.authorities.load_file(PROJECT_ROOT / "demo" / "authorities.toml")
    engine.catalog.sync_from_disk()
    return engine


def one_run(history: int = 200, low: int = 10, cases_per_cohort: int = 6, window: int = 5) -> dict[str, Any]:
    """One run on a fresh database; returns per-run medians and p95s in milliseconds."""
    with tempfile.TemporaryDirectory() as d, clock.using(clock.FixedClock.on(date(2026, 11, 15))):
        engine = _engine(Path(d))
        actor = Actor.system("bench")
        total = history + window + 1
        late_start = history - low
        cohorts: dict[str, list[dict[str, Any]]] = {"A": [], "B": []}
        warm = {"A": [], "B": []}
        cold: list[float] = []

        def new_case() -> dict[str, Any]:
            view = engine.cases.start("schleife", "neubukow-salzhaff", actor)
            return {"id": view.case.id, "task": view.ready[0].task_id, "h": 0}

        def step(case: dict[str, Any], *, drop: bool) -> float:
            data = {**_fields(case["h"]), "weitere": True}
            if drop:
                engine.workflows.drop(case["id"])
            gc.collect()
            t0 = time.perf_counter()
            out = engine.cases.submit(case["id"], case["task"], data, actor)
            elapsed = (time.perf_counter() - t0) * 1000
            case["task"] = out.ready[0]["task_id"]
            case["h"] += 1
            return elapsed

        cohorts["A"] = [new_case() for _ in range(cases_per_cohort)]
        for rnd in range(total):
            if rnd == late_start:
                cohorts["B"] = [new_case() for _ in range(cases_per_cohort)]
            for name in ("A", "B"):
                for i, case in enumerate(cohorts[name]):
                    h = case["h"]
                    target = history if name == "A" else low
                    in_window = target - window <= h < target + window
                    # One case of cohort A is stepped cold at history 200 (cache emptied first).
                    is_cold = name == "A" and i == 0 and in_window
                    t = step(case, drop=is_cold)
                    if is_cold:
                        cold.append(t)
                    elif in_window:
                        warm[name].append(t)
        state_bytes = len(engine.cases.state_json(cohorts["A"][1]["id"]))
        engine.close()
        naive = naive_run(history, window)
    return {
        "warm_10": warm["B"], "warm_200": warm["A"], "cold_200": cold, "naive_200": naive,
        "state_bytes_at_200": state_bytes,
    }


def naive_run(history: int, window: int) -> list[float]:
    """The baseline: full SpiffWorkflow JSON (with spec) loaded and saved whole on every step."""
    bpmn = (FIXTURES / "packages" / "schleife" / "schleife.bpmn").read_bytes()
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_str(bpmn, filename="schleife.bpmn")
    spec = parser.get_spec("schleife")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(dict(SPIFF_CONFIG)))
    times: list[float] = []
    with tempfile.TemporaryDirectory() as d:
        db = connect(f"sqlite:///{Path(d) / 'naive.db'}")
        meta = MetaData()
        table = Table("naive", meta, Column("id", String(10), primary_key=True), Column("state", Text))
        meta.create_all(db.engine)
        wf = BpmnWorkflow(spec, {})
        wf.do_engine_steps()
        with db.engine.begin() as c:
            c.execute(insert(table).values(id="c1", state=serializer.serialize_json(wf)))
        for h in range(history + window):
            data = {**_fields(h), "weitere": True}
            gc.collect()
            t0 = time.perf_counter()
            with db.engine.begin() as c:
                text = c.execute(select(table.c.state).where(table.c.id == "c1")).scalar_one()
                wf = serializer.deserialize_json(text)
                task = next(t for t in wf.get_tasks(state=TaskState.READY, manual=True))
                task.data.update(data)
                task.run()
                wf.do_engine_steps()
                c.execute(update(table).where(table.c.id == "c1").values(state=serializer.serialize_json(wf)))
            if h >= history - window:
                times.append((time.perf_counter() - t0) * 1000)
        db.dispose()
    return times


def run(runs: int = 3, progress: Callable[[str], None] = print, quick: bool = False) -> dict[str, Any]:
    history = 60 if quick else 200
    per_run: list[dict[str, float]] = []
    state_bytes = 0
    for r in range(runs):
        progress(f"engine steps: run {r + 1}/{runs} (history {history})")
        res = one_run(history=history)
        state_bytes = res["state_bytes_at_200"]
        m = {k: statistics.median(res[k]) for k in ("warm_10", "warm_200", "cold_200", "naive_200")}
        m.update({f"{k}_p95": _pct(res[k], 0.95) for k in ("warm_10", "warm_200", "cold_200", "naive_200")})
        m["ratio_200_10"] = m["warm_200"] / m["warm_10"]
        m["ratio_cold_naive"] = m["cold_200"] / m["naive_200"]
        per_run.append(m)

    def med(key: str) -> float:
        return round(statistics.median(r[key] for r in per_run), 3)

    return {
        "step_p50_ms_at_10": med("warm_10"),
        "step_p95_ms_at_10": med("warm_10_p95"),
        "step_p50_ms_at_200": med("warm_200"),
        "step_p95_ms_at_200": med("warm_200_p95"),
        "step_ratio_200_vs_10": med("ratio_200_10"),
        "cold_step_p50_ms_at_200": med("cold_200"),
        "cold_step_p95_ms_at_200": med("cold_200_p95"),
        "naive_step_p50_ms_at_200": med("naive_200"),
        "naive_step_p95_ms_at_200": med("naive_200_p95"),
        "cold_step_ratio_vs_naive_at_200": med("ratio_cold_naive"),
        "step_runs": runs,
        "step_history": history,
        "state_bytes_at_200": state_bytes,
        "step_ratio_per_run": [round(r["ratio_200_10"], 3) for r in per_run],
    }
