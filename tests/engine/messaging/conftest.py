"""Fixtures for the messaging tests: a case of the ``nachricht_test`` fixture package that has
sent its messages, and a real HTTP receiver."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.settings import PROJECT_ROOT
from engine.store.models import AuditEvent, OutboxMessage
from tests.conftest import make_settings
from tests.engine.messaging.receiver import Receiver

SERVICE = "nachricht_test"
PERSON = {"familienname": "Beispielfrau", "vornamen": "Erika", "geburtsdatum": "1984-08-12",
          "seriennummer": "C01X00T47", "passart": "01"}


def start_case(engine: Engine, actor: Actor, *, authority: str = "neubukow", empfaenger: Any = "schwerin",
               sandbox: bool = False) -> tuple[uuid.UUID, str]:
    """A case waiting at the form; returns (case id, task id)."""
    view = engine.cases.start(SERVICE, authority, actor, {"empfaenger": empfaenger}, sandbox=sandbox)
    return view.case.id, view.ready[0].task_id


def sent_case(engine: Engine, actor: Actor, **person: Any) -> uuid.UUID:
    """A case that has sent its XMeld message and its order and now waits for the document."""
    options = {k: person.pop(k) for k in ("authority", "empfaenger", "sandbox") if k in person}
    case_id, task_id = start_case(engine, actor, **options)
    engine.cases.submit(case_id, task_id, {**PERSON, **person}, actor)
    return case_id


def outbox_rows(engine: Engine, case_id: uuid.UUID | None = None) -> list[OutboxMessage]:
    with engine.db.read() as s:
        stmt = select(OutboxMessage).order_by(OutboxMessage.created_at, OutboxMessage.kind.desc())  # xmeld, then order
        if case_id is not None:
            stmt = stmt.where(OutboxMessage.case_id == case_id)
        return list(s.execute(stmt).scalars())


def event_types(engine: Engine, case_id: uuid.UUID | None = None) -> list[str]:
    with engine.db.read() as s:
        stmt = select(AuditEvent.type).order_by(AuditEvent.global_seq)
        if case_id is not None:
            stmt = stmt.where(AuditEvent.case_id == case_id)
        return list(s.execute(stmt).scalars())


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


def make_engine(tmp_path: Path, db_url: str, **overrides: Any) -> Engine:
    """An engine like the ``engine`` fixture's, with changed settings (close it after use)."""
    engine = Engine(make_settings(tmp_path, db_url, **overrides))
    engine.authorities.load_file(PROJECT_ROOT / "demo" / "authorities.toml")
    assert all(r.action != "rejected" for r in engine.catalog.sync_from_disk())
    return engine
