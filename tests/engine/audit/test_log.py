"""Appending to the audit log in the database and detecting tampering with its rows."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, update

from engine.audit.log import NewEvent, append, verify_case, verify_database
from engine.store.db import connect
from engine.store.models import AuditEvent, Authority, Case, PackageVersion

AT = datetime(2026, 11, 15, 9, 0, tzinfo=UTC)


def _case(s, number: str) -> Case:  # type: ignore[no-untyped-def]
    auth = s.execute(select(Authority)).scalars().first()
    if auth is None:
        auth = Authority(id=uuid.uuid4(), key="a", name="Amt A", kind="amt", roles=[], address={},
                         municipalities=[], settings={}, created_at=AT)
        s.add(auth)
        pv = PackageVersion(id=uuid.uuid4(), service_id="x", version_no=1, content_hash="h", manifest={}, files={},
                            status="published", change_note="", created_at=AT, created_by="t")
        s.add(pv)
        s.flush()
    pv = s.execute(select(PackageVersion)).scalars().first()
    case = Case(id=uuid.uuid4(), number=number, service_id="x", package_version_id=pv.id, authority_id=auth.id,
                status="active", title="", labels={}, ready_tasks=[], waiting_for=[], version=0, state_seq=0,
                audit_seq=0, audit_hash="", started_at=AT, started_by="t", updated_at=AT)
    s.add(case)
    s.flush()
    return case


@pytest.fixture
def db(db_url: str):  # type: ignore[no-untyped-def]
    database = connect(db_url)
    with database.sessions.begin() as s:
        cases = [_case(s, f"V-2026-00000{i}") for i in range(3)]
        rnd = random.Random(7)
        for i in range(40):
            c = rnd.choice([*cases, None])
            append(s, [NewEvent(type="step_completed", actor="anna", payload={"i": i, "name": "Müller"},
                                case_id=c.id if c else None)], at=AT)
    yield database
    database.dispose()


def test_appended_events_verify(db) -> None:  # type: ignore[no-untyped-def]
    with db.read() as s:
        result = verify_database(s)
        assert result.ok, result.breaks
        assert result.events == 40
        for case in s.execute(select(Case)).scalars():
            assert verify_case(s, case.id).ok


def _id_of(db, n: int) -> uuid.UUID:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.execute(select(AuditEvent.id).where(AuditEvent.global_seq == n)).scalar_one()


def test_changed_payload_is_named(db) -> None:  # type: ignore[no-untyped-def]
    with db.sessions.begin() as s:
        s.execute(update(AuditEvent).where(AuditEvent.global_seq == 17).values(actor="mallory"))
    with db.read() as s:
        result = verify_database(s)
    assert not result.ok
    assert result.first.global_seq == 17


def test_deleted_row_is_detected(db) -> None:  # type: ignore[no-untyped-def]
    with db.sessions.begin() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.global_seq == 23))
    with db.read() as s:
        result = verify_database(s)
    assert not result.ok
    assert result.first.global_seq == 24


def test_swapped_rows_are_detected(db) -> None:  # type: ignore[no-untyped-def]
    a, b = _id_of(db, 5), _id_of(db, 9)
    with db.sessions.begin() as s:
        s.execute(update(AuditEvent).where(AuditEvent.id == a).values(global_seq=-1))
        s.execute(update(AuditEvent).where(AuditEvent.id == b).values(global_seq=5))
        s.execute(update(AuditEvent).where(AuditEvent.id == a).values(global_seq=9))
    with db.read() as s:
        result = verify_database(s)
    assert not result.ok
    assert result.first.global_seq == 5


def test_case_chain_alone_detects_change(db) -> None:  # type: ignore[no-untyped-def]
    with db.read() as s:
        row_id, case_id = s.execute(select(AuditEvent.id, AuditEvent.case_id)
                                    .where(AuditEvent.case_id.is_not(None))).first()
    with db.sessions.begin() as s:
        s.execute(update(AuditEvent).where(AuditEvent.id == row_id).values(type="case_read"))
    with db.read() as s:
        assert not verify_case(s, case_id).ok
