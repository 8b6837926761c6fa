"""Delivery survives SIGKILL: a worker killed mid-delivery leaves a lease that runs out, the next
worker sends again, and in the end every message has arrived exactly once by its id.

HTTP: the receiver holds a request after processing it, and the worker is killed while it waits
for the answer – the hard case (the receiver has the message, the sender never learns it).
Directory: workers are killed at random moments while writing files.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.store.models import AuditEvent
from tests.engine.messaging.conftest import make_engine, outbox_rows, sent_case
from tests.engine.messaging.receiver import Receiver

CHILD = Path(__file__).with_name("delivery_child.py")
CASES = 4
LEASE_S = 1.0


def _prepare(tmp_path: Path, sqlite_url: str, **overrides: Any) -> Engine:
    engine = make_engine(tmp_path, sqlite_url, outbox_lease_s=LEASE_S, **overrides)
    clerk = Actor(name="clerk.test", roles=frozenset({"clerk"}))
    for n in range(CASES):
        sent_case(engine, clerk, seriennummer=f"C01X00T{n:02d}")
    return engine


def _child(engine: Engine, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), engine.settings.database_url, str(engine.settings.var_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def _wait_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None and proc.stderr is not None
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        pytest.fail(f"child did not start: {line!r} {proc.stderr.read()}")


def _finish(engine: Engine, env: dict[str, str]) -> None:
    """Let workers run to the end (after the last lease ran out) until every message is delivered."""
    for _ in range(5):
        time.sleep(LEASE_S + 0.2)
        subprocess.run([sys.executable, str(CHILD), engine.settings.database_url, str(engine.settings.var_dir)],
                       check=True, env=env, capture_output=True, timeout=120)
        if all(r.status == "delivered" for r in outbox_rows(engine)):
            return
    pytest.fail(f"not delivered: {[(r.id, r.status, r.last_error) for r in outbox_rows(engine)]}")


def _delivered_events(engine: Engine) -> Counter[str]:
    import json

    with engine.db.read() as s:
        payloads = s.execute(select(AuditEvent.payload).where(AuditEvent.type == "message_delivered")).scalars()
        return Counter(json.loads(p)["message_id"] for p in payloads)


@pytest.mark.slow
def test_http_worker_killed_while_waiting_for_the_receiver(tmp_path: Path, sqlite_url: str,
                                                          receiver: Receiver) -> None:
    engine = _prepare(tmp_path, sqlite_url, outbox_transport="http", outbox_http_url=receiver.url)
    env = {**os.environ, "PYTHONPATH": str(engine.settings.root), "AMTSKOFFER_OUTBOX_TRANSPORT": "http",
           "AMTSKOFFER_OUTBOX_URL": receiver.url, "AMTSKOFFER_OUTBOX_LEASE": str(LEASE_S),
           "AMTSKOFFER_OUTBOX_TIMEOUT": "30"}
    ids = {str(r.id) for r in outbox_rows(engine)}
    kills = 0
    for run in range(4):
        receiver.arrived.clear()
        receiver.hold_s, receiver.hold_next = 8.0, 1
        with _child(engine, env) as proc:
            _wait_ready(proc)
            assert receiver.arrived.wait(30), "no request reached the receiver"
            time.sleep(0.05)
            assert proc.poll() is None, f"run {run}: the worker was not waiting any more"
            proc.send_signal(signal.SIGKILL)
            kills += 1
            proc.wait(timeout=30)
        time.sleep(LEASE_S + 0.1)
    receiver.hold_next = 0
    _finish(engine, env)

    assert kills == 4
    assert set(receiver.processed) == ids  # every message arrived ...
    assert all(n == 1 for n in receiver.processed.values())  # ... and was processed once
    assert receiver.duplicates >= kills  # every killed request was sent again
    assert set(_delivered_events(engine)) == ids and set(_delivered_events(engine).values()) == {1}
    assert engine.audit.verify().ok
    engine.close()


@pytest.mark.slow
def test_directory_worker_killed_at_random_moments(tmp_path: Path, sqlite_url: str) -> None:
    engine = _prepare(tmp_path, sqlite_url)
    env = {**os.environ, "PYTHONPATH": str(engine.settings.root), "AMTSKOFFER_OUTBOX_LEASE": str(LEASE_S)}
    rnd = random.Random(4711)
    killed = 0
    for _ in range(8):
        with _child(engine, env) as proc:
            _wait_ready(proc)
            assert proc.stdout is not None
            for _ in range(rnd.randint(0, 1)):  # let it deliver a message first, sometimes
                proc.stdout.readline()
            time.sleep(rnd.uniform(0.0, 0.015))  # then kill it somewhere inside the next one
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                killed += 1
            proc.wait(timeout=30)
        time.sleep(rnd.uniform(0.0, LEASE_S))  # sometimes the next worker finds the lease still held
    delivered_by_killed_workers = sum(r.status == "delivered" for r in outbox_rows(engine))
    _finish(engine, env)

    assert killed >= 6, f"only {killed} of 8 workers were killed while running"
    assert 0 < delivered_by_killed_workers < len(outbox_rows(engine)), "the kills did not land mid-delivery"

    rows = {str(r.id): r for r in outbox_rows(engine)}
    outbox = engine.settings.var_dir / "outbox"
    files = [p for p in outbox.rglob("*") if p.is_file()]
    assert sorted(p.name for p in files) == sorted(f"{i}.{'xml' if r.kind == 'xmeld' else 'json'}"
                                                   for i, r in rows.items())  # one each, no leftovers
    for path in files:
        assert path.read_bytes() == rows[path.stem].xml  # complete, never half written
    assert set(_delivered_events(engine)) == set(rows) and set(_delivered_events(engine).values()) == {1}
    assert engine.audit.verify().ok
    engine.close()
