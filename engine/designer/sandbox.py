"""The designer's sandbox: step through a draft as a clerk would, without consequences.

Contract:

- Each draft has its own SQLite database ``<var>/sandbox/<draft id>.db``, separate from the
  engine's database (SQLite or PostgreSQL). It starts as a copy of a seeded template: migrated
  schema, the demo authorities (``demo/authorities.toml``) and the generated demo residents
  (:mod:`engine.register.demo`, fictitious). The template is built once per day and seed
  (about four seconds) and copied for every new sandbox (milliseconds).
- :meth:`SandboxService.start` publishes the draft's files into the sandbox's own catalog (a
  changed draft becomes a new sandbox version; earlier sandbox cases keep theirs, as in
  production) and starts a case with ``sandbox=True``: register changes happen only in the
  sandbox database, XMeld messages and orders are written ``held`` and nothing delivers them
  (no worker ever looks at a sandbox database).
- The designer acts as a clerk of any demo authority. Time can be moved forward per sandbox
  (:meth:`SandboxService.advance`), which fires due timers; the offset is kept next to the
  database, every sandbox call runs on the sandbox's clock.
- :meth:`SandboxService.reset` deletes the sandbox; the next call starts from the template.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text

from engine import clock
from engine.catalog.package import PackageFiles
from engine.errors import NotFound
from engine.service_layer.actors import Actor
from engine.service_layer.cases import DeliveryResult
from engine.service_layer.views import CaseSummary, CaseView, StepOutcome
from engine.settings import PROJECT_ROOT
from engine.store import migrate
from engine.store.db import connect
from engine.store.models import Case, OutboxMessage

if TYPE_CHECKING:
    from engine.service_layer.core import Engine

AUTHORITIES_FILE = PROJECT_ROOT / "demo" / "authorities.toml"
RESIDENTS_FILE = PROJECT_ROOT / "demo" / "residents.toml"
SANDBOX_ACTOR = "sandbox"
MAX_OPEN = 8
"""Sandbox engines kept open at once; older ones are closed (and reopened when used again)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldMessage:
    """A message a sandbox case produced (never sent)."""

    id: uuid.UUID
    kind: str
    message_type: str
    reader: str
    reader_name: str
    status: str
    valid: bool
    created_at: datetime
    xml: str


class _OffsetClock:
    def __init__(self, base: clock.Clock, offset: timedelta) -> None:
        self.base = base
        self.offset = offset

    def now(self) -> datetime:
        return self.base.now() + self.offset


class SandboxService:
    """Sandboxes of the drafts of one engine (see the module contract)."""

    def __init__(self, engine: Engine, *, residents_per_authority: int | None = None,
                 authorities_file: Path = AUTHORITIES_FILE, residents_file: Path = RESIDENTS_FILE,
                 templates_dir: Path | None = None) -> None:
        self.engine = engine
        self.folder = engine.settings.var_dir / "sandbox"
        self.templates_dir = templates_dir or self.folder
        """Where the seeded template databases live (shared by all sandboxes of an installation)."""
        self.residents_per_authority = residents_per_authority
        self.authorities_file = authorities_file
        self.residents_file = residents_file
        self._engines: OrderedDict[uuid.UUID, Engine] = OrderedDict()
        self._lock = threading.Lock()

    # -- the databases ------------------------------------------------------------------------------
    def database_path(self, draft_id: uuid.UUID) -> Path:
        return self.folder / f"{draft_id}.db"

    def exists(self, draft_id: uuid.UUID) -> bool:
        return self.database_path(draft_id).is_file()

    def _engine(self, draft_id: uuid.UUID) -> Engine:
        from engine.service_layer.core import Engine

        with self._lock:
            cached = self._engines.get(draft_id)
            if cached is not None:
                self._engines.move_to_end(draft_id)
                return cached
            path = self.database_path(draft_id)
            if not path.is_file():
                self.folder.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(self._template(), path)
            settings = self.engine.settings.with_(database_url=f"sqlite:///{path}",
                                                  var_dir=self.folder / f"{draft_id}-var")
            sandbox = Engine(settings, registry=self.engine.registry)
            self._engines[draft_id] = sandbox
            while len(self._engines) > MAX_OPEN:  # each holds a connection pool and caches
                self._engines.popitem(last=False)[1].close()
            return sandbox

    def _signature(self) -> str:
        h = hashlib.sha256()
        heads = sorted(p.name for p in (migrate.MIGRATIONS / "versions").glob("*.py"))
        for part in (*heads, clock.today().isoformat(), str(self.residents_per_authority)):
            h.update(part.encode() + b"\0")
        for f in (self.authorities_file, self.residents_file):
            h.update(f.read_bytes() if f.is_file() else b"-")
        return h.hexdigest()[:16]

    def _template(self) -> Path:
        """The seeded template database (built if missing; see the module contract)."""
        target = self.templates_dir / f"_template-{self._signature()}.db"
        if target.is_file():
            return target
        self.templates_dir.mkdir(parents=True, exist_ok=True)
        for old in self.templates_dir.glob("_template-*.db"):
            old.unlink(missing_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix="_building-", suffix=".db", dir=self.templates_dir)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            self._seed(tmp)
            os.replace(tmp, target)  # atomic: a concurrent builder never copies half a template
        finally:
            tmp.unlink(missing_ok=True)
            for suffix in ("-wal", "-shm"):
                Path(f"{tmp}{suffix}").unlink(missing_ok=True)
        return target

    def _seed(self, path: Path) -> None:
        from engine.service_layer.core import Engine

        path.unlink(missing_ok=True)
        db = connect(f"sqlite:///{path}")
        try:
            migrate.upgrade(db)
        finally:
            db.dispose()
        seeding = Engine(self.engine.settings.with_(database_url=f"sqlite:///{path}"), registry=self.engine.registry)
        try:
            seeding.authorities.load_file(self.authorities_file, Actor.system(SANDBOX_ACTOR))
            self._load_residents(seeding)
        finally:
            # Closing the last connection folds the WAL into the file, which is then safe to copy.
            seeding.close()

    def _load_residents(self, seeding: Engine) -> None:
        try:
            from engine.register import demo
            from engine.register.service import RegisterService
        except ImportError:  # the register is optional for the sandbox
            return
        if not self.residents_file.is_file():
            return
        count = self.residents_per_authority if self.residents_per_authority is not None else demo.DEFAULT_COUNT
        RegisterService(seeding.db, seeding.settings).load_demo(self.residents_file, count=count,
                                                                 actor=SANDBOX_ACTOR)

    # -- the clock ----------------------------------------------------------------------------------
    def _meta_path(self, draft_id: uuid.UUID) -> Path:
        return self.folder / f"{draft_id}.json"

    def clock_offset(self, draft_id: uuid.UUID) -> timedelta:
        meta = self._meta_path(draft_id)
        if not meta.is_file():
            return timedelta(0)
        return timedelta(seconds=float(json.loads(meta.read_text(encoding="utf-8")).get("offset_s", 0)))

    def now(self, draft_id: uuid.UUID) -> datetime:
        """The sandbox's current time (the real time plus what :meth:`advance` added)."""
        return clock.now() + self.clock_offset(draft_id)

    @contextmanager
    def _running(self, draft_id: uuid.UUID) -> Iterator[Engine]:
        sandbox = self._engine(draft_id)
        with clock.using(_OffsetClock(clock.current(), self.clock_offset(draft_id))):
            yield sandbox

    # -- acting -------------------------------------------------------------------------------------
    @staticmethod
    def actor(actor: Actor) -> Actor:
        """The designer as a clerk of every sandbox authority."""
        return Actor(name=actor.name, roles=frozenset({"clerk", "designer"}), authority_ids=None,
                     display_name=actor.display_name)

    def start(self, draft_id: uuid.UUID, package: PackageFiles, authority: str, actor: Actor,
              data: Mapping[str, Any] | None = None) -> CaseView:
        """Start a sandbox case of ``package`` (the draft's files) at the demo authority ``authority``."""
        with self._running(draft_id) as sandbox:
            version = sandbox.catalog.publish(package, Actor.system(SANDBOX_ACTOR), "Entwurf (Sandbox)")
            return sandbox.cases.start(package.service_id, authority, self.actor(actor), data or {},
                                       version_id=version.id, sandbox=True)

    def view(self, draft_id: uuid.UUID, case_id: uuid.UUID, actor: Actor) -> CaseView:
        with self._running(draft_id) as sandbox:
            return sandbox.cases.view(case_id, self.actor(actor), log_read=False)

    def submit(self, draft_id: uuid.UUID, case_id: uuid.UUID, task_id: str, data: Mapping[str, Any],
               actor: Actor) -> StepOutcome:
        with self._running(draft_id) as sandbox:
            return sandbox.cases.submit(case_id, task_id, data, self.actor(actor))

    def correct(self, draft_id: uuid.UUID, case_id: uuid.UUID, step_id: uuid.UUID, data: Mapping[str, Any],
                actor: Actor) -> StepOutcome:
        with self._running(draft_id) as sandbox:
            return sandbox.cases.correct(case_id, step_id, data, self.actor(actor))

    def deliver_message(self, draft_id: uuid.UUID, name: str, payload: Mapping[str, Any],
                        actor: Actor) -> DeliveryResult:
        """Deliver a business message (as a partner authority would) to the sandbox cases."""
        with self._running(draft_id) as sandbox:
            return sandbox.cases.deliver_message(name, payload, source="sandbox", actor=self.actor(actor))

    def advance(self, draft_id: uuid.UUID, delta: timedelta) -> list[uuid.UUID]:
        """Move the sandbox's clock forward by ``delta`` and fire the timers now due."""
        if delta < timedelta(0):
            raise ValueError("the sandbox clock only moves forward")
        self._engine(draft_id)
        offset = self.clock_offset(draft_id) + delta
        self._meta_path(draft_id).write_text(json.dumps({"offset_s": offset.total_seconds()}), encoding="utf-8")
        with self._running(draft_id) as sandbox:
            return sandbox.cases.fire_due_timers()

    # -- reading ------------------------------------------------------------------------------------
    def cases(self, draft_id: uuid.UUID, actor: Actor) -> list[CaseSummary]:
        if not self.exists(draft_id):
            return []
        with self._running(draft_id) as sandbox:
            return sandbox.cases.list(self.actor(actor), include_sandbox=True)

    def messages(self, draft_id: uuid.UUID, case_id: uuid.UUID) -> list[HeldMessage]:
        """The messages and orders a sandbox case produced, with their XML/JSON."""
        with self._running(draft_id) as sandbox, sandbox.db.read() as s:
            if s.get(Case, case_id) is None:
                raise NotFound(f"sandbox case {case_id} not found", user_message="Der Vorgang wurde nicht gefunden.")
            rows = s.execute(select(OutboxMessage).where(OutboxMessage.case_id == case_id)
                             .order_by(OutboxMessage.created_at, text("rowid"))).scalars()
            return [HeldMessage(id=m.id, kind=m.kind, message_type=m.message_type, reader=m.reader,
                                reader_name=m.reader_name, status=m.status, valid=m.valid, created_at=m.created_at,
                                xml=m.xml.decode("utf-8", errors="replace")) for m in rows]

    def engine_of(self, draft_id: uuid.UUID) -> Engine:
        """The sandbox's engine (for reading what the service layer offers, e.g. documents)."""
        return self._engine(draft_id)

    # -- cleaning up --------------------------------------------------------------------------------
    def reset(self, draft_id: uuid.UUID) -> None:
        """Delete the sandbox of ``draft_id`` (its cases, register changes, clock offset)."""
        with self._lock:
            cached = self._engines.pop(draft_id, None)
        if cached is not None:
            cached.close()
        path = self.database_path(draft_id)
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), self._meta_path(draft_id)):
            p.unlink(missing_ok=True)
        shutil.rmtree(self.folder / f"{draft_id}-var", ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            engines, self._engines = list(self._engines.values()), {}
        for e in engines:
            e.close()
