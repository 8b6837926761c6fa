"""Every setting of Amtskoffer, listed once with its default.

The engine receives a :class:`Settings` object; it never reads the environment itself except
through :meth:`Settings.from_env`, which the CLI and the web app factory call. Paths are
relative to the project root unless given absolutely.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path(value: str | Path, root: Path) -> Path:
    p = Path(value)
    return p if p.is_absolute() else root / p


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    root: Path = PROJECT_ROOT
    """Project root; relative paths below are resolved against it."""

    database_url: str = ""
    """SQLAlchemy URL. Empty: SQLite at ``var/amtskoffer.db`` (env ``DATABASE_URL``)."""

    var_dir: Path = Path("var")
    """Runtime data: SQLite file, outbox drop folder, inbound folder (env ``AMTSKOFFER_VAR``)."""

    processes_dir: Path = Path("processes/bpmn")
    """Service packages on disk: one folder per service (env ``AMTSKOFFER_PROCESSES``)."""

    forms_dir: Path = Path("forms")
    """Forms on disk: ``forms/<service_id>/<name>.schema.json`` (env ``AMTSKOFFER_FORMS``)."""

    xoev_schema_dir: Path = Path("xoev_schemas/xmeld-25.11a")
    """The official XMeld bundle (XSDs + catalog.xml); swap for a newer release (env ``AMTSKOFFER_XMELD``)."""

    message_types_dir: Path = Path("xoev_schemas/messages")
    """Message type definitions (templates) (env ``AMTSKOFFER_MESSAGE_TYPES``)."""

    script_time_limit_s: float = 1.0
    """Wall-clock limit for one script, condition or decision evaluation."""

    script_memory_limit_mb: int = 64
    """Memory growth allowed while one script runs."""

    max_elements_per_process: int = 400
    """Publish-time limit (SpiffWorkflow's parser recurses per element; > ~489 in a chain fails)."""

    product_name: str = "Amtskoffer"
    product_vendor: str = "Amtskoffer-Entwicklungsteam"
    product_version: str = "0.1.0"
    """Written into the ``produkt*`` attributes of every XMeld message."""

    test_messages: bool = False
    """Mark every outgoing XMeld message as a test message (attribute ``test``)."""

    outbox_transport: str = "directory"
    """``directory`` (default, offline) or ``http`` (env ``AMTSKOFFER_OUTBOX_TRANSPORT``)."""

    outbox_http_url: str = ""
    """Endpoint for the ``http`` transport (env ``AMTSKOFFER_OUTBOX_URL``)."""

    outbox_http_timeout_s: float = 10.0
    """Seconds the ``http`` transport waits for an answer (env ``AMTSKOFFER_OUTBOX_TIMEOUT``)."""

    outbox_lease_s: float = 120.0
    """How long a delivery worker holds a message; must exceed the transport timeout. After a
    killed worker's lease runs out, the next round delivers again (env ``AMTSKOFFER_OUTBOX_LEASE``)."""

    outbox_max_attempts: int = 10
    """Failed attempts after which a message is dead-lettered (env ``AMTSKOFFER_OUTBOX_MAX_ATTEMPTS``)."""

    outbox_retry_base_s: float = 60.0
    """Wait after the first failed attempt; doubles per attempt (env ``AMTSKOFFER_OUTBOX_RETRY_BASE``)."""

    outbox_retry_cap_s: float = 21600.0
    """Longest wait between two attempts, before jitter (env ``AMTSKOFFER_OUTBOX_RETRY_CAP``)."""

    secret_key: str = ""
    """Flask session signing key (env ``AMTSKOFFER_SECRET_KEY``); generated into var/ if empty."""

    extra: Mapping[str, str] = field(default_factory=dict)
    """Unrecognised ``AMTSKOFFER_*`` variables, kept for extensions."""

    def __post_init__(self) -> None:
        root = Path(self.root)
        object.__setattr__(self, "root", root)
        for f in ("var_dir", "processes_dir", "forms_dir", "xoev_schema_dir", "message_types_dir"):
            object.__setattr__(self, f, _path(getattr(self, f), root))
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.var_dir / 'amtskoffer.db'}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        mapping = {
            "DATABASE_URL": "database_url",
            "AMTSKOFFER_VAR": "var_dir",
            "AMTSKOFFER_PROCESSES": "processes_dir",
            "AMTSKOFFER_FORMS": "forms_dir",
            "AMTSKOFFER_XMELD": "xoev_schema_dir",
            "AMTSKOFFER_MESSAGE_TYPES": "message_types_dir",
            "AMTSKOFFER_OUTBOX_TRANSPORT": "outbox_transport",
            "AMTSKOFFER_OUTBOX_URL": "outbox_http_url",
            "AMTSKOFFER_OUTBOX_TIMEOUT": "outbox_http_timeout_s",
            "AMTSKOFFER_OUTBOX_LEASE": "outbox_lease_s",
            "AMTSKOFFER_OUTBOX_MAX_ATTEMPTS": "outbox_max_attempts",
            "AMTSKOFFER_OUTBOX_RETRY_BASE": "outbox_retry_base_s",
            "AMTSKOFFER_OUTBOX_RETRY_CAP": "outbox_retry_cap_s",
            "AMTSKOFFER_SECRET_KEY": "secret_key",
            "AMTSKOFFER_SCRIPT_TIME_LIMIT": "script_time_limit_s",
            "AMTSKOFFER_TEST_MESSAGES": "test_messages",
        }
        types = {f.name: f.type for f in fields(cls)}
        values: dict[str, object] = {}
        for var, name in mapping.items():
            if env.get(var):
                raw = env[var]
                kind = types[name]
                if kind in ("float", float):
                    values[name] = float(raw)
                elif kind in ("int", int):
                    values[name] = int(raw)
                elif kind in ("bool", bool):
                    values[name] = raw.lower() in ("1", "true", "yes", "ja")
                else:
                    values[name] = raw
        extra = {k: v for k, v in env.items() if k.startswith("AMTSKOFFER_") and k not in mapping}
        return cls(**{**values, "extra": extra, **overrides})  # type: ignore[arg-type]

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]
