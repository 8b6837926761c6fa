"""Configured authorities (Ämter, amtsfreie Gemeinden, Städte) and local competence."""

from __future__ import annotations

import tomllib
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.audit.log import NewEvent, append
from engine.errors import NotFound
from engine.service_layer.actors import Actor
from engine.store.authority import authority_data
from engine.store.models import Authority

if TYPE_CHECKING:
    from engine.service_layer.core import Engine

_EMPTY: dict[str, Any] = {"roles": [], "municipalities": [], "address": {}, "settings": {}}
FIELDS = ("name", "kind", "ags", "ars", "verband", "dvdv_kennung", "roles", "address", "email",
          "municipalities", "settings")


class AuthorityService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load_file(self, path: Path, actor: Actor | None = None) -> list[str]:
        """Create or update the authorities listed in a TOML file; returns their keys."""
        actor = actor or Actor.system()
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        keys = []
        now = clock.now()
        with self.engine.db.sessions.begin() as s:
            for entry in data.get("authority", []):
                a = s.execute(select(Authority).where(Authority.key == entry["key"])).scalar_one_or_none()
                created = a is None
                if a is None:
                    a = Authority(id=uuid.uuid4(), key=entry["key"], created_at=now)
                    s.add(a)
                before = authority_data(a) if not created else {}
                for f in FIELDS:
                    setattr(a, f, entry.get(f, _EMPTY.get(f)))
                s.flush()
                after = authority_data(a)
                if created or before != after:
                    append(s, [NewEvent(type="authority_created" if created else "authority_updated",
                                        actor=actor.name, payload={"key": a.key, "name": a.name})], at=now)
                keys.append(a.key)
        return keys

    def all(self) -> list[Authority]:
        with self.engine.db.read() as s:
            return list(s.execute(select(Authority).order_by(Authority.name)).scalars())

    def by_key(self, s: Session, key: str) -> Authority:
        a = s.execute(select(Authority).where(Authority.key == key)).scalar_one_or_none()
        if a is None:
            raise NotFound(f"authority {key!r} not found", user_message=f"Die Behörde „{key}“ ist nicht bekannt.")
        return a

    def get(self, s: Session, key_or_id: str | uuid.UUID) -> Authority:
        if isinstance(key_or_id, uuid.UUID):
            a = s.get(Authority, key_or_id)
            if a is None:
                raise NotFound(f"authority {key_or_id} not found")
            return a
        try:
            return self.get(s, uuid.UUID(str(key_or_id)))
        except ValueError:
            return self.by_key(s, str(key_or_id))
