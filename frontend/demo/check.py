"""Browser check of the Amtskoffer front-end bundles in Debian Chromium (Playwright, no browser download).

Run after `npm run build` (frontend/):
    .venv/bin/python frontend/demo/check.py

Serves the repo root on 127.0.0.1 with a strict CSP (frontend/demo/serve.py), opens the demo pages and checks:
  1. designer (modeler.html): import BPMN with spiffworkflow extensions, round trip without edits
     (XML-level and SpiffWorkflow-parser-level), edits through the properties panel (service parameter,
     operation change + undo, form file, condition, correlation, script, decision), form POST of the XML
  2. problems (lint.html): bpmnlint overlays on a disconnected task, server problems as badges + list
  3. viewer (viewer.html): taken path + current position, heat map, legend, text summary
  4. DMN (dmn.html): edit a decision table cell, export, parse the result with SpiffWorkflow
  5. axe-core (web/static/dist/vendor/axe.min.js) on every page; CSP violations are collected and reported
Screenshots: frontend/demo/screenshots/*.png. Exit code 1 if a check fails.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from lxml import etree
from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import start

HERE = Path(__file__).resolve().parent
SHOTS = HERE / "screenshots"
FIXTURES = HERE / "fixtures"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS, "dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}
INIT_SCRIPT = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(
  {directive: e.effectiveDirective, sample: e.sample, source: (e.sourceFile || '').split('/').pop(),
   blocked: e.blockedURI}));
"""

failures: list[str] = []
notes: list[str] = []


def check(condition: object, message: str) -> bool:
    print(("  ok   " if condition else "  FAIL ") + message)
    if not condition:
        failures.append(message)
    return bool(condition)


def shot(page: Page, name: str, **kw) -> None:
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), **kw)
    print(f"  shot {path.relative_to(HERE.parent.parent)}")


# ------------------------------------------------------------------ XML helpers

def canonical(el: etree._Element) -> tuple:
    return (etree.QName(el).localname, tuple(sorted(el.attrib.items())), (el.text or "").strip(),
            tuple(canonical(c) for c in el if isinstance(c.tag, str)))


def spiff_extensions(xml: str) -> dict[str, list[tuple]]:
    """Owner element id -> canonical form of every spiffworkflow:* child of its bpmn:extensionElements."""
    root = etree.fromstring(xml.encode("utf-8"))
    out: dict[str, list[tuple]] = {}
    for ext in root.iter(f"{{{BPMN_NS}}}extensionElements"):
        owner = ext.getparent().get("id")
        items = [canonical(c) for c in ext if isinstance(c.tag, str) and etree.QName(c).namespace == SPIFF_NS]
        if items:
            out[owner] = sorted(items)
    return out


def spiff_specs(bpmn_xml: str, dmn_xml: str) -> dict[str, dict]:
    """Parse with SpiffWorkflow (XSD-validated) and return what the engine reads per task."""
    from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_str(bpmn_xml.encode("utf-8"), "diagram.bpmn")
    parser.add_dmn_str(dmn_xml.encode("utf-8"), "meldefrist.dmn")
    spec = parser.get_spec("Process_Anmeldung")
    result = {}
    for name, ts in spec.task_specs.items():
        if not getattr(ts, "bpmn_id", None):
            continue  # engine-internal specs (BpmnStartTask, end join)
        info = {"extensions": getattr(ts, "extensions", None)}
        for attr in ("operation_name", "operation_params", "result_variable", "script", "prescript", "postscript"):
            if hasattr(ts, attr):
                info[attr] = getattr(ts, attr)
        ev = getattr(ts, "event_definition", None)
        if ev is not None and hasattr(ev, "message_var"):
            info["message"] = {"name": ev.name, "payload": ev.expression, "variable": ev.message_var,
                               "correlations": [(c.name, c.retrieval_expression) for c in ev.process_correlations]}
        elif ev is not None and hasattr(ev, "expression"):
            info["timer"] = ev.expression
        if hasattr(ts, "dmnEngine"):
            info["decision"] = ts.dmnEngine.decision_table.id
        result[name] = info
    return result


# ------------------------------------------------------------------ page helpers

def run_axe(page: Page, name: str) -> None:
    page.add_script_tag(url="/web/static/dist/vendor/axe.min.js")  # same origin: allowed by the CSP
    result = page.evaluate("""async () => {
      const r = await axe.run(document, {resultTypes: ['violations']});
      return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 4).map(n => n.target.join(' '))}));
    }""")
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    for v in result:
        print(f"  axe  {v['impact']:8} {v['id']}: {v['help']}  {v['nodes']}")
    check(not serious, f"axe-core: no serious/critical violations on {name} ({len(result)} total)")


def csp_report(page: Page, name: str) -> None:
    violations = page.evaluate("window.__csp || []")
    kinds: dict[tuple, int] = {}
    for v in violations:
        key = (v["directive"], v["source"] + (f" [{v['sample'][:40]}]" if v["sample"] else ""))
        kinds[key] = kinds.get(key, 0) + 1
    if kinds:
        notes.append(f"CSP on {name}: " + ", ".join(f"{d} from {s} x{n}" for (d, s), n in kinds.items()))
    check(all(d in ("style-src-attr", "style-src-elem") for d, _ in kinds),
          f"CSP: no script/connect/font/img violations on {name} ({sum(kinds.values())} style-attr reports)")


def xml_of(page: Page, instance: str) -> str:
    return page.evaluate(f"() => Amtskoffer.instances['{instance}'].saveXML()")


def select_element(page: Page, element_id: str) -> None:
    page.evaluate(f"() => Amtskoffer.instances.designer.select('{element_id}')")
    page.wait_for_timeout(150)


def fill_entry(page: Page, entry_id: str, value: str) -> None:
    """Type into a properties-panel text entry and wait for the debounced command."""
    field = page.locator(f"#bio-properties-panel-{entry_id}")
    field.fill(value)
    field.press("Tab")
    page.wait_for_timeout(450)


# ------------------------------------------------------------------ checks

def check_designer(page: Page, base: str) -> None:
    print("designer (modeler.html)")
    page.goto(base + "modeler.html")
    page.wait_for_function("window.Amtskoffer && Amtskoffer.instances && Amtskoffer.instances.designer")
    original = (FIXTURES / "meldung.bpmn").read_text(encoding="utf-8")
    dmn = (FIXTURES / "meldefrist.dmn").read_text(encoding="utf-8")
    page.wait_for_timeout(400)
    shot(page, "01-designer-overview")

    titles = page.evaluate("Array.from(document.querySelectorAll('.djs-palette .entry'))"
                           ".map(e => e.getAttribute('aria-label') || e.title)")
    check("Aufgabe anlegen" in titles and "Startereignis anlegen" in titles, f"German palette ({titles[:4]}…)")
    problems = page.evaluate("Amtskoffer.instances.designer.getProblems()")
    check(problems == [], f"valid diagram: no lint/config problems (got {problems})")
    check(page.locator(".ak-problems-title").inner_text().startswith("Befunde: keine"), "problem list says 'keine'")

    # --- round trip without edits
    exported = xml_of(page, "designer")
    check(spiff_extensions(exported) == spiff_extensions(original),
          "round trip: every spiffworkflow:* extension element unchanged (XML level, c14n-like compare)")
    before, after = spiff_specs(original, dmn), spiff_specs(exported, dmn)
    check(before == after, "round trip: SpiffWorkflow parser reads identical task specs (extensions, operator, "
                           "parameters, scripts, messages, correlations, decision)")
    check(after["Task_Register"]["operation_params"] == {
        "familienname": {"value": "familienname", "type": "str"},
        "geburtsdatum": {"value": "geburtsdatum", "type": "date"}}, "service parameters parsed by the engine")
    check(after["Event_Bestaetigung"]["message"]["correlations"] == [("aktenzeichen", "aktenzeichen")],
          "message correlation parsed by the engine")

    # --- service task: panel shows operation, description; add a parameter
    page.click(".djs-element[data-element-id=Task_Register]")
    page.wait_for_timeout(200)
    check(page.locator("#bio-properties-panel-ak-operation").input_value() == "melderegister/suche",
          "Dienstoperation: current operation selected")
    check("Sucht Personen im Melderegister" in page.locator("[data-group-id=group-ak-operation]").inner_text(),
          "Dienstoperation: German description shown")
    fill_entry(page, "ak-param-vornamen", "vornamen")
    xml = xml_of(page, "designer")
    check('<spiffworkflow:parameter id="vornamen" type="str" value="vornamen" />' in xml,
          "edit parameter expression -> spiffworkflow:parameter written")
    shot(page, "02-designer-service-task")

    # --- change operation: incompatible parameters dropped, config check reports missing required ones; undo
    page.select_option("#bio-properties-panel-ak-operation", "xmeld/senden")
    page.wait_for_timeout(500)
    xml = xml_of(page, "designer")
    check('<spiffworkflow:serviceTaskOperator id="xmeld/senden"' in xml and 'id="familienname"' not in xml,
          "change operation -> operator id updated, foreign parameters removed")
    problems = page.evaluate("Amtskoffer.instances.designer.getProblems()")
    missing = sorted(p["message"] for p in problems if p["source"] == "config")
    check(missing == ["Pflichtparameter „empfaenger_ags“ fehlt.", "Pflichtparameter „nachricht“ fehlt."],
          f"config check: required parameters of the new operation reported ({missing})")
    check(page.locator(".djs-overlay-ak-problems .ak-badge").count() >= 1, "problem badge drawn on the element")
    shot(page, "03-designer-operation-changed")
    page.evaluate("Amtskoffer.instances.designer.bpmnjs.get('commandStack').undo()")
    page.evaluate("Amtskoffer.instances.designer.bpmnjs.get('commandStack').undo()")
    page.wait_for_timeout(400)
    xml = xml_of(page, "designer")
    check('id="melderegister/suche"' in xml and 'id="vornamen"' not in xml and 'id="familienname"' in xml,
          "undo x2 restores operator and parameters")

    # --- user task: form files
    page.click(".djs-element[data-element-id=Task_Erfassen]")
    page.wait_for_timeout(200)
    options = page.locator("#bio-properties-panel-ak-form-schema option").all_inner_texts()
    check("Wohnungsgeberbestätigung (wohnungsgeber-schema.json)" in options and
          "meldedaten-uischema.json" not in options, f"Formular: schema list from page config ({options})")
    page.select_option("#bio-properties-panel-ak-form-schema", "wohnungsgeber-schema.json")
    page.select_option("#bio-properties-panel-ak-form-uischema", "wohnungsgeber-uischema.json")
    fill_entry(page, "ak-form-variable", "meldedaten")
    xml = xml_of(page, "designer")
    check('<spiffworkflow:property name="formJsonSchemaFilename" value="wohnungsgeber-schema.json" />' in xml and
          '<spiffworkflow:property name="formUiSchemaFilename" value="wohnungsgeber-uischema.json" />' in xml and
          '<spiffworkflow:property name="sachgebiet" value="Meldewesen" />' in xml,
          "Formular: schema + UI schema written, other properties kept")
    check("<spiffworkflow:variableName>meldedaten</spiffworkflow:variableName>" in xml, "variableName written")
    shot(page, "04-designer-user-task")

    # --- sequence flow condition
    select_element(page, "Flow_Ja")
    fill_entry(page, "ak-condition", "wohnungsgeber_bestaetigung and frist_tage > 0")
    xml = xml_of(page, "designer")
    check("wohnungsgeber_bestaetigung and frist_tage &gt; 0</bpmn:conditionExpression>" in xml,
          "Bedingung: condition expression written")
    shot(page, "05-designer-condition")

    # --- message catch: correlation + variable
    page.click(".djs-element[data-element-id=Event_Bestaetigung]")
    page.wait_for_timeout(200)
    check(page.locator("#bio-properties-panel-ak-message-name").input_value() == "wohnungsgeber_bestaetigung",
          "Nachricht: message name selected")
    page.click("[data-group-id=group-ak-correlation] .bio-properties-panel-collapsible-entry-header")  # expand item
    fill_entry(page, "Event_Bestaetigung-ak-correlation-0-expression", "vorgang['aktenzeichen']")
    fill_entry(page, "ak-message-variable", "wg_bestaetigung")
    xml = xml_of(page, "designer")
    check("<spiffworkflow:expression>vorgang['aktenzeichen']</spiffworkflow:expression>" in xml and
          "<spiffworkflow:messageVariable>wg_bestaetigung</spiffworkflow:messageVariable>" in xml,
          "Nachricht/Korrelation: correlation expression and message variable written")
    shot(page, "06-designer-message")

    # --- script task + pre/post script
    page.click(".djs-element[data-element-id=Task_Gebuehr]")
    page.wait_for_timeout(200)
    fill_entry(page, "ak-script", "gebuehr = 12 if treffer_anzahl else 0")
    fill_entry(page, "ak-postscript", "gebuehr_text = f'{gebuehr} EUR'")
    xml = xml_of(page, "designer")
    check("<bpmn:script>gebuehr = 12 if treffer_anzahl else 0</bpmn:script>" in xml and
          "<spiffworkflow:postScript>gebuehr_text = f'{gebuehr} EUR'</spiffworkflow:postScript>" in xml,
          "Skript: script body and post-script written")
    shot(page, "07-designer-script")

    # --- business rule task: decision
    page.click(".djs-element[data-element-id=Task_Frist]")
    page.wait_for_timeout(200)
    page.select_option("#bio-properties-panel-ak-decision-id", "gebuehr")
    xml = xml_of(page, "designer")
    check("<spiffworkflow:calledDecisionId>gebuehr</spiffworkflow:calledDecisionId>" in xml,
          "Entscheidungstabelle: calledDecisionId written")
    page.select_option("#bio-properties-panel-ak-decision-id", "meldefrist")

    # --- edited diagram still valid for the engine, edits visible to it
    edited = xml_of(page, "designer")
    specs = spiff_specs(edited, dmn)
    check(specs["Task_Erfassen"]["extensions"]["properties"]["formJsonSchemaFilename"] == "wohnungsgeber-schema.json"
          and specs["Task_Gebuehr"]["script"] == "gebuehr = 12 if treffer_anzahl else 0"
          and specs["Event_Bestaetigung"]["message"]["variable"] == "wg_bestaetigung",
          "edited diagram parses with SpiffWorkflow (XSD-validated) and carries the edits")
    (HERE / "screenshots" / "edited.bpmn").write_text(edited, encoding="utf-8")

    # --- editor inside a <form>: Enter in a panel input and library buttons must not submit it
    page.click(".djs-element[data-element-id=Task_Register]")
    page.wait_for_timeout(200)
    page.focus("#bio-properties-panel-ak-result-variable")
    page.keyboard.press("Enter")
    page.click(".bjsl-button")  # bpmnlint toggle (a <button> without type) twice
    page.click(".bjsl-button")
    page.wait_for_timeout(500)
    check(page.url.endswith("modeler.html"), "Enter in a panel input / lint toggle button do not submit the form")

    # --- plain form POST carries the current XML (textarea kept in sync, no page JS needed)
    check(page.evaluate("Amtskoffer.instances.designer.isDirty()") is True, "isDirty() after edits")
    page.wait_for_timeout(400)
    with page.expect_navigation():
        page.click("#save")
    posted = json.loads(page.locator("body").inner_text())
    check("wg_bestaetigung" in posted.get("bpmn_xml", ""), "form submit posts the edited XML (bpmn_xml field)")


def check_problems(page: Page, base: str) -> None:
    print("problems (lint.html)")
    page.goto(base + "lint.html")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_timeout(500)
    lint_ids = page.evaluate("""Array.from(document.querySelectorAll('.djs-overlay-linting'))
        .map(o => o.closest('[data-container-id]').dataset.containerId)""")
    check("Task_Lose" in lint_ids, f"bpmnlint overlay on the disconnected task ({lint_ids})")
    problems = page.evaluate("demoModeler.getProblems()")
    rules = {p.get("rule") for p in problems if p["source"] == "lint"}
    check({"no-disconnected", "no-implicit-start", "no-implicit-end"} <= rules, f"lint rules reported ({rules})")
    server = [p for p in problems if p["source"] == "server"]
    check(len(server) == 3, "showProblems: 3 server problems in the list")
    check(any(p["message"].startswith("Skriptfehler im Vorab-Skript") and p["location"] == "abmeldung.bpmn:12"
              and p["rule"] == "script-error" for p in server),
          "engine Problem dict accepted (element_id, user_message preferred, code, file:line)")
    check(any(p["source"] == "config" and "geburtsdatum" in p["message"] for p in problems),
          "config check: missing required parameter on the loose service task")
    badges = page.evaluate("""Array.from(document.querySelectorAll('.djs-overlay-ak-problems'))
        .map(o => o.closest('[data-container-id]').dataset.containerId).sort()""")
    check(badges == ["Flow_2", "Task_Lose", "Task_Pruefen"], f"badges on Task_Pruefen, Flow_2, Task_Lose ({badges})")
    shot(page, "08-problems", full_page=True)
    page.hover(".djs-overlay-ak-problems [data-x]" if False else
               "[data-container-id=Task_Pruefen] .djs-overlay-ak-problems .ak-badge")
    page.wait_for_timeout(200)
    check(page.locator("[data-container-id=Task_Pruefen] .ak-badge-details").is_visible(), "badge details on hover")
    shot(page, "09-problems-badge-hover", clip={"x": 0, "y": 0, "width": 1100, "height": 600})
    page.click(".ak-problem-button[data-element-id=Task_Lose] >> nth=0")
    page.wait_for_timeout(300)
    check(page.locator(".bio-properties-panel-header-label").inner_text().strip() == "Vergessene Registerabfrage",
          "click in the problem list selects the element (panel shows it)")
    # import warnings (an unknown spiffworkflow element would be lost) are listed as problems
    broken = (FIXTURES / "broken.bpmn").read_text(encoding="utf-8").replace(
        "<spiffworkflow:serviceTaskOperator",
        "<spiffworkflow:fooBar>x</spiffworkflow:fooBar><spiffworkflow:serviceTaskOperator")
    result = page.evaluate("(xml) => demoModeler.importXML(xml)", broken)
    page.wait_for_timeout(300)
    imported = [p for p in page.evaluate("demoModeler.getProblems()") if p["source"] == "import"]
    check(len(result["warnings"]) == 1 and len(imported) == 1 and "spiffworkflow:fooBar" in imported[0]["message"],
          f"import warning for an unknown extension element is listed ({imported[:1]})")
    check(not any(p["source"] == "server" for p in page.evaluate("demoModeler.getProblems()")),
          "importXML clears server problems of the previous diagram")
    page.evaluate("demoModeler.showProblems([{elementId: 'Task_Pruefen', message: 'x', severity: 'warn'}])")
    page.evaluate("demoModeler.clearProblems()")
    page.wait_for_timeout(100)
    check(not any(p["source"] == "server" for p in page.evaluate("demoModeler.getProblems()")), "clearProblems()")
    # setConfig: a registry without the operation turns it into a config error
    page.evaluate("demoModeler.setConfig({operations: [{id: 'xmeld/senden', params: []}]})")
    page.wait_for_timeout(200)
    msgs = [p["message"] for p in page.evaluate("demoModeler.getProblems()") if p["source"] == "config"]
    check("Operation „melderegister/suche“ ist nicht im Register." in msgs,
          "setConfig() re-runs the configuration checks")
    run_axe(page, "lint.html")
    csp_report(page, "lint.html")
    # createDiagram / emptyDiagram
    page.evaluate("demoModeler.createDiagram({processId: 'Process_Neu', name: 'Neuer Ablauf'})")
    page.wait_for_timeout(200)
    xml = page.evaluate("demoModeler.saveXML()")
    check('<bpmn:process id="Process_Neu" name="Neuer Ablauf" isExecutable="true">' in xml,
          "createDiagram(): empty executable process (unused namespaces are dropped on export by bpmn-js)")


def check_viewer(page: Page, base: str) -> None:
    print("viewer (viewer.html)")
    page.goto(base + "viewer.html")
    page.wait_for_function("Amtskoffer.instances && Amtskoffer.instances['path-viewer']"
                           " && Amtskoffer.instances['heat-viewer']")
    page.wait_for_timeout(400)
    marked = page.evaluate("""(() => {
      const ids = (sel) => Array.from(document.querySelectorAll('#path-viewer ' + sel))
        .map(e => e.dataset.elementId).sort();
      return {visited: ids('.djs-element.ak-visited'), current: ids('.djs-element.ak-current')};
    })()""")
    check({"Flow_1", "Flow_2", "Flow_3", "Flow_4", "Flow_Nein", "Flow_7"} <= set(marked["visited"])
          and "Flow_Ja" not in marked["visited"] and "Task_Frist" not in marked["visited"],
          f"path: visited nodes + flows between them, not the untaken branch ({marked['visited']})")
    check(marked["current"] == ["Event_Bestaetigung"], "path: current position marked")
    check(page.locator("#path-viewer .ak-current-badge").inner_text() == "aktuell", "current position has a text badge")
    figure = page.locator("#path-viewer [role=figure]")
    check(figure.get_attribute("aria-label") == "Verlauf des Vorgangs MA-2026-0042", "viewer: role=figure + aria-label")
    summary = page.locator("#path-viewer .ak-visually-hidden").inner_text()
    check("Aktuelle Position: Bestätigung eingegangen." in summary,
          f"text summary for screen readers ({summary[:80]}…)")
    legend = page.locator("#path-viewer .ak-legend").inner_text()
    check("Durchlaufen" in legend and "Aktuelle Position" in legend, "text legend for the path")
    heat = page.evaluate("""Array.from(document.querySelectorAll('#heat-viewer .djs-element[class*=ak-heat-]'))
        .map(e => e.dataset.elementId + ':' + [...e.classList].find(c => c.startsWith('ak-heat-')))""")
    check("Start_Antrag:ak-heat-5" in heat and "Timer_Frist:ak-heat-1" in heat and "Flow_Ja:ak-heat-5" in heat,
          f"heat: levels by passed count ({len(heat)} elements)")
    badge = page.locator("#heat-viewer [data-container-id=Timer_Frist] .ak-heat-badge").inner_text()
    check("53×" in badge and "12 wartend" in badge and "14 Tage" in badge, f"heat badge text ({badge!r})")
    check("330–412" in page.locator("#heat-viewer .ak-legend").inner_text(), "heat legend with count ranges")
    shot(page, "10-viewer", full_page=True)
    page.click("#path-viewer .ak-zoom-button >> nth=0")
    page.evaluate("Amtskoffer.instances['path-viewer'].fit()")
    run_axe(page, "viewer.html")
    csp_report(page, "viewer.html")


def check_dmn(page: Page, base: str) -> None:
    print("DMN (dmn.html)")
    page.goto(base + "dmn.html")
    page.wait_for_function("Amtskoffer.instances && Amtskoffer.instances['dmn-editor']"
                           " && Amtskoffer.instances['dmn-viewer']")
    page.wait_for_timeout(400)
    check("Trefferrichtlinie" in page.locator("#dmn-editor").inner_text(), "German labels in the decision table")
    cell = page.locator("#dmn-editor td[data-row-id=Rule_3][data-col-id=Output_Tage] [contenteditable]")
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("30")
    page.keyboard.press("Tab")
    page.wait_for_timeout(500)
    xml = xml_of(page, "dmn-editor")
    check('<outputEntry id="LiteralExpression_3">\n          <text>30</text>' in xml,
          "edit output cell -> exported DMN")
    check("<text>30</text>" in page.locator("#dmn-xml").input_value(), "textarea kept in sync for form POST")
    check(page.evaluate("Amtskoffer.instances['dmn-editor'].isDirty()") is True, "DMN isDirty()")
    check(page.locator("#dmn-viewer [contenteditable=true]").count() == 0, "viewer variant is read-only")
    bpmn = (FIXTURES / "meldung.bpmn").read_text(encoding="utf-8")
    specs = spiff_specs(bpmn, xml)
    rules = specs["Task_Frist"]
    check(rules.get("decision") == "DecisionTable_Meldefrist", "edited DMN parses with SpiffWorkflow")
    (HERE / "screenshots" / "edited.dmn").write_text(xml, encoding="utf-8")
    shot(page, "11-dmn", full_page=True)
    run_axe(page, "dmn.html")
    csp_report(page, "dmn.html")


def main() -> int:
    SHOTS.mkdir(exist_ok=True)
    server = start()
    base = f"http://127.0.0.1:{server.server_port}/frontend/demo/"
    started = time.monotonic()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for fn in (check_designer, check_problems, check_viewer, check_dmn):
            page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="de-DE")
            page.add_init_script(INIT_SCRIPT)
            errors: list[str] = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            try:
                fn(page, base)
            except Exception as exc:  # a crash in one page should not hide the others
                check(False, f"{fn.__name__} crashed: {exc!r}")
                shot(page, f"crash-{fn.__name__}")
            check(not errors, f"no uncaught page errors in {fn.__name__} {errors[:2]}")
            if fn is check_designer:
                # the designer page navigated to the POST echo; re-open it for axe + CSP
                page.goto(base + "modeler.html")
                page.wait_for_function("window.Amtskoffer && Amtskoffer.instances && Amtskoffer.instances.designer")
                page.click(".djs-element[data-element-id=Task_Register]")
                run_axe(page, "modeler.html")
                csp_report(page, "modeler.html")
            page.close()
        browser.close()
    server.shutdown()
    print(f"\n{len(failures)} failure(s) in {time.monotonic() - started:.1f} s")
    for n in notes:
        print("note:", n)
    for f in failures:
        print("FAILED:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
