"""The designer's workspace through the Flask test client: import, editors, validation on elements,
conflicts, form preview, tests, publishing with diff, sandbox, export and import.

The app's DesignerService is replaced by one without bpmnlint (the browser test runs it) and with
small sandboxes sharing one seeded template per session.
"""

from __future__ import annotations

import html
import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from engine import clock
from engine.catalog.package import PackageFiles
from engine.designer.sandbox import SandboxService
from engine.designer.service import DesignerService
from engine.service_layer.core import Engine
from engine.store.models import Case, PackageVersion
from tests.web.designer_service import BPMN, FILES, SERVICE_ID, service_zip
from tests.web.helpers import Clerk


@pytest.fixture(scope="session")
def sandbox_templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web-sandbox-templates")


@pytest.fixture
def designer_app(app: Flask, web_engine: Engine, sandbox_templates: Path,
                 fixed_clock: clock.FixedClock) -> Iterator[Flask]:
    service = DesignerService(web_engine, linter=None,
                              sandbox=SandboxService(web_engine, residents_per_authority=5,
                                                     templates_dir=sandbox_templates))
    app.extensions["amtskoffer.designer"] = service
    yield app
    service.close()


@pytest.fixture
def designer(designer_app: Flask) -> Clerk:
    return Clerk(designer_app, "designer")


def import_zip(designer: Clerk, data: bytes | None = None, **fields: str) -> str:
    """Import a zip; returns the draft's URL."""
    response = designer.client.post("/designer/import", data={
        "art": "zip", "csrf_token": designer.token, "datei": (io.BytesIO(data or service_zip()), "paket.zip"), **fields},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    return str(response.headers["Location"])


def revision(page_text: str) -> str:
    match = re.search(r'name="revision" value="(\d+)"', page_text)
    assert match is not None
    return match.group(1)


def count_versions(engine: Engine, service_id: str = SERVICE_ID) -> int:
    with engine.db.read() as s:
        return int(s.execute(select(func.count(PackageVersion.id)).where(
            PackageVersion.service_id == service_id)).scalar_one())


def test_import_makes_a_checked_draft_listed_on_the_start_page(designer: Clerk) -> None:
    url = import_zip(designer)
    page = designer.get(url)
    assert page.status_code == 200
    assert "Keine Fehler, 0 Hinweis(e)." in page.text
    for path in ("testbescheinigung.bpmn", "gebuehr.dmn", "forms/angaben.schema.json", "tests/standard.yaml"):
        assert path in page.text
    index = designer.get("/designer/")
    assert url.rsplit("/", 1)[1] in index.text and "Offene Entwürfe" in index.text


def test_a_broken_zip_is_refused_in_german_and_creates_nothing(designer: Clerk, web_engine: Engine) -> None:
    response = designer.client.post("/designer/import", data={
        "art": "zip", "csrf_token": designer.token, "datei": (io.BytesIO(b"kein zip"), "paket.zip")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Die Datei ist kein ZIP-Archiv." in response.text
    assert "Offene Entwürfe" in response.text and "Keine offenen Entwürfe." in response.text


def test_a_catalog_error_is_shown_on_its_element_in_the_modeler(designer: Clerk) -> None:
    draft = import_zip(designer)
    editor = designer.get(draft + "/bpmn/testbescheinigung.bpmn")
    broken = BPMN.replace('value="aushaendigen.schema.json"', 'value="fehlt.schema.json"')
    saved = designer.post(draft + "/bpmn/testbescheinigung.bpmn", {"bpmn_xml": broken,
                                                                   "revision": revision(editor.text)})
    assert saved.status_code == 302
    page = designer.get(saved.headers["Location"])
    assert "In dieser Datei: 1 Fehler" in page.text
    row = re.search(r'<tr data-element-id="aushaendigen" data-code="form-missing">.*?</tr>', page.text, re.S)
    assert row is not None and "Das Formular „fehlt.schema.json“" in row.group(0)
    config = json.loads(re.search(r'<script type="application/json" id="modeler-config">(.*?)</script>',
                                  page.text, re.S).group(1))  # type: ignore[union-attr]
    assert [(p["element_id"], p["code"], p["severity"]) for p in config["problems"]] == [
        ("aushaendigen", "form-missing", "error")]
    assert {"name": "angaben.schema.json", "kind": "schema", "title": "Angaben zur Bescheinigung"} in config["forms"]
    assert {"id": "gebuehr", "name": "Gebühr nach Anzahl"} in config["decisions"]
    send = next(op for op in config["operations"] if any(p["name"] == "nachrichtentyp" for p in op["params"]))
    assert any(p["choices"] for p in send["params"] if p["name"] == "nachrichtentyp")
    overview = designer.get(draft)
    assert re.search(r"1 Fehler, \d+ Hinweis\(e\)\. Fehler verhindern das Veröffentlichen\.", overview.text), \
        re.findall(r"pruefung-ergebnis[^>]*>([^<]*)", overview.text)


def test_a_stale_revision_is_refused_and_the_typed_diagram_is_kept(designer: Clerk, designer_app: Flask) -> None:
    draft = import_zip(designer)
    other = Clerk(designer_app, "designer")
    first = designer.post(draft + "/file?path=service.toml", {"text": FILES["service.toml"].replace(
        "Testbescheinigung (Gestaltung)", "Erste Änderung"), "revision": "1"})
    assert first.status_code == 302
    mine = BPMN.replace('name="Angaben erfassen"', 'name="Meine Änderung"')
    response = other.post(draft + "/bpmn/testbescheinigung.bpmn", {"bpmn_xml": mine, "revision": "1"})
    assert response.status_code == 409
    assert "inzwischen von designer gespeichert (Stand 2)" in response.text
    assert "Meine Änderung" in response.text  # nothing typed is lost
    assert "Meine Änderung" not in designer.get(draft + "/file?path=testbescheinigung.bpmn").text
    assert "Erste Änderung" in designer.get(draft + "/file?path=service.toml").text


def test_form_editor_preview_check_and_save(designer: Clerk) -> None:
    draft = import_zip(designer)
    editor = designer.get(draft + "/forms/angaben")
    assert 'id="f-name"' in editor.text and "autofocus" not in editor.text.split('id="vorschau-inhalt"')[1]
    schema = FILES["forms/angaben.schema.json"].replace("Name der Person", "Vollständiger Name")
    common = {"_schema": schema, "_uischema": FILES["forms/angaben.uischema.json"], "revision": revision(editor.text)}
    preview = designer.post(draft + "/forms/angaben", {**common, "_action": "preview"})
    assert preview.status_code == 200 and "Vollständiger Name" in preview.text
    checked = designer.post(draft + "/forms/angaben", {**common, "_action": "submit", "name": "", "anzahl": "9"})
    assert 'id="fehlerliste"' in checked.text and "Vollständiger Name" in checked.text
    assert 'value="9"' in checked.text  # what was typed into the preview stays
    valid = designer.post(draft + "/forms/angaben", {**common, "_action": "submit", "name": "Erika", "anzahl": "2"})
    assert 'id="vorschau-gueltig"' in valid.text
    broken = designer.post(draft + "/forms/angaben", {**common, "_schema": '{"title": "x",\n "type": }',
                                                      "_action": "preview"})
    assert 'id="formular-befunde"' in broken.text and "Zeile 2" in broken.text
    fragment = designer.post(draft + "/forms/angaben/preview", {**common, "name": "Probe"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and 'value="Probe"' in fragment.text
    saved = designer.post(draft + "/forms/angaben", {**common, "_action": "save"})
    assert saved.status_code == 302
    assert "Vollständiger Name" in designer.get(draft + "/file?path=forms/angaben.schema.json").text


def test_tests_run_then_publish_needs_a_note_and_shows_the_diff(designer: Clerk, web_engine: Engine) -> None:
    draft = import_zip(designer)
    report = designer.post(draft + "/tests")
    assert report.status_code == 200 and "1 von 1 Testfällen bestanden." in report.text
    refused = designer.post(draft + "/publish", {"change_note": " ", "revision": "1"})
    assert refused.status_code == 422 and "Änderungsnotiz" in refused.text
    assert count_versions(web_engine) == 0
    published = designer.post(draft + "/publish", {"change_note": "Erste Version", "revision": "1"})
    assert published.headers["Location"].endswith(f"/designer/services/{SERVICE_ID}/versions/1")
    assert "Erste Version – kein Vergleich" in designer.get(published.headers["Location"]).text

    second = designer.post("/designer/drafts", {"service_id": SERVICE_ID})
    draft2 = second.headers["Location"]
    designer.post(draft2 + "/bpmn/testbescheinigung.bpmn", {
        "bpmn_xml": BPMN.replace('name="Dokument aushändigen"', 'name="Bescheinigung übergeben"'), "revision": "1"})
    diff = designer.get(draft2 + "/diff")
    assert 'data-element-id="aushaendigen" data-kind="changed"' in diff.text
    designer.post(draft2 + "/publish", {"change_note": "Umbenannt", "revision": "2"})
    version = designer.get(f"/designer/services/{SERVICE_ID}/versions/2")
    assert "Vergleich: Version 1 → Version 2" in version.text
    marks = json.loads(re.search(r'id="diagramm-neu-config">(.*?)</script>', version.text, re.S).group(1))  # type: ignore[union-attr]
    assert marks["diff"] == {"aushaendigen": "changed"}
    assert "Bescheinigung übergeben" in version.text and count_versions(web_engine) == 2
    listing = designer.get(f"/designer/services/{SERVICE_ID}")
    assert "Umbenannt" in listing.text and "Erste Version" in listing.text
    assert designer.post(draft2 + "/publish", {"change_note": "noch einmal", "revision": "3"}).status_code == 409


def test_a_draft_with_errors_cannot_be_published(designer: Clerk, web_engine: Engine) -> None:
    files = {**FILES, "gebuehr.dmn": FILES["gebuehr.dmn"].replace('hitPolicy="UNIQUE"', 'hitPolicy="KAPUTT"')}
    draft = import_zip(designer, service_zip(files))
    response = designer.post(draft + "/publish", {"change_note": "Versuch", "revision": "1"})
    assert response.status_code == 422
    assert 'role="alert"' in response.text and count_versions(web_engine) == 0


def test_new_service_new_form_upload_and_delete(designer: Clerk) -> None:
    created = designer.post("/designer/drafts", {"service_id": "neues_verfahren", "title": "Neues Verfahren",
                                                 "neu": "1"})
    draft = created.headers["Location"]
    page = designer.get(draft)
    assert "neues_verfahren.bpmn" in page.text and "Keine Fehler" in page.text
    bad = designer.post(draft + "/forms", {"name": "../x", "revision": "1"})
    assert bad.status_code == 422 and "Der Name besteht aus" in bad.text
    made = designer.post(draft + "/forms", {"name": "antrag", "titel": "Antrag", "revision": "1"})
    assert made.headers["Location"].endswith("/forms/antrag")
    assert '"title": "Antrag"' in html.unescape(designer.get(draft + "/file?path=forms/antrag.schema.json").text)
    upload = designer.client.post(draft + "/files", data={
        "csrf_token": designer.token, "revision": "2", "ordner": "tests",
        "dateien": [(io.BytesIO(FILES["tests/standard.yaml"].encode()), "fall.yaml")]},
        content_type="multipart/form-data")
    assert upload.status_code == 302
    assert "tests/fall.yaml" in designer.get(draft).text
    binary = designer.client.post(draft + "/files", data={
        "csrf_token": designer.token, "revision": "3", "ordner": "",
        "dateien": [(io.BytesIO(b"\xff\xfe\x00"), "bild.png")]}, content_type="multipart/form-data")
    assert binary.status_code == 422 and "nicht UTF-8-kodiert" in binary.text
    deleted = designer.post(draft + "/file?path=tests/fall.yaml", {"_action": "delete", "revision": "3"})
    assert deleted.status_code == 302
    assert "„tests/fall.yaml“ wurde gelöscht." in designer.get(draft).text
    assert "tests/fall.yaml" not in designer.get(draft).text
    keep = designer.post(draft + "/file?path=service.toml", {"_action": "delete", "revision": "4"})
    assert keep.status_code == 422 and "service.toml kann nicht gelöscht werden." in keep.text
    taken = designer.post("/designer/drafts", {"service_id": "familie", "neu": "1"})
    assert taken.status_code == 422 and "schon veröffentlicht" in taken.text


def test_sandbox_steps_through_a_draft_and_leaves_the_real_database_alone(designer: Clerk,
                                                                         web_engine: Engine) -> None:
    draft = import_zip(designer)
    page = designer.get(draft + "/sandbox")
    assert '<option value="neubukow-salzhaff" selected>' in page.text  # the designer's own authority
    assert 'value="schwerin"' not in page.text  # external authorities cannot run cases
    started = designer.post(draft + "/sandbox", {"authority": "neubukow-salzhaff"})
    task = started.headers["Location"]
    assert "/sandbox/" in task and "/tasks/" in task
    rejected = designer.post(task, {"name": "", "anzahl": "2"})
    assert rejected.status_code == 422 and "Bitte füllen Sie dieses Feld aus." in rejected.text
    next_task = designer.post(task, {"name": "Erika Probe", "anzahl": "2"}).headers["Location"]
    done = designer.post(next_task, {"ausgehaendigt": "true"})
    case_page = designer.get(done.headers["Location"])
    assert "abgeschlossen" in case_page.text and "8,00" in case_page.text
    assert "Sandbox-Vorgang" in designer.get(draft + "/sandbox").text
    with web_engine.db.read() as s:
        assert s.execute(select(func.count(Case.id))).scalar_one() == 0
    moved = designer.post(draft + "/sandbox/clock", {"tage": "31"})
    assert moved.status_code == 302
    assert "31 Tage vorgestellt" in designer.get(draft + "/sandbox").text.replace("31,0", "31")
    assert designer.post(draft + "/sandbox/clock", {"tage": "-3"}).status_code == 302
    parked = designer.post(draft + "/sandbox/message", {"name": "unbekannt", "payload": "{}"})
    assert "Kein Sandbox-Vorgang wartet" in designer.get(parked.headers["Location"]).text
    designer.post(draft + "/sandbox/reset")
    assert "Noch keine Sandbox-Vorgänge." in designer.get(draft + "/sandbox").text


def test_exports_round_trip_through_the_import(designer: Clerk, web_engine: Engine) -> None:
    draft = import_zip(designer)
    designer.post(draft + "/publish", {"change_note": "Erste Version", "revision": "1"})
    exported = designer.client.get(f"/designer/services/{SERVICE_ID}/versions/1/export.zip")
    assert exported.headers["Content-Disposition"] == f'attachment; filename="{SERVICE_ID}-v1.zip"'
    copy = import_zip(designer, exported.data, service_id="kopie")
    with web_engine.db.read() as s:
        original = s.execute(select(PackageVersion.content_hash).where(PackageVersion.service_id == SERVICE_ID)
                             ).scalar_one()
    copied = designer.client.get(copy + "/export.zip")
    with zipfile.ZipFile(io.BytesIO(copied.data)) as zf:
        names = zf.namelist()
        files = {n.split("/", 1)[1]: zf.read(n).decode() for n in names}
    assert "kopie/testbescheinigung.bpmn" in names
    renamed = {**files, "service.toml": files["service.toml"].replace('id = "kopie"', f'id = "{SERVICE_ID}"')}
    assert PackageFiles(SERVICE_ID, renamed).content_hash == original

    spiff = designer.client.get(f"/designer/services/{SERVICE_ID}/versions/1/spiff-arena.zip")
    with zipfile.ZipFile(io.BytesIO(spiff.data)) as zf:
        assert "testbescheinigung/process_model.json" in zf.namelist()
    response = designer.client.post("/designer/import", data={
        "art": "spiff", "csrf_token": designer.token, "service_id": "aus_spiff",
        "datei": (io.BytesIO(spiff.data), "testbescheinigung.zip")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert "Keine Fehler" in designer.get(response.headers["Location"]).text


def test_discarding_a_draft_and_unknown_drafts(designer: Clerk) -> None:
    draft = import_zip(designer)
    assert designer.post(draft + "/discard").headers["Location"].endswith("/designer/")
    assert "verworfen" in designer.get(draft).text
    assert designer.post(draft + "/discard").status_code == 409
    assert designer.get(f"/designer/drafts/{uuid.uuid4()}").status_code == 404
    assert designer.get(draft + "/bpmn/gibt-es-nicht.bpmn").status_code == 404
    assert designer.get(f"/designer/services/{SERVICE_ID}/versions/x").status_code == 404


def test_designer_requests_may_be_larger_than_elsewhere(designer: Clerk, designer_app: Flask) -> None:
    draft = import_zip(designer)
    big = "Zeile mit Text\n" * 200_000  # 3 MB: more than the app's 2 MB, less than a package file's 5 MB
    saved = designer.post(draft + "/file?path=tests/gross.txt", {"text": big, "revision": "1"})
    assert saved.status_code == 302
    clerk = Clerk(designer_app, "clerk")
    assert clerk.post("/clerk/cases", {"service_id": big}).status_code == 413
