"""Fixtures for the XMeld tests. Every test here runs with the network switched off in
Python (socket connect/resolve raise), so a test that needed the network would fail."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.settings import Settings

REPO = Path(__file__).resolve().parents[3]
SHARED_XOEV = REPO.parent / "shared" / "xoev"
KOSIT_EXAMPLES = SHARED_XOEV / "examples"
SAMPLES = Path(__file__).resolve().parent / "samples"


class NetworkUsed(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    attempts: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(repr(args))
        raise NetworkUsed(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts


@pytest.fixture
def settings() -> Settings:
    return Settings()
