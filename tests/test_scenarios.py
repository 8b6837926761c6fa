"""Every scenario file of every service package (``processes/bpmn/*/tests/*.yaml|yml|json``) is a test.

A failing scenario fails with the runner's German reasons. No scenario files yet means no tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.catalog.package import read_from_disk
from engine.scenarios.runner import SCENARIO_SUFFIXES, run_package
from engine.settings import PROJECT_ROOT, Settings

PROCESSES = PROJECT_ROOT / "processes" / "bpmn"


def _scenario_files() -> list[Path]:
    return sorted(p for p in PROCESSES.glob("*/tests/*") if p.suffix in SCENARIO_SUFFIXES
                  and (p.parent.parent / "service.toml").is_file())


@pytest.mark.parametrize("path", _scenario_files(), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_scenario(path: Path, tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}", var_dir=tmp_path / "var")
    package = read_from_disk(path.parent.parent.name, settings)
    (result,) = run_package(package, settings=settings, only=[f"tests/{path.name}"])
    assert result.passed, f"{result.name} ({result.file}):\n" + "\n".join(f"- {f}" for f in result.failures)
