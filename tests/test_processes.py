"""The service packages in processes/bpmn: clean catalog check, BPMN DI for every element, bpmnlint.

In CI (``AMTSKOFFER_REQUIRE_BROWSER=1``, which also means the front-end is built) a missing
Node/bpmnlint fails instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from lxml import etree

from engine.catalog.check import check_package
from engine.catalog.package import discover, read_from_disk
from engine.operations import default_registry
from engine.settings import PROJECT_ROOT, Settings

SETTINGS = Settings()
SERVICES = discover(SETTINGS)
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
LINT = PROJECT_ROOT / "frontend" / "bin" / "lint-bpmn.mjs"
NODE_MODULES = PROJECT_ROOT / "frontend" / "node_modules"


def test_the_pilot_services_exist() -> None:
    assert {"reisepass", "personalausweis", "anmeldung", "ummeldung", "abmeldung", "meldebescheinigung"} <= set(
        SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_catalog_check_is_clean(service: str) -> None:
    problems = check_package(read_from_disk(service, SETTINGS), default_registry(), SETTINGS)
    assert [str(p) for p in problems] == []


@pytest.mark.parametrize("service", SERVICES)
def test_document_templates_leave_the_heading_to_the_layout(service: str) -> None:
    """The layout writes ``titel`` as the one <h1>; a second heading in the template repeats it."""
    for path in sorted((SETTINGS.processes_dir / service / "documents").glob("*.html.j2")):
        assert "<h1" not in path.read_text(encoding="utf-8"), path.name


@pytest.mark.parametrize("service", SERVICES)
def test_every_flow_element_has_layout(service: str) -> None:
    for name in read_from_disk(service, SETTINGS).bpmn_files():
        root = etree.parse(str(SETTINGS.processes_dir / service / name)).getroot()
        drawn = {el.get("bpmnElement") for el in root.iter(f"{DI}BPMNShape", f"{DI}BPMNEdge")}
        missing = [el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")
                   and el.getparent() is not None and el.getparent().tag == f"{BPMN}process"
                   and etree.QName(el).localname not in ("laneSet", "dataObject", "ioSpecification")
                   and el.get("id") not in drawn]
        assert not missing, f"{name}: no layout for {missing}"


def test_bpmnlint_recommended_rules_pass() -> None:
    node = shutil.which("node")
    if node is None or not NODE_MODULES.is_dir():
        if os.environ.get("AMTSKOFFER_REQUIRE_BROWSER") == "1":
            pytest.fail("node or frontend/node_modules missing (run `make assets`)")
        pytest.skip("node or frontend/node_modules missing")
    files = sorted(str(p) for p in SETTINGS.processes_dir.glob("*/*.bpmn"))
    result = subprocess.run([node, str(LINT), *files], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
