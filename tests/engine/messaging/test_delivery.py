"""engine/messaging/delivery.py and backoff.py: leases, retries, dead letters, re-send – on
SQLite and PostgreSQL, with the directory transport and a real HTTP receiver."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.clock import FixedClock
from engine.messaging import delivery
from engine.messaging.backoff import jitter_factor, retry_delay
from engine.messaging.delivery import deliver_due
from engine.messaging.service import MessageService
from engine.messaging.transports import build
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.store.models import AuditEvent, OutboxMessage
from tests.engine.messaging.conftest import event_types, make_engine, outbox_rows, sent_case
from tests.engine.messaging.receiver import Receiver

ADMIN = Actor(name="admin.test", roles=frozenset({"admin"}))


# -- backoff (pure) ------------------------------------------------------------------------------

def test_backoff_doubles_up_to_the_cap_with_a_fixed_jitter() -> None:
    mid = uuid.UUID("12345678-1234-4234-8234-123456789abc")
    delays = [retry_delay(mid, n, base_s=60, cap_s=3600).total_seconds() for n in range(1, 10)]
    raws = [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    for delay, raw, n in zip(delays, raws, range(1, 10), strict=True):
        assert delay == pytest.approx(raw * jitter_factor(mid, n))
        assert raw / 2 <= delay < raw
    assert delays == [retry_delay(mid, n, base_s=60, cap_s=3600).total_seconds() for n in range(1, 10)]
    others = {round(jitter_factor(uuid.uuid4(), 1), 6) for _ in range(50)}
    assert len(others) > 40  # messages that failed together come back spread out
    assert retry_delay(mid, 500, base_s=60, cap_s=3600) <= timedelta(hours=1)
    with pytest.raises(ValueError):
        retry_delay(mid, 0, base_s=60, cap_s=3600)


# -- directory transport -------------------------------------------------------------------------

def test_pending_messages_are_delivered_once_and_audited(engine: Engine, clerk: Actor,
                                                        fixed_clock: FixedClock) -> None:
    case_id = sent_case(engine, clerk)
    xmeld, order = outbox_rows(engine, case_id)
    fixed_clock.advance(timedelta(seconds=5))
    result = deliver_due(engine)
    assert (result.delivered, result.failed, result.attempted) == (2, 0, 2)
    outbox = engine.settings.var_dir / "outbox"
    assert (outbox / "ags_13004000" / f"{xmeld.id}.xml").read_bytes() == xmeld.xml
    assert json.loads((outbox / "bundesdruckerei" / f"{order.id}.json").read_bytes())["auftrag_id"] == str(order.id)
    rows = outbox_rows(engine, case_id)
    assert [(r.status, r.attempts, r.transport, r.delivered_at, r.claim_token) for r in rows] == [
        ("delivered", 1, "directory", fixed_clock.now(), None)] * 2
    assert event_types(engine, case_id)[-2:] == ["message_delivered", "message_delivered"]
    assert deliver_due(engine).attempted == 0  # nothing left to do
    assert engine.audit.verify().ok


# -- HTTP: retries, dead letters, re-send --------------------------------------------------------

@pytest.fixture
def http_engine(tmp_path: Path, db_url: str, receiver: Receiver):  # type: ignore[no-untyped-def]
    engine = make_engine(tmp_path, db_url, outbox_transport="http", outbox_http_url=receiver.url,
                         outbox_http_timeout_s=0.5, outbox_max_attempts=3, outbox_retry_base_s=60,
                         outbox_retry_cap_s=600)
    yield engine
    engine.close()


def _xmeld(engine: Engine, case_id: uuid.UUID) -> OutboxMessage:
    return next(r for r in outbox_rows(engine, case_id) if r.kind == "xmeld")


def test_failed_attempts_are_retried_with_backoff(http_engine: Engine, clerk: Actor, receiver: Receiver,
                                                 fixed_clock: FixedClock) -> None:
    case_id = sent_case(http_engine, clerk)
    message = _xmeld(http_engine, case_id)
    t0 = fixed_clock.now()
    receiver.fail_next = 4  # both messages fail twice
    first = deliver_due(http_engine, now=t0)
    assert (first.delivered, first.failed) == (0, 2)
    row = _xmeld(http_engine, case_id)
    assert row.status == "pending" and row.attempts == 1 and "HTTP 503" in (row.last_error or "")
    assert row.next_attempt_at == t0 + retry_delay(message.id, 1, base_s=60, cap_s=600)
    assert deliver_due(http_engine, now=t0 + timedelta(seconds=29)).attempted == 0  # not due yet

    second = deliver_due(http_engine, now=t0 + timedelta(seconds=60))
    assert second.failed == 2
    row = _xmeld(http_engine, case_id)
    assert row.next_attempt_at == t0 + timedelta(seconds=60) + retry_delay(message.id, 2, base_s=60, cap_s=600)

    third = deliver_due(http_engine, now=t0 + timedelta(seconds=200))
    assert third.delivered == 2
    assert set(receiver.processed) == {str(r.id) for r in outbox_rows(http_engine, case_id)}
    assert [r.attempts for r in outbox_rows(http_engine, case_id)] == [3, 3]
    assert event_types(http_engine, case_id).count("message_failed") == 4
    with http_engine.db.read() as s:
        failed = s.execute(select(AuditEvent.payload).where(AuditEvent.type == "message_failed")).scalars().first()
    assert "HTTP 503" in json.loads(failed)["error"]


def test_a_timeout_is_retried_and_the_receiver_sees_the_message_once(http_engine: Engine, clerk: Actor,
                                                                    receiver: Receiver,
                                                                    fixed_clock: FixedClock) -> None:
    case_id = sent_case(http_engine, clerk)
    receiver.hold_s, receiver.hold_next = 1.5, 1  # the first request is processed, but answered too late
    t0 = fixed_clock.now()
    assert deliver_due(http_engine, now=t0).failed == 1
    assert deliver_due(http_engine, now=t0 + timedelta(minutes=5)).delivered == 1
    ids = {str(r.id) for r in outbox_rows(http_engine, case_id)}
    assert set(receiver.processed) == ids and all(n == 1 for n in receiver.processed.values())
    assert len(receiver.requests) == 3 and receiver.duplicates == 1  # sent twice, processed once


def test_messages_are_dead_lettered_and_can_be_resent(http_engine: Engine, clerk: Actor, receiver: Receiver,
                                                     fixed_clock: FixedClock) -> None:
    case_id = sent_case(http_engine, clerk)
    receiver.fail_next = 100
    t = fixed_clock.now()
    for _ in range(3):
        deliver_due(http_engine, now=t)
        t += timedelta(hours=1)
    rows = outbox_rows(http_engine, case_id)
    assert [(r.status, r.attempts, r.next_attempt_at) for r in rows] == [("dead", 3, None)] * 2
    assert deliver_due(http_engine, now=t + timedelta(days=30)).attempted == 0
    assert event_types(http_engine, case_id).count("message_dead_lettered") == 2

    service = MessageService(http_engine)
    dead = service.dead_letters(ADMIN)
    assert {d.id for d in dead} == {r.id for r in rows} and all("HTTP 503" in (d.last_error or "") for d in dead)
    receiver.fail_next = 0
    view = service.resend(rows[0].id, ADMIN)
    assert (view.status, view.attempts) == ("pending", 0)
    assert deliver_due(http_engine).delivered == 1
    assert service.get(rows[0].id, ADMIN).status == "delivered"
    assert [d.id for d in service.dead_letters(ADMIN)] == [rows[1].id]
    with http_engine.db.read() as s:
        resent = s.execute(select(AuditEvent).where(AuditEvent.type == "message_resent")).scalar_one()
    assert (resent.actor, resent.case_id) == ("admin.test", case_id)
    assert json.loads(resent.payload)["previous"]["status"] == "dead"
    assert http_engine.audit.verify().ok


# -- leases ----------------------------------------------------------------------------------------

def test_a_claim_blocks_others_until_its_lease_runs_out(engine: Engine, clerk: Actor,
                                                       fixed_clock: FixedClock) -> None:
    case_id = sent_case(engine, clerk)
    t0 = fixed_clock.now()
    claim = delivery._claim(engine, t0)  # a worker claims the first message and is then killed
    assert claim is not None
    lease = timedelta(seconds=engine.settings.outbox_lease_s)
    assert deliver_due(engine, now=t0 + timedelta(seconds=1)).delivered == 1  # only the other message
    assert deliver_due(engine, now=t0 + lease - timedelta(seconds=1)).attempted == 0
    assert deliver_due(engine, now=t0 + lease + timedelta(seconds=1)).delivered == 1  # the lease ran out
    assert [r.status for r in outbox_rows(engine, case_id)] == ["delivered", "delivered"]
    # the killed worker comes back to life: its result is not recorded over the other's
    assert delivery._record(engine, claim, build(engine.settings), "late", t0 + lease) == "superseded"
    assert all(r.status == "delivered" and r.last_error is None for r in outbox_rows(engine, case_id))


def test_a_transport_bug_does_not_stop_the_round(engine: Engine, clerk: Actor, fixed_clock: FixedClock) -> None:
    case_id = sent_case(engine, clerk)

    class Broken:
        name = "kaputt"

        def send(self, message: object) -> None:
            raise KeyError("boom")

    result = deliver_due(engine, transport=Broken(), now=fixed_clock.now())
    assert result.failed == 2
    assert all("Interner Fehler" in (r.last_error or "") for r in outbox_rows(engine, case_id))


def test_clock_is_the_step_clock_when_not_given(engine: Engine, clerk: Actor, fixed_clock: FixedClock) -> None:
    sent_case(engine, clerk)
    fixed_clock.advance(timedelta(minutes=3))
    deliver_due(engine)
    assert {r.delivered_at for r in outbox_rows(engine)} == {fixed_clock.now()}
