"""Kill a process that is completing steps with SIGKILL at random moments; nothing is half-applied.

After every kill the database is checked: the audit chain verifies, and for every case the
case row, its newest state, its step log and its audit events agree; the newest state loads
and shows the same ready task as the case row. Then the next process continues the cases.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.runtime import runner
from engine.runtime import state as wf_state
from engine.service_layer.actors import Actor
from engine.store.models import AuditEvent, Case, CaseState, CaseStep
from tests.conftest import make_settings

CHILD = Path(__file__).with_name("crash_child.py")
TARGET_STEPS = 400
RUNS = 20


def check_consistent(engine) -> int:  # type: ignore[no-untyped-def]
    result = engine.audit.verify()
    assert result.ok, result.breaks[:3]
    total = 0
    with engine.db.read() as s:
        for case in s.execute(select(Case)).scalars():
            states = s.execute(select(func.max(CaseState.seq), func.count()).where(CaseState.case_id == case.id)).one()
            steps = s.execute(select(func.max(CaseStep.seq), func.count()).where(CaseStep.case_id == case.id)).one()
            events = s.execute(select(func.count()).where(AuditEvent.case_id == case.id)).scalar()
            submits = s.execute(select(func.count()).where(AuditEvent.case_id == case.id,
                                                           AuditEvent.type == "step_completed")).scalar()
            assert states == (case.state_seq, case.state_seq), (case.number, states)
            assert steps == (case.state_seq, case.state_seq), (case.number, steps)
            assert case.version == case.state_seq
            assert events == case.audit_seq
            assert submits == case.state_seq - 1  # one start step, the rest are submits
            package = engine.catalog.compiled(s, case.package_version_id)
            row = s.get(CaseState, (case.id, case.state_seq))
            wf = runner.attach(wf_state.loads(row.state, package.spec, package.subprocess_specs),
                               engine.script_engine)
            ready = [str(t.id) for t in runner.ready_user_tasks(wf)]
            assert ready == [t["task_id"] for t in case.ready_tasks]
            h = case.state_seq - 1
            personen = wf.get_task_from_id(uuid.UUID(ready[0])).data["personen"]
            assert [p["hausnummer"] for p in personen] == [str(i) for i in range(h)]
            assert all(p["strasse"] == case.number for p in personen)
            total += h
    return total


@pytest.mark.slow
def test_sigkill_at_random_points_leaves_a_consistent_database(sqlite_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from engine.service_layer.core import Engine

    settings = make_settings(tmp_path, sqlite_url)
    engine = Engine(settings)
    engine.authorities.load_file(settings.root / "demo" / "authorities.toml")
    engine.catalog.sync_from_disk()
    rnd = random.Random(4711)
    env = {**os.environ, "PYTHONPATH": str(settings.root)}
    killed = 0
    interrupted = 0  # kills that hit a process with work still to do
    for _ in range(RUNS):
        with subprocess.Popen([sys.executable, str(CHILD), sqlite_url, str(TARGET_STEPS)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) as proc:
            assert proc.stdout is not None and proc.stderr is not None
            line = proc.stdout.readline()
            if line.strip() != "ready":
                proc.kill()
                pytest.fail(f"child did not start: {line!r} {proc.stderr.read()}")
            time.sleep(rnd.uniform(0.0, 0.25))
            was_running = proc.poll() is None
            if was_running:
                proc.send_signal(signal.SIGKILL)
                killed += 1
            proc.wait(timeout=60)
        if check_consistent(engine) < TARGET_STEPS and was_running:
            interrupted += 1
    # Let a last process finish the work; the total must reach the target exactly.
    subprocess.run([sys.executable, str(CHILD), sqlite_url, str(TARGET_STEPS)], check=True, env=env,
                   capture_output=True, timeout=600)
    assert check_consistent(engine) == TARGET_STEPS
    assert killed >= RUNS - 2, f"only {killed} of {RUNS} runs were killed mid-run"
    assert interrupted >= RUNS // 2, f"only {interrupted} kills interrupted unfinished work"
    # Every state that was committed can still be continued by a fresh engine.
    fresh = Engine(settings)
    for c in fresh.cases.list(Actor.system(), limit=10):
        assert fresh.cases.view(c.id, Actor.system(), log_read=False).ready
    assert fresh.audit.verify().ok
