"""Fixtures for the command-line tests: the environment a clerk's laptop would have."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES


@pytest.fixture
def env(tmp_path: Path, sqlite_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": sqlite_url,
        "AMTSKOFFER_VAR": str(tmp_path / "var"),
        "AMTSKOFFER_PROCESSES": str(FIXTURES / "packages"),
        "AMTSKOFFER_FORMS": str(FIXTURES / "forms"),
    }
