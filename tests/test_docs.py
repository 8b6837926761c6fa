"""The generated reference documentation matches the registries (run `amtskoffer docs` to refresh)."""

from __future__ import annotations

import shutil
from pathlib import Path

from amtskoffer.docs import HELPERS_BEGIN, HELPERS_END, operations_markdown, refresh
from engine.operations import default_registry
from engine.settings import PROJECT_ROOT

DOCS = PROJECT_ROOT / "docs"


def test_operation_reference_is_current(tmp_path: Path) -> None:
    copy = tmp_path / "docs"
    shutil.copytree(DOCS, copy)
    changed = refresh(copy, default_registry())
    assert changed == [], f"run `amtskoffer docs`: {[p.name for p in changed]} out of date"


def test_every_operation_is_documented_with_german_texts() -> None:
    text = operations_markdown(default_registry())
    for op in default_registry():
        assert f"### `{op.id}`" in text
        assert op.title_de and op.description_de
        assert all(p.description_de for p in op.params), op.id


def test_helper_table_block_exists() -> None:
    authoring = (DOCS / "process-authoring.md").read_text(encoding="utf-8")
    assert HELPERS_BEGIN in authoring and HELPERS_END in authoring
