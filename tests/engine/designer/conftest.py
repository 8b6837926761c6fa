"""Fixtures of the designer tests: actors, fixture packages as files, a designer service whose
sandboxes share one seeded template per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.catalog.package import PackageFiles, read_from_disk
from engine.designer.sandbox import SandboxService
from engine.designer.service import DesignerService
from engine.designer.spiff_arena import SpiffFolder, read_spiff_folder
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.settings import Settings
from tests.conftest import FIXTURES

HERE = Path(__file__).resolve().parent
SPIFF_MODEL = HERE / "fixtures" / "spiff_arena" / "meldung-vorpruefung"
FIXTURE_SETTINGS = Settings(processes_dir=FIXTURES / "packages", forms_dir=FIXTURES / "forms")


def fixture_package(service_id: str) -> PackageFiles:
    """A fixture package as stored (``tests/fixtures/packages`` + ``tests/fixtures/forms``)."""
    return read_from_disk(service_id, FIXTURE_SETTINGS)


def spiff_model() -> SpiffFolder:
    return read_spiff_folder(SPIFF_MODEL)


@pytest.fixture
def gestalterin() -> Actor:
    return Actor(name="gestalterin", roles=frozenset({"designer"}), display_name="Gestalterin")


@pytest.fixture(scope="session")
def sandbox_templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sandbox-templates")


@pytest.fixture
def designer(engine: Engine, sandbox_templates: Path) -> Iterator[DesignerService]:
    """Without bpmnlint (its own tests run it); sandboxes with 15 demo residents per authority."""
    sandbox = SandboxService(engine, residents_per_authority=15, templates_dir=sandbox_templates)
    service = DesignerService(engine, linter=None, sandbox=sandbox)
    yield service
    service.close()
