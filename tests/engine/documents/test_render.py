"""Template rendering: filters, sandbox, escaping, missing templates, and the PDF itself."""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from engine.documents.render import format_betrag, format_datum, render_html, render_pdf, template_problems
from engine.errors import DesignError

BASE_CONTEXT = {
    "behoerde": {"name": "Amt Neubukow-Salzhaff", "address": {"strasse": "Panzower Landweg", "hausnummer": "1",
                                                            "postleitzahl": "18233", "ort": "Neubukow"},
                 "email": "buergerbuero@amt-neubukow-salzhaff.example"},
    "vorgang": {"id": "x", "nummer": "V-2026-ABC123"},
    "dokument": {"titel": "Quittung", "art": "quittung", "erstellt_am": date(2026, 11, 15)},
}
TEMPLATE = """{% extends "amtskoffer/dokument.html.j2" %}
{% block inhalt %}<p>Name: {{ name }}</p><p>Betrag: {{ betrag | betrag }}</p><p>Tag: {{ tag | datum }}</p>{% endblock %}"""


@pytest.mark.parametrize(("value", "text"), [
    (Decimal("1234.5"), "1.234,50 €"), ("70.00", "70,00 €"), (0, "0,00 €"), (Decimal("0.005"), "0,01 €"),
    (None, ""), ("kein Betrag", "kein Betrag"),
])
def test_betrag(value: object, text: str) -> None:
    assert format_betrag(value) == text


@pytest.mark.parametrize(("value", "text"), [
    (date(2026, 2, 7), "07.02.2026"), ("2026-11-01", "01.11.2026"),
    (datetime(2026, 11, 14, 23, 30, tzinfo=UTC), "15.11.2026"),  # Berlin time, not UTC
    (None, ""), ("demnächst", "demnächst"),
])
def test_datum(value: object, text: str) -> None:
    assert format_datum(value) == text


def test_data_is_escaped() -> None:
    html = render_html({"documents/q.html.j2": TEMPLATE}, "q.html.j2",
                       {**BASE_CONTEXT, "name": "<script>alert(1)</script>", "betrag": "1", "tag": None})
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_sandbox_blocks_attribute_tricks() -> None:
    html = render_html({"documents/e.html.j2": "[{{ name.__class__ }}|{{ name.upper() }}]"}, "e.html.j2",
                       {"name": "x"})
    assert html == "[|X]"  # unsafe attributes are undefined in the sandbox
    with pytest.raises(DesignError) as err:
        render_html({"documents/e.html.j2": "{{ ''.__class__.__mro__[1].__subclasses__() }}"}, "e.html.j2", {})
    assert "unsafe" in str(err.value)


def test_templates_come_only_from_the_package_files() -> None:
    files = {"documents/a.html.j2": '{% include "../../../../etc/passwd" %}'}
    with pytest.raises(DesignError) as err:
        render_html(files, "a.html.j2", {})
    assert "gibt es im Verfahren nicht" in err.value.user_message
    assert template_problems(files, "fehlt.html.j2") == [
        "Die Dokumentvorlage „fehlt.html.j2“ fehlt im Ordner documents/ (vorhanden: a.html.j2)."]
    assert template_problems({"documents/b.html.j2": "{% if %}"}, "b.html.j2")[0].startswith(
        "Die Dokumentvorlage „b.html.j2“ enthält in Zeile 1 einen Fehler")
    assert template_problems({"documents/c.html.j2": TEMPLATE}, "c.html.j2") == []


def test_pdf_is_pdf_a_3b_with_embedded_dejavu_and_german_text(tmp_path: Path) -> None:
    pdf = render_pdf({"documents/q.html.j2": TEMPLATE}, "q.html.j2",
                     {**BASE_CONTEXT, "name": "Jürgen Groß-Öztürk", "betrag": Decimal("26.00"),
                      "tag": date(2026, 11, 1)})
    reader = PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    for expected in ("Amt Neubukow-Salzhaff", "Quittung", "Jürgen Groß-Öztürk", "26,00 €", "01.11.2026",
                     "Vorgang V-2026-ABC123", "Seite 1 von 1"):
        assert expected in text, expected
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="3"' in raw and 'pdfaid:conformance="B"' in raw
    assert "/OutputIntents" in reader.trailer["/Root"]
    path = tmp_path / "q.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "DejaVu" in fonts and all(" yes " in line for line in fonts.splitlines()[2:])
