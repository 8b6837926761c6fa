"""Dependencies point one way: web → engine, never back; pure packages stay pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# package → prefixes it must not import
FORBIDDEN = {
    "engine": ("web", "amtskoffer", "flask", "flask_login", "flask_wtf", "flask_babel"),
    "engine/forms": ("engine.store", "engine.runtime", "sqlalchemy"),
    "engine/xoev": ("engine.store", "engine.runtime", "sqlalchemy"),
    "engine/rules": ("engine.store", "engine.runtime", "sqlalchemy"),
    "engine/audit": ("engine.runtime",),
    "web": ("amtskoffer",),
}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_forbidden_imports(package: str) -> None:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, module in _imports(path):
            if any(module == p or module.startswith(p + ".") for p in FORBIDDEN[package]):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not bad, "\n".join(bad)


def test_no_service_id_in_python_code() -> None:
    """Services are data: engine/ and web/ must not branch on a service id."""
    services = [p.name for p in (ROOT / "processes" / "bpmn").iterdir() if p.is_dir()]
    hits = []
    for package in ("engine", "web"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8").lower()  # "Reisepass" as a label names it too
            for sid in services:
                for quoted in (f"'{sid}'", f'"{sid}"'):
                    if quoted in text:
                        hits.append(f"{path.relative_to(ROOT)} names {quoted}")
    assert not hits, "\n".join(hits)
