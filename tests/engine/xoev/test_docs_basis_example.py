"""The example in docs/process-authoring.md („Nachrichtentypen ohne G2G-Kopf“) works as written.

Its ``message.toml``, template, ``example.json`` and BPMN snippet are taken from the document,
put into a temporary type folder and a throw-away package, and sent through a real case – so the
section a designer follows to add 0601 cannot silently go wrong.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from uuid import UUID

import pytest
from lxml import etree
from sqlalchemy import select

from engine.clock import FixedClock
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.settings import PROJECT_ROOT, Settings
from engine.store.models import OutboxMessage
from engine.xoev import AuthorityRef, XMeldValidator, build_message, example_authorities, message_types
from tests.conftest import make_settings
from tests.engine.xoev.basis_types import ANTWORT, TYPES, types_folder

DOC = PROJECT_ROOT / "docs" / "process-authoring.md"
HEADING = "#### Nachrichtentypen ohne G2G-Kopf"
NS = {"x": "http://www.osci.de/xmeld2511a"}
FIXTURE_FORMS = Path(__file__).resolve().parent / "fixtures" / "forms"


def section() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(HEADING)
    return text[start:text.index("<!-- messages:end -->", start)]


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section(), flags=re.S)


def docs_type(tmp_path: Path) -> Path:
    """The type folder as the section describes it (the input schema from its prose: two fields)."""
    root = types_folder(tmp_path, "melderegisterauskunfteinfach.quittunggemeindeuebergreifend.0603")
    folder = root / ANTWORT
    shutil.rmtree(folder)  # the shipped 0601 (built from this section) gives way to the section itself
    folder.mkdir()
    [toml] = blocks("toml")
    [template] = blocks("jinja")
    [example] = blocks("json")
    (folder / "message.toml").write_text(toml, encoding="utf-8")
    (folder / "template.xml.j2").write_text(template, encoding="utf-8")
    (folder / "example.json").write_text(example, encoding="utf-8")
    (folder / "input.schema.json").write_text(json.dumps(TYPES[ANTWORT]["schema"]), encoding="utf-8")
    return root


def test_the_documented_type_builds_the_documented_header(tmp_path: Path) -> None:
    settings = Settings().with_(message_types_dir=docs_type(tmp_path))
    mtype = message_types(settings)[ANTWORT]
    assert mtype.header == "b2privat"
    _, reader = example_authorities(mtype)
    neubukow = AuthorityRef(name="Stadt Neubukow", dvdv_kennung="ags:13072074", strasse="Am Markt", hausnummer="1",
                            postleitzahl="18233", ort="Neubukow", email="buergerbuero@neubukow.example")
    message = build_message(ANTWORT, author=neubukow, reader=reader, data=mtype.example.data,
                            created_at=datetime.fromisoformat("2026-11-15T10:00:00+01:00"),
                            message_id=UUID(int=421337), settings=settings)
    XMeldValidator.for_bundle(settings.xoev_schema_dir).validate(message.xml)
    [sample, _] = blocks("xml")
    documented = etree.fromstring(sample.replace("…", "x")).find("x:nachrichtenkopf", NS)
    assert _flat(etree.fromstring(message.xml).find("x:nachrichtenkopf", NS)) == _flat(documented)


def _flat(element: etree._Element) -> list[tuple[str, dict[str, str], str]]:
    """Elements, attributes and texts in document order (comments and layout whitespace ignored)."""
    return [(e.tag, dict(e.attrib), (e.text or "").strip()) for e in element.iter() if isinstance(e.tag, str)]


@pytest.fixture
def engine(tmp_path: Path, db_url: str) -> Iterator[Engine]:
    """A throw-away package whose service tasks are the section's BPMN snippet."""
    [_, snippet] = blocks("xml")
    package = tmp_path / "processes" / "doku_0601"
    package.mkdir(parents=True)
    (package / "service.toml").write_text(
        'id = "doku_0601"\ntitle = "Beispiel aus der Doku"\nleika_key = "99000000000097"\n'
        'entry_process = "doku_0601"\nauthority_role = "meldebehoerde"\ncategory = "Test"\n', encoding="utf-8")
    (package / "doku_0601.bpmn").write_text(f'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="doku_0601" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="antrag_erfassen" name="Anfragende Person erfassen">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="antrag.schema.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
{snippet}
    <bpmn:endEvent id="ende" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="antrag_erfassen" />
    <bpmn:sequenceFlow id="f2" sourceRef="antrag_erfassen" targetRef="antwort_vorbereiten" />
    <bpmn:sequenceFlow id="f3" sourceRef="antwort_vorbereiten" targetRef="antwort_senden" />
    <bpmn:sequenceFlow id="f4" sourceRef="antwort_senden" targetRef="ende" />
  </bpmn:process>
</bpmn:definitions>
''', encoding="utf-8")
    forms = tmp_path / "forms"
    (forms / "doku_0601").mkdir(parents=True)
    (forms / "doku_0601" / "antrag.schema.json").write_bytes(
        (FIXTURE_FORMS / "auskunft_test" / "antrag.schema.json").read_bytes())
    settings = make_settings(tmp_path, db_url, processes_dir=tmp_path / "processes", forms_dir=forms,
                             message_types_dir=docs_type(tmp_path / "typen"))
    eng = Engine(settings)
    eng.authorities.load_file(PROJECT_ROOT / "demo" / "authorities.toml")
    rejected = [r for r in eng.catalog.sync_from_disk() if r.action == "rejected"]
    assert not rejected, [str(p) for r in rejected for p in r.problems]
    yield eng
    eng.close()


def test_the_documented_step_sends_the_answer_to_the_requester(engine: Engine, clerk: Actor,
                                                              fixed_clock: FixedClock) -> None:
    view = engine.cases.start("doku_0601", "neubukow", clerk, {})
    engine.cases.submit(view.case.id, view.ready[0].task_id, {
        "familienname": "Beispielfrau", "vornamen": "Erika", "strasse": "Lindenweg", "hausnummer": "12a",
        "postleitzahl": "18233", "ort": "Neubukow", "antwortstatus": "00"}, clerk)
    with engine.db.read() as s:
        [row] = s.execute(select(OutboxMessage)).scalars().all()
    assert (row.message_type, row.reader, row.status) == (ANTWORT, "Erika Beispielfrau", "pending")
    XMeldValidator.for_bundle(engine.settings.xoev_schema_dir).validate(row.xml)
    assert engine.cases.view(view.case.id, clerk, log_read=False).case.status == "completed"
