"""The ``document.render`` operation: a PDF from a package template, stored with the case."""

from __future__ import annotations

import hashlib
import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

from engine.audit.chain import jsonable
from engine.clock import BERLIN
from engine.documents.render import DOCUMENTS_PREFIX, render_pdf, template_problems
from engine.errors import OperationFailed
from engine.operations.context import OperationContext
from engine.operations.registry import REGISTRY, CheckEnv, Param
from engine.store.authority import authority_data
from engine.store.models import Case, Document, PackageVersion

_RESERVED = ("behoerde", "vorgang", "dokument")
_cache: OrderedDict[uuid.UUID, dict[str, str]] = OrderedDict()
_cache_lock = threading.Lock()


def _templates(ctx: OperationContext) -> dict[str, str]:
    """The ``documents/`` files of the case's package version (versions never change: cached)."""
    case = ctx.session.get(Case, ctx.case_id)
    if case is None:
        raise OperationFailed(f"case {ctx.case_id} not found while rendering")
    with _cache_lock:
        hit = _cache.get(case.package_version_id)
    if hit is not None:
        return hit
    pv = ctx.session.get(PackageVersion, case.package_version_id)
    assert pv is not None
    docs = {path: text for path, text in pv.files.items() if path.startswith(DOCUMENTS_PREFIX)}
    with _cache_lock:
        _cache[case.package_version_id] = docs
        while len(_cache) > 64:
            _cache.popitem(last=False)
    return docs


def _check(literals: Mapping[str, Any], env: CheckEnv) -> Sequence[str]:
    problems: list[str] = []
    vorlage = literals.get("vorlage")
    if isinstance(vorlage, str):
        problems += template_problems(env.files, vorlage)
    daten = literals.get("daten")
    if isinstance(daten, Mapping):
        clash = sorted(set(daten) & set(_RESERVED))
        if clash:
            problems.append(f"„daten“ darf die Namen {', '.join(clash)} nicht verwenden (sie sind vorbelegt).")
    return problems


def _filename(stem: str, number: str) -> str:
    safe = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "dokument"
    return f"{safe}-{number}.pdf"


@REGISTRY.operation(
    "document.render",
    title_de="Dokument erstellen (PDF)",
    description_de=(
        "Erstellt aus einer Vorlage des Verfahrens (Ordner documents/, Jinja2-HTML) ein PDF/A-3b-Dokument "
        "und legt es beim Vorgang ab (z. B. Meldebestätigung, Quittung). Die Vorlage erweitert "
        "„amtskoffer/dokument.html.j2“ (Briefkopf der Behörde, Fußzeile mit Vorgangsnummer und Seitenzahl) "
        "und füllt den Block „inhalt“. In der Vorlage stehen die Werte aus „daten“ sowie behoerde, vorgang "
        "und dokument zur Verfügung; Filter: datum (TT.MM.JJJJ) und betrag (1.234,50 €)."
    ),
    params=[
        Param(name="vorlage", type="str", description_de="Dateiname der Vorlage in documents/, "
              "z. B. \"meldebestaetigung.html.j2\""),
        Param(name="titel", type="str", description_de="Titel des Dokuments (Überschrift, Liste der Dokumente)"),
        Param(name="daten", type="dict", description_de="Werte für die Vorlage (Objekt)"),
        Param(name="art", type="str", required=False,
              description_de="Art des Dokuments, z. B. \"meldebestaetigung\" oder \"quittung\" "
              "(Standard: Name der Vorlage)"),
    ],
    result_de="{dokument_id: str, dateiname: str}",
    effect="case",
    check_literals=_check,
    example=(
        '<spiffworkflow:parameter id="vorlage" type="str" value="\'meldebestaetigung.html.j2\'" />\n'
        '<spiffworkflow:parameter id="titel" type="str" value="\'Meldebestätigung\'" />\n'
        '<spiffworkflow:parameter id="daten" type="dict" value="{\'personen\': personen, '
        '\'einzugsdatum\': einzugsdatum}" />\n'
        '<spiffworkflow:parameter id="art" type="str" value="\'meldebestaetigung\'" />'
    ),
)
def render_document(ctx: OperationContext, params: dict[str, Any]) -> dict[str, Any]:
    vorlage: str = params["vorlage"]
    titel: str = params["titel"].strip() or "Dokument"
    art: str = (params.get("art") or vorlage.split(".", 1)[0]).strip()[:80]
    files = _templates(ctx)
    created = ctx.now.astimezone(BERLIN)
    context = {
        **{k: v for k, v in dict(params["daten"]).items() if k not in _RESERVED},
        "behoerde": authority_data(ctx.authority),
        "vorgang": {"id": str(ctx.case_id), "nummer": ctx.case_number},
        "dokument": {"titel": titel, "art": art, "erstellt_am": created.date()},
    }
    pdf = render_pdf(files, vorlage, context)
    doc = Document(id=uuid.uuid4(), case_id=ctx.case_id, kind=art, title=titel[:300],
                   filename=_filename(art, ctx.case_number), media_type="application/pdf", content=pdf,
                   sha256=hashlib.sha256(pdf).hexdigest(), created_at=ctx.now)
    ctx.session.add(doc)
    ctx.record("document_created", jsonable({"dokument_id": str(doc.id), "art": art, "titel": doc.title,
                                             "dateiname": doc.filename, "sha256": doc.sha256,
                                             "vorlage": vorlage, "bytes": len(pdf)}))
    return {"dokument_id": str(doc.id), "dateiname": doc.filename}
