"""Database engine and sessions: SQLite (WAL) by default, PostgreSQL via ``DATABASE_URL``.

SQLite specifics, and why:
- ``journal_mode=WAL`` lets readers (the clerk's page) run while a step commits.
- ``synchronous=FULL``: a committed step survives a power cut of the laptop in the field;
  it costs a fraction of a millisecond per commit with WAL.
- Write transactions start with ``BEGIN IMMEDIATE``: SQLite otherwise starts deferred and
  fails with SQLITE_BUSY when two readers try to upgrade to writers at the same time.
  pysqlite's own transaction handling is switched off so that we emit BEGIN ourselves.
- ``foreign_keys=ON`` (off by default in SQLite).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


@dataclass
class Database:
    """One database: an SQLAlchemy engine plus a session factory."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (deferred transaction on SQLite: does not block writers)."""
        session = self.sessions()
        if self.is_sqlite:
            session.connection(execution_options={"sqlite_begin": "DEFERRED"})
        try:
            yield session
        finally:
            # close() ends the transaction without expiring loaded objects, so callers may
            # keep reading the attributes they loaded (rollback() would expire them).
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def connect(url: str, *, echo: bool = False) -> Database:
    """Create the engine for ``url`` (creating the SQLite directory if needed)."""
    parsed = make_url(url)
    kwargs: dict[str, object] = {"echo": echo, "future": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _sqlite_setup(engine)
    return Database(url=url, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
