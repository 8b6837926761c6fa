"""The English catalog covers every German UI text, and the compiled .mo matches the .po."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

WEB = Path(__file__).resolve().parents[2] / "web"
PO = WEB / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def _catalog():  # type: ignore[no-untyped-def]
    with PO.open("rb") as f:
        return read_po(f)


def test_every_ui_text_has_an_english_translation() -> None:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    used = {msg for _, _, msg, _, _ in extract_from_dir(str(WEB), method_map, keywords={"_": None, "gettext": None})
            if isinstance(msg, str)}
    catalog = _catalog()
    missing = sorted(m for m in used if not (catalog.get(m) and catalog.get(m).string))
    assert not missing, f"untranslated (run pybabel extract/update, see web/babel.cfg and docs/architecture.md): {missing}"


def test_compiled_catalog_matches_the_po_file() -> None:
    catalog = _catalog()
    expected = io.BytesIO()
    write_mo(expected, catalog)
    with (PO.with_suffix(".mo")).open("rb") as f:
        compiled = read_mo(f)
    assert {m.id: m.string for m in compiled if m.id} == {m.id: m.string for m in catalog if m.id}
