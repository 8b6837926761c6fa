"""Element-level diff between two package versions (pure)."""

from __future__ import annotations

import json
import re

from lxml import etree

from engine.catalog.package import PackageFiles
from engine.designer.diff import as_dict, changed_elements_by_file, diff_packages
from tests.engine.designer.conftest import SPIFF_MODEL, fixture_package


def changed(base: PackageFiles, **replacements: tuple[str, str]) -> PackageFiles:
    """``base`` with text replacements per file: file=(old, new); each old text must occur."""
    files = dict(base.files)
    for key, (old, new) in replacements.items():
        name = key.replace("__", "/").replace("_DOT_", ".")
        assert old in files[name], (name, old)
        files[name] = files[name].replace(old, new)
    return PackageFiles(base.service_id, files)


def by_id(diff):  # type: ignore[no-untyped-def]
    return {e.element_id: e for e in diff.elements}


def test_identical_packages_have_no_differences() -> None:
    base = fixture_package("beispiel")
    diff = diff_packages(base, PackageFiles(base.service_id, dict(base.files)))
    assert diff.identical and diff.elements == () and diff.files == () and diff.manifest == ()
    assert diff.summary_de() == "Keine Änderungen."


def test_each_kind_of_change_is_named_with_before_and_after() -> None:
    base = fixture_package("beispiel")
    new = changed(
        base,
        beispiel_DOT_bpmn=("name=\"Alter berechnen\"", "name=\"Alter ermitteln\""),
        gebuehr_DOT_dmn=('Decimal("20.00")', 'Decimal("25.00")'),
    )
    new = changed(new, beispiel_DOT_bpmn=("dringend == True", "dringend is True"))
    new = changed(new, beispiel_DOT_bpmn=("value=\"'13072085'\"", "value=\"'13072074'\""))
    new = changed(new, beispiel_DOT_bpmn=("<bpmn:script>verfallen = True", "<bpmn:script>verfallen = True\nx = 1"))
    new = changed(new, beispiel_DOT_bpmn=('value="abholung.schema.json"', 'value="abholung2.schema.json"'))
    new = changed(new, service_DOT_toml=('category = "Test"', 'category = "Probe"'))
    new = changed(new, forms__antrag_DOT_schema_DOT_json=('"title": "Name"', '"title": "Familienname"'))
    diff = diff_packages(base, new)
    els = by_id(diff)
    assert set(els) == {"alter_berechnen", "r2", "f_dringend", "zustaendigkeit_pruefen", "verfall_vermerken",
                        "abholung"}
    assert all(e.kind == "changed" for e in diff.elements)
    [name] = els["alter_berechnen"].changes
    assert (name.field, name.before, name.after, name.label_de) == ("name", "Alter berechnen", "Alter ermitteln", "Name")
    [rule] = els["r2"].changes
    assert (rule.field, rule.before, rule.after) == ("results", ['Decimal("20.00")'], ['Decimal("25.00")'])
    assert els["r2"].file == "gebuehr.dmn" and els["r2"].tag == "rule" and els["r2"].name == "Testregel 2: ab 24"
    [cond] = els["f_dringend"].changes
    assert (cond.field, cond.before, cond.after) == ("condition", "dringend == True", "dringend is True")
    [params] = els["zustaendigkeit_pruefen"].changes
    assert params.field == "parameters" and params.after == {"ags": "'13072074'"}
    [script] = els["verfall_vermerken"].changes
    assert script.field == "script" and script.after == "verfallen = True\nx = 1"
    [props] = els["abholung"].changes
    assert props.field == "properties" and props.after == {"formJsonSchemaFilename": "abholung2.schema.json"}
    assert [(c.field, c.before, c.after, c.label_de) for c in diff.manifest] == [
        ("category", "Test", "Probe", "Kategorie")]
    [form] = diff.files
    assert form.path == "forms/antrag.schema.json" and form.kind == "changed"
    assert '-    "name": {"type": "string", "title": "Name"' in form.diff
    assert '+    "name": {"type": "string", "title": "Familienname"' in form.diff
    # The process holding the changed tasks is not itself reported as changed.
    assert "beispiel" not in els
    assert diff.summary_de() == "6 Elemente geändert; 1 Angaben in service.toml geändert; 1 Dateien geändert."
    json.dumps(as_dict(diff))  # JSON-ready for the page


def test_added_and_removed_elements_and_the_operator() -> None:
    base = fixture_package("beispiel")
    new = changed(base, beispiel_DOT_bpmn=(
        '<bpmn:scriptTask id="verfall_vermerken" name="Verfall vermerken">\n'
        '      <bpmn:incoming>f9</bpmn:incoming><bpmn:outgoing>f10</bpmn:outgoing>\n'
        '      <bpmn:script>verfallen = True</bpmn:script>\n'
        '    </bpmn:scriptTask>',
        '<bpmn:manualTask id="verfall_melden" name="Verfall melden">\n'
        '      <bpmn:incoming>f9</bpmn:incoming><bpmn:outgoing>f10</bpmn:outgoing>\n'
        '    </bpmn:manualTask>'))
    new = changed(new, beispiel_DOT_bpmn=('sourceRef="verfall_vermerken"', 'sourceRef="verfall_melden"'))
    new = changed(new, beispiel_DOT_bpmn=('targetRef="verfall_vermerken"', 'targetRef="verfall_melden"'))
    new = changed(new, beispiel_DOT_bpmn=('id="authority.competent_for"', 'id="case.find_open"'))
    diff = diff_packages(base, new)
    els = by_id(diff)
    assert els["verfall_vermerken"].kind == "removed" and els["verfall_vermerken"].tag == "scriptTask"
    assert els["verfall_melden"].kind == "added" and els["verfall_melden"].tag == "manualTask"
    assert [(c.field, c.before, c.after) for c in els["f9"].changes] == [
        ("connection", "nicht_abgeholt → verfall_vermerken", "nicht_abgeholt → verfall_melden")]
    assert [c.field for c in els["zustaendigkeit_pruefen"].changes] == ["operator"]
    assert els["zustaendigkeit_pruefen"].changes[0].after == "case.find_open → zustaendigkeit"
    assert diff.marks()["verfall_melden"] == "added"
    assert changed_elements_by_file(diff)["beispiel.bpmn"]["verfall_vermerken"] == "removed"


def test_reformatted_xml_is_not_a_change_but_moved_shapes_are_layout() -> None:
    files = {p.name: p.read_text(encoding="utf-8") for p in SPIFF_MODEL.iterdir() if p.suffix == ".bpmn"}
    base = PackageFiles("m", {"service.toml": 'id = "m"\n', **files})
    name = next(iter(files))
    doc = etree.fromstring(files[name].encode())
    for el in doc.iter():  # an editor that writes attributes in another order and without indentation
        if isinstance(el.tag, str):
            items = sorted(el.attrib.items(), reverse=True)
            el.attrib.clear()
            el.attrib.update(items)
            el.tail = None if el.getparent() is not None else el.tail
    reformatted = etree.tostring(doc, encoding="unicode")
    diff = diff_packages(base, PackageFiles("m", {**base.files, name: reformatted}))
    assert not diff.identical
    assert diff.elements == () and diff.layout_changed == () and diff.files == ()
    assert diff.summary_de() == "Keine inhaltlichen Änderungen."

    moved = re.sub(r'(<bpmndi:BPMNShape id="Activity_angaben_di"[^>]*>\s*<dc:Bounds x=")(\d+)',
                   lambda m: m.group(1) + str(int(m.group(2)) + 40), files[name], count=1)
    assert moved != files[name]
    diff = diff_packages(base, PackageFiles("m", {**base.files, name: moved}))
    assert diff.elements == () and diff.layout_changed == (name,)
    assert diff.summary_de() == "nur das Layout geändert."


def test_files_added_and_removed_as_files() -> None:
    base = fixture_package("familie")
    files = dict(base.files)
    del files["documents/quittung.html.j2"]
    files["tests/neu.yaml"] = "name: x\n"
    diff = diff_packages(base, PackageFiles("familie", files))
    assert [(f.path, f.kind) for f in diff.files] == [("documents/quittung.html.j2", "removed"),
                                                      ("tests/neu.yaml", "added")]
    assert diff.elements == ()
