"""``document.render`` inside real cases: stored with sha256, audited, templates from the package version."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import select

from engine import clock
from engine.catalog.package import PackageFiles, read_from_disk
from engine.documents import DocumentService
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.store.models import Document

FAMILY = {
    "einzugsdatum": "2026-11-01",
    "anschrift": {"strasse": "Am Markt", "hausnummer": "3", "postleitzahl": "18233", "ort": "Neubukow"},
    "personen": [{"vornamen": "Anna", "familienname": "Schulz", "geburtsdatum": "1980-02-01"}],
}


def run_family(engine: Engine, actor: Actor) -> Any:
    view = engine.cases.start("familie", "neubukow", actor)
    out = engine.cases.submit(view.case.id, view.ready[0].task_id, FAMILY, actor)
    engine.cases.submit(view.case.id, out.ready[0]["task_id"], {"angaben_bestaetigt": True}, actor)
    return view.case.id


def test_documents_are_stored_with_hash_and_audited(engine: Engine, clerk: Actor,
                                                    fixed_clock: clock.FixedClock) -> None:
    case_id = run_family(engine, clerk)
    docs = DocumentService(engine).for_case(case_id, clerk)
    assert [d.kind for d in docs] == ["quittung", "meldebestaetigung"] or {d.kind for d in docs} == {
        "quittung", "meldebestaetigung"}
    info, content = DocumentService(engine).get(case_id, docs[0].id, clerk)
    assert content.startswith(b"%PDF-") and hashlib.sha256(content).hexdigest() == info.sha256
    assert info.filename.endswith(".pdf") and info.media_type == "application/pdf"
    events = [e for e in engine.audit.export_case(case_id, clerk)["events"] if e["type"] == "document_created"]
    assert {e["payload"]["sha256"] for e in events} == {d.sha256 for d in docs}
    view = engine.cases.view(case_id, clerk)
    assert view.data["meldebestaetigung"]["dateiname"].startswith("meldebestaetigung-V-2026-")
    steps = [s for s in view.steps if s.task_spec == "zusammenfassung"]
    assert steps and not steps[0].irreversible  # effect "case": still correctable


def test_templates_come_from_the_case_version_not_from_disk(engine: Engine, clerk: Actor,
                                                            fixed_clock: clock.FixedClock) -> None:
    view = engine.cases.start("familie", "neubukow", clerk)
    # A newer version with a different template is published while the case runs.
    files = dict(read_from_disk("familie", engine.settings).files)
    files["documents/meldebestaetigung.html.j2"] = files["documents/meldebestaetigung.html.j2"].replace(
        "Hiermit wird bestätigt", "NEUE VORLAGE")
    engine.catalog.publish(PackageFiles("familie", files), Actor.system())
    out = engine.cases.submit(view.case.id, view.ready[0].task_id, FAMILY, clerk)
    engine.cases.submit(view.case.id, out.ready[0]["task_id"], {"angaben_bestaetigt": True}, clerk)
    with engine.db.read() as s:
        pdfs = list(s.execute(select(Document.content).where(Document.case_id == view.case.id)).scalars())
    import io

    from pypdf import PdfReader

    texts = " ".join(PdfReader(io.BytesIO(p)).pages[0].extract_text() for p in pdfs)
    assert "Hiermit wird bestätigt" in texts and "NEUE VORLAGE" not in texts


def test_other_authority_cannot_read_documents(engine: Engine, clerk: Actor, fixed_clock: clock.FixedClock) -> None:
    import uuid

    from engine.errors import NotFound

    case_id = run_family(engine, clerk)
    stranger = Actor(name="x", roles=frozenset({"clerk"}), authority_ids=frozenset({uuid.uuid4()}))
    with pytest.raises(NotFound):
        DocumentService(engine).for_case(case_id, stranger)


@pytest.mark.parametrize(("vorlage", "message"), [
    ("'fehlt.html.j2'", "Die Dokumentvorlage „fehlt.html.j2“ fehlt im Ordner documents/"),
])
def test_missing_template_is_reported_at_publish_time(engine: Engine, vorlage: str, message: str) -> None:
    files = dict(read_from_disk("familie", engine.settings).files)
    files["familie.bpmn"] = files["familie.bpmn"].replace("'meldebestaetigung.html.j2'", vorlage)
    problems = engine.catalog.check(PackageFiles("familie", files))
    texts = [p.user_message for p in problems if p.severity == "error"]
    assert any(message in t for t in texts), texts
    problem = next(p for p in problems if message in p.user_message)
    assert problem.element_id == "bestaetigung_erstellen" and problem.line is not None


def test_downloading_a_document_is_logged_as_a_read(engine: Engine, clerk: Actor,
                                                    fixed_clock: clock.FixedClock) -> None:
    case_id = run_family(engine, clerk)
    doc = DocumentService(engine).for_case(case_id, clerk)[0]
    DocumentService(engine).get(case_id, doc.id, clerk)
    reads = [e for e in engine.audit.export_case(case_id, clerk)["events"] if e["type"] == "case_read"]
    assert {"dokument": str(doc.id), "datei": doc.filename} in [e["payload"] for e in reads]
