"""How expected values compare with the case's values (as designers write them in YAML)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from engine.scenarios.checks import check_data, lookup, same


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        ("70.00", Decimal("70.00")),
        (70, Decimal("70.00")),
        ("10", 10),
        (True, True),
        ("true", True),
        (date(2026, 11, 15), date(2026, 11, 15)),
        ("2026-11-15", date(2026, 11, 15)),
        (None, None),
        ({"a": 1}, {"a": Decimal(1), "b": 2}),
        ([1, "x"], (1, "x")),
    ],
)
def test_equal(expected: object, actual: object) -> None:
    assert same(expected, actual)


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        ("70.00", Decimal("37.50")),
        (True, False),
        (1, True),
        (None, "None"),
        ({"a": 1}, {"b": 1}),
        ([1, 2], [1]),
        ({"a": 1}, [1]),
        ("x", None),
    ],
)
def test_different(expected: object, actual: object) -> None:
    assert not same(expected, actual)


def test_dotted_paths_and_messages() -> None:
    data = {"umzug": {"bisherige": [{"gefuehrt_von": "luetzow-luebstorf"}]}, "a.b": 1}
    assert lookup(data, "umzug.bisherige.0.gefuehrt_von") == "luetzow-luebstorf"
    assert lookup(data, "a.b") == 1
    assert check_data({"umzug.bisherige.1.gefuehrt_von": "x", "a.b": 2}, data) == [
        "Daten „umzug.bisherige.1.gefuehrt_von“: fehlt in den Vorgangsdaten (erwartet \"x\").",
        "Daten „a.b“: erwartet 2, tatsächlich 1.",
    ]
