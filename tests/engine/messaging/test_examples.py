"""engine/messaging/examples.py and ``amtskoffer message examples``: one valid message per type,
produced by message.send in throw-away cases, accepted by the shared offline checker."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from engine.messaging.examples import EXAMPLE_CREATED_AT, write_examples
from engine.settings import Settings
from engine.xoev import XMeldValidator, message_types
from engine.xoev.examples import write_examples as write_direct_examples
from tests.conftest import need_shared

NS = {"x": "http://www.osci.de/xmeld2511a"}
CHECKER = Path(__file__).parents[3].parent / "shared" / "xoev" / "check_xmeld.py"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_examples(tmp_path_factory.mktemp("beispiele"), Settings())


def test_one_valid_file_per_message_type(written: list[Path]) -> None:
    assert [p.stem for p in written] == sorted(message_types(Settings()))
    validator = XMeldValidator.for_bundle(Settings().xoev_schema_dir)
    for path in written:
        validator.validate(path.read_bytes())
        root = etree.fromstring(path.read_bytes())
        created = root.findtext("nachrichtenkopf.g2g/identifikation.nachricht/erstellungszeitpunkt") or \
            root.findtext("x:nachrichtenkopf/x:identifikation.nachricht/x:erstellungszeitpunkt", namespaces=NS)
        assert created == EXAMPLE_CREATED_AT.isoformat(timespec="milliseconds"), path.name


def test_the_case_path_writes_what_the_generator_writes(written: list[Path], tmp_path: Path) -> None:
    """Same content as building the examples directly – apart from the random message ids."""
    direct = {p.stem: p.read_bytes() for p in write_direct_examples(tmp_path, Settings())}

    def without_id(xml: bytes) -> bytes:
        # The G2G header carries the id itself; the basisnachricht header six digits of it in its counter.
        root = etree.fromstring(xml)
        for path in ("nachrichtenkopf.g2g/identifikation.nachricht/nachrichtenUUID",
                     "x:nachrichtenkopf/x:identifikation.nachricht/x:tagesvorgangszaehler"):
            for element in root.iterfind(path, namespaces=NS):
                element.text = "-"
        return etree.tostring(root)

    for path in written:
        assert without_id(path.read_bytes()) == without_id(direct[path.stem]), path.name


def test_the_shared_offline_checker_accepts_them(written: list[Path]) -> None:
    need_shared(CHECKER)
    result = subprocess.run([sys.executable, str(CHECKER), *map(str, written)], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("OK ") == len(written)


def test_cli_writes_the_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from amtskoffer.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'nicht-benutzt.db'}")
    result = CliRunner().invoke(main, ["message", "examples", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{t}.xml" for t in sorted(message_types(Settings()))]
    assert not (tmp_path / "nicht-benutzt.db").exists()  # the configured database is not touched
