"""Documents of a case: PDFs rendered from a service package's templates (``document.render``).

Contract for designers (``docs/process-authoring.md``, Dokumente): a template is
``processes/bpmn/<service>/documents/<name>.html.j2`` (sandboxed, autoescaped Jinja2). It
extends ``amtskoffer/dokument.html.j2`` (letterhead of the serving authority, footer with
case number and page numbers, A4, DejaVu fonts) and fills ``{% block inhalt %}``. Context:
the ``daten`` parameter's keys, plus ``behoerde``, ``vorgang`` ({id, nummer}) and ``dokument``
({titel, art, erstellt_am}). Filters ``datum`` (TT.MM.JJJJ) and ``betrag`` (1.234,50 €).

Templates are always taken from the files of the case's package version (never from disk),
so a case keeps printing with the templates it started with.

Public API: :func:`~engine.documents.render.render_pdf` (pure: files + context → PDF bytes),
:class:`~engine.documents.service.DocumentService` (list and fetch a case's documents with
authority scoping). The operation lives in ``document_ops.py``.
"""

from engine.documents.render import render_html, render_pdf, template_problems
from engine.documents.service import DocumentInfo, DocumentService

__all__ = ["DocumentInfo", "DocumentService", "render_html", "render_pdf", "template_problems"]
