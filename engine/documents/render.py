"""Rendering a document template to HTML and to PDF/A-3b (WeasyPrint), without touching disk or network.

Templates come from a package's file mapping (``documents/<name>``) plus the engine's base
layouts (``amtskoffer/…``, shipped in ``engine/documents/templates``). Jinja2 runs sandboxed
(``ImmutableSandboxedEnvironment``: no attribute tricks, no mutation of the data) with
autoescaping, so a name like ``<b>`` in the data prints as text. WeasyPrint may not fetch
anything: every URL (images, style sheets, ``file:``) is refused, so a template cannot read
files of the server or call out; fonts come from the system (fonts-dejavu).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from engine.errors import DesignError
from engine.formatting import FILTERS, format_betrag, format_datum

__all__ = ["format_betrag", "format_datum", "render_html", "render_pdf", "template_problems"]

DOCUMENTS_PREFIX = "documents/"
BASE_PREFIX = "amtskoffer/"
_BASE_DIR = Path(__file__).resolve().parent / "templates"


class _PackageLoader(jinja2.BaseLoader):
    """``amtskoffer/…`` from the engine, everything else from the package's ``documents/``."""

    def __init__(self, files: Mapping[str, str]) -> None:
        self.files = files

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        if template.startswith(BASE_PREFIX):
            path = (_BASE_DIR / template).resolve()
            if _BASE_DIR not in path.parents or not path.is_file():
                raise jinja2.TemplateNotFound(template)
            return path.read_text(encoding="utf-8"), template, lambda: True
        key = DOCUMENTS_PREFIX + template
        if key not in self.files:
            raise jinja2.TemplateNotFound(template)
        return self.files[key], key, lambda: True


def environment(files: Mapping[str, str]) -> jinja2.Environment:
    env = ImmutableSandboxedEnvironment(loader=_PackageLoader(files), autoescape=True,
                                        undefined=jinja2.ChainableUndefined, auto_reload=False)
    env.filters.update(FILTERS)
    return env


def template_problems(files: Mapping[str, str], name: str) -> list[str]:
    """German problems of template ``documents/<name>`` (missing, syntax, unknown parent); empty if fine."""
    if DOCUMENTS_PREFIX + name not in files:
        present = sorted(p[len(DOCUMENTS_PREFIX):] for p in files if p.startswith(DOCUMENTS_PREFIX))
        return [f"Die Dokumentvorlage „{name}“ fehlt im Ordner documents/ "
                f"(vorhanden: {', '.join(present) or 'keine'})."]
    env = environment(files)
    try:
        env.get_template(name)
    except jinja2.TemplateNotFound as err:
        return [f"Die Dokumentvorlage „{name}“ bindet die unbekannte Vorlage „{err.name}“ ein."]
    except jinja2.TemplateSyntaxError as err:
        return [f"Die Dokumentvorlage „{name}“ enthält in Zeile {err.lineno} einen Fehler: {err.message}"]
    return []


def render_html(files: Mapping[str, str], name: str, context: Mapping[str, Any]) -> str:
    env = environment(files)
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateNotFound as err:
        raise DesignError(f"document template {err.name} not found",
                          user_message=f"Die Dokumentvorlage „{err.name}“ gibt es im Verfahren nicht.",
                          template=name) from err
    except jinja2.TemplateError as err:
        line = getattr(err, "lineno", None)
        raise DesignError(f"document template {name} failed: {err}",
                          user_message=f"Die Dokumentvorlage „{name}“ konnte nicht gefüllt werden"
                          + (f" (Zeile {line})" if line else "") + f": {err}", template=name) from err


def _no_fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    class NoFetch(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"documents may not load resources ({url[:80]})")

    return NoFetch()


def render_pdf(files: Mapping[str, str], name: str, context: Mapping[str, Any]) -> bytes:
    """The template rendered as a PDF/A-3b document (fonts embedded; no resources loaded)."""
    import weasyprint  # heavy import (~0.7 s): only when a document is actually rendered

    html = render_html(files, name, context)
    # WeasyPrint 70 opens its sRGB profile for PDF/A without closing it: a harmless ResourceWarning
    # (ignored by default; pyproject.toml ignores it in tests, where warnings are errors).
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=_no_fetcher(), base_url=None).write_pdf(
        pdf_variant="pdf/a-3b")
    return pdf
