"""engine/xoev/examples.py: one valid example file per type, also valid for the shared checker."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.settings import Settings
from engine.xoev.examples import write_examples
from engine.xoev.generate import message_types
from engine.xoev.validate import XMeldValidator
from tests.conftest import need_shared

CHECKER = Path(__file__).parents[3].parent / "shared" / "xoev" / "check_xmeld.py"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_examples(tmp_path_factory.mktemp("examples"), Settings())


def test_one_file_per_message_type(written: list[Path]) -> None:
    assert [p.stem for p in written] == sorted(message_types(Settings()))


def test_examples_are_valid_and_reproducible(written: list[Path], tmp_path: Path) -> None:
    validator = XMeldValidator.for_bundle(Settings().xoev_schema_dir)
    for path in written:
        assert validator.is_valid(path.read_bytes()), path.name
    again = write_examples(tmp_path, Settings())
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in written]


def test_examples_pass_the_shared_offline_checker(written: list[Path]) -> None:
    need_shared(CHECKER)
    result = subprocess.run([sys.executable, str(CHECKER), *map(str, written)], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("OK ") == len(written)
