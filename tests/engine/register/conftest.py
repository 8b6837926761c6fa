"""Register test helpers: residents entered through the validated path, on the engine's database."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from engine.register.service import RegisterService


@pytest.fixture
def add(engine: Any, fixed_clock: Any) -> Callable[..., uuid.UUID]:
    """``add(familienname, vornamen, geburtsdatum, **fields)`` enters a person, returns its id."""
    register = RegisterService(engine.db, engine.settings)

    def _add(familienname: str, vornamen: str = "Hans", geburtsdatum: str = "1970-01-01", *,
             authority: str = "neubukow-salzhaff", **fields: Any) -> uuid.UUID:
        data = {"familienname": familienname, "vornamen": vornamen, "geburtsdatum": geburtsdatum, **fields}
        return register.add_person(data, authority=authority, actor="test")

    return _add
