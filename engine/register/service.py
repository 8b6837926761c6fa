"""The register outside of cases: for the command line, demo loading and scenario residents.

Inside a case, procedures use the ``register.*`` operations. Here each call is its own
transaction; changes still emit their audit events (without a case id).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from engine import clock
from engine.audit.log import NewEvent, append
from engine.errors import NotFound
from engine.register import demo
from engine.register.changes import ChangeContext, create_person
from engine.register.codes import register_codes
from engine.register.models import Person
from engine.register.query import SearchQuery, get_visible, person_record, search
from engine.register.validation import parse_person
from engine.service_layer.actors import Actor
from engine.settings import Settings
from engine.store.db import Database
from engine.store.models import Authority


@dataclass(frozen=True, slots=True)
class DemoLoadResult:
    added: dict[str, int]
    """Persons added per authority key (0 when they were all there already)."""
    seconds: float


class RegisterService:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    def add_person(self, data: Mapping[str, Any], *, authority: str, actor: str = "system",
                   sandbox: bool = False) -> uuid.UUID:
        """Enter a person (validated exactly like ``register.create_person``); ``authority`` serves."""
        now, today = clock.now(), clock.today()
        events: list[NewEvent] = []
        with self.db.sessions.begin() as s:
            auth = s.execute(select(Authority).where(Authority.key == authority)).scalar_one_or_none()
            if auth is None:
                raise NotFound(f"authority {authority!r} not found",
                               user_message=f"Die Behörde „{authority}“ ist nicht bekannt.")
            cx = ChangeContext(session=s, authority=auth, today=today, now=now, sandbox=sandbox,
                               record=lambda t, p: events.append(NewEvent(type=t, actor=actor, payload=dict(p))))
            person = create_person(cx, parse_person(data, today=today, codes=register_codes(self.settings)))
            append(s, events, at=now)
            return person.id

    def search(self, query: SearchQuery, *, sandbox: bool = False) -> list[dict[str, Any]]:
        with self.db.read() as s:
            hits, _ = search(s, query, today=clock.today(), sandbox=sandbox)
            return hits

    def search_as(self, query: SearchQuery, actor: Actor) -> list[dict[str, Any]]:
        """A search by a person outside any case, logged as ``register_searched`` (criteria, hit count).

        The event names the searcher's authorities, so auditors of those authorities see it;
        the hits themselves are not copied into the log.
        """
        hits = self.search(query)
        criteria = {"familienname": query.familienname, "vornamen": query.vornamen, "geburtsname": query.geburtsname,
                    "geburtsdatum": query.geburtsdatum.isoformat() if query.geburtsdatum else None}
        self._log(actor, "register_searched", {"kriterien": {k: v for k, v in criteria.items() if v},
                                               "treffer": len(hits)})
        return hits

    def person_as(self, person_id: uuid.UUID, actor: Actor) -> dict[str, Any]:
        """One person's entry read outside any case, logged as ``register_person_read``."""
        record = self.person(person_id)
        self._log(actor, "register_person_read", {"person_id": str(person_id)})
        return record

    def _log(self, actor: Actor, event_type: str, payload: dict[str, Any]) -> None:
        payload = {**payload, "behoerde_ids": sorted(str(a) for a in actor.authority_ids or ())}
        with self.db.sessions.begin() as s:
            append(s, [NewEvent(type=event_type, actor=actor.name, payload=payload)], at=clock.now())

    def person(self, person_id: uuid.UUID, *, sandbox: bool = False) -> dict[str, Any]:
        with self.db.read() as s:
            person = get_visible(s, person_id, sandbox=sandbox)
            if person is None:
                raise NotFound(f"person {person_id} not found",
                               user_message=f"Die Person {person_id} ist nicht im Melderegister eingetragen.")
            return person_record(s, person, today=clock.today())

    def count(self) -> int:
        with self.db.read() as s:
            return int(s.execute(select(func.count(Person.id))).scalar() or 0)

    def load_demo(self, parts_file: Path, *, count: int = demo.DEFAULT_COUNT, seed: int = demo.DEFAULT_SEED,
                  actor: str = "demo") -> DemoLoadResult:
        """Generate and insert the missing demo residents of every demo authority (idempotent)."""
        started = time.perf_counter()
        parts = demo.DemoParts.from_file(parts_file)
        with self.db.sessions.begin() as s:
            added = demo.load(s, parts, today=clock.today(), now=clock.now(), actor=actor, count=count, seed=seed)
        return DemoLoadResult(added, time.perf_counter() - started)
