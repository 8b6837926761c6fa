"""The engine's composition root: one object the CLI, the web app and the tests use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.catalog.compiled import PackageCache
from engine.messaging.service import MessageService
from engine.operations import default_registry
from engine.operations.registry import OperationRegistry
from engine.runtime.sandbox import Limits
from engine.runtime.script_engine import ScriptEngine
from engine.service_layer.audit import AuditService
from engine.service_layer.authorities import AuthorityService
from engine.service_layer.cache import WorkflowCache
from engine.service_layer.cases import CaseService
from engine.service_layer.catalog import CatalogService
from engine.settings import Settings
from engine.store import migrate
from engine.store.db import Database, connect


class Engine:
    """Settings, database, operation registry, caches and the services built on them."""

    def __init__(
        self,
        settings: Settings,
        *,
        db: Database | None = None,
        registry: OperationRegistry | None = None,
        mocks: Mapping[str, Any] | None = None,
    ) -> None:
        self.settings = settings
        self.db = db or connect(settings.database_url)
        self.registry = registry or default_registry()
        self.script_engine = ScriptEngine(
            self.registry,
            Limits(time_s=settings.script_time_limit_s, memory_mb=settings.script_memory_limit_mb),
        )
        self.packages = PackageCache()
        self.workflows = WorkflowCache()
        self.mocks = mocks
        """Scenario runs: operation id → scripted answer, for every case of this engine."""
        self.catalog = CatalogService(self)
        self.cases = CaseService(self)
        self.authorities = AuthorityService(self)
        self.audit = AuditService(self)
        self.messages = MessageService(self)

    def migrate(self) -> None:
        migrate.upgrade(self.db)

    def close(self) -> None:
        self.db.dispose()
