"""The catalog check: everything wrong with a package, found before anything runs.

Reports every problem it can find (not only the first) with file, line and element id:
manifest, XML syntax, BPMN/DMN schema, SpiffWorkflow's semantic checks, forms, scripts,
conditions and decision cells compiled in the restricted environment, service operations and
their parameters, timers, message correlation, call activities, document templates, and the
size limits SpiffWorkflow can handle. Publishing refuses a package with errors; warnings are
shown but do not block.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.catalog.compiled import BPMN_NS, index_elements
from engine.catalog.package import FORMS_PREFIX, PackageFiles, parse_manifest
from engine.catalog.problems import Problem
from engine.formatting import FILTERS
from engine.forms import dynamic
from engine.forms.definition import check_form
from engine.operations.registry import CheckEnv, OperationRegistry
from engine.runtime.bpmn import AGGREGATIONS, SUPPORTED_HIT_POLICIES, Parser, xml_parser
from engine.runtime.helpers import HELPER_NAMES
from engine.runtime.sandbox import check_source
from engine.settings import Settings

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
B = f"{{{BPMN_NS}}}"
S = f"{{{SPIFF_NS}}}"
FLOW_NODES = {
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "businessRuleTask", "sendTask",
    "receiveTask", "callActivity", "subProcess", "startEvent", "endEvent", "intermediateCatchEvent",
    "intermediateThrowEvent", "boundaryEvent", "exclusiveGateway", "parallelGateway",
    "inclusiveGateway", "eventBasedGateway",
}
TASKS_WITH_SCRIPTS = FLOW_NODES - {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway"}


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, code: str, file: str, message: str, user_message: str, *, line: int | None = None,
            element_id: str | None = None, severity: str = "error") -> None:
        self.problems.append(Problem(code=code, file=file, message=message, user_message=user_message,
                                     line=line, element_id=element_id, severity=severity))


def _line_of(el: Any, offset: int | None) -> int | None:
    if offset is None or el.sourceline is None:
        return el.sourceline
    return el.sourceline + max(offset - 1, 0)


def _check_code(c: _Collector, file: str, el: Any, source: str | None, mode: str, what_de: str) -> None:
    if source is None or not source.strip():
        if mode == "eval":
            c.add("empty-expression", file, f"empty {mode} code", f"{what_de} ist leer.",
                  line=el.sourceline, element_id=_owner_id(el))
        return
    for p in check_source(source.strip() if mode == "eval" else source, mode):  # type: ignore[arg-type]
        c.add("script-compile", file, p.message, f"{what_de}: {p.user_message}",
              line=_line_of(el, p.line), element_id=_owner_id(el))


def _owner_id(el: Any) -> str | None:
    """The id of the nearest element (itself or an ancestor) that has one."""
    node = el
    while node is not None:
        if node.get("id"):
            return node.get("id")
        node = node.getparent()
    return None


def _literal(expr: str) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(expr.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False, None


def _properties(el: Any) -> dict[str, str]:
    return {p.get("name"): p.get("value") or "" for p in el.iterfind(f"{B}extensionElements/{S}properties/{S}property")}


def check_package(files: PackageFiles, registry: OperationRegistry, settings: Settings) -> list[Problem]:
    """All problems of ``files``; an empty list means the package may be published."""
    c = _Collector()
    manifest, problems = parse_manifest(files)
    c.problems.extend(problems)
    docs: dict[str, Any] = {}
    for name in files.bpmn_files():
        doc = _parse_xml(c, name, files.files[name])
        if doc is not None:
            docs[name] = doc
    dmn_docs = {}
    for name in files.dmn_files():
        doc = _parse_xml(c, name, files.files[name])
        if doc is not None:
            dmn_docs[name] = doc
            _check_dmn(c, name, doc)
    if not files.bpmn_files():
        c.add("bpmn-missing", "service.toml", "package has no BPMN file", "Das Verfahren enthält kein BPMN-Diagramm.")

    decisions = {d.get("id"): name for name, doc in dmn_docs.items() for d in doc.iter("{*}decision")}
    process_ids = {p.get("id"): name for name, doc in docs.items() for p in doc.iter(f"{B}process")}
    used_forms: set[str] = set()
    for name, doc in docs.items():
        _check_bpmn(c, name, doc, files, registry, settings, decisions, process_ids, used_forms)

    if manifest is not None and manifest.entry_process not in process_ids and docs:
        c.add("entry-process", "service.toml", f"entry process {manifest.entry_process} not found",
              f"Der Startprozess „{manifest.entry_process}“ ist in keinem Diagramm definiert "
              f"(vorhanden: {', '.join(sorted(process_ids)) or 'keiner'}).")

    # SpiffWorkflow's own parse: schema and semantic errors (it stops at the first).
    if docs and not any(p.code in ("xml-syntax",) for p in c.problems):
        _spiff_parse(c, files, docs, dmn_docs, manifest.entry_process if manifest else None)

    for path in sorted(p for p in files.files if p.startswith(FORMS_PREFIX) and p.endswith(".schema.json")):
        if path[len(FORMS_PREFIX):] not in used_forms:
            c.add("form-unused", path, "form is not used by any user task",
                  "Dieses Formular wird von keiner Benutzeraufgabe verwendet.", severity="warning")
    return c.problems


def _parse_xml(c: _Collector, name: str, text: str) -> Any:
    try:
        return etree.fromstring(text.encode("utf-8"), xml_parser())
    except etree.XMLSyntaxError as err:
        c.add("xml-syntax", name, str(err), f"Die Datei ist kein wohlgeformtes XML: {err.msg}", line=err.lineno)
        return None


def _spiff_parse(c: _Collector, files: PackageFiles, docs: dict[str, Any], dmn_docs: dict[str, Any],
                 entry: str | None) -> None:
    index = index_elements(files)
    parser = Parser()
    current = ""
    try:
        for name in sorted(dmn_docs):
            current = name
            parser.add_dmn_xml(dmn_docs[name], name)
        for name in sorted(docs):
            current = name
            parser.add_bpmn_xml(docs[name], name)
        current = ""
        ids = parser.get_process_ids()
        for pid in ([entry] if entry in ids else []) + [p for p in ids if p != entry]:
            parser.get_spec(pid)
    except ValidationException as err:
        element = getattr(err, "id", "") or None
        info = index.get(element) if element else None
        line = err.line_number if isinstance(err.line_number, int) else (info.line if info else None)
        file = err.file_name or (info.file if info else current) or "?"
        kind = "bpmn-schema" if not element and line else "bpmn-semantic"
        c.add(kind, file, str(err), _german_spiff_error(str(err)), line=line, element_id=element)
    except RecursionError as err:
        c.add("too-large", current or "?", f"recursion while parsing: {err}",
              "Der Prozess ist zu lang verkettet; bitte in Teilprozesse (Aufrufaktivitäten) gliedern.")
    except Exception as err:  # SpiffWorkflow raises assorted errors for broken input
        c.add("bpmn-semantic", current or "?", f"{err.__class__.__name__}: {err}",
              f"Das Diagramm lässt sich nicht verarbeiten: {err}")


_SPIFF_DE = [
    (r"No start event found", "Der Prozess hat kein Startereignis."),
    (r"Multiple outgoing flows are not supported", "Eine Aufgabe darf nur einen ausgehenden Fluss haben; "
                                                   "verwenden Sie ein Gateway."),
    (r"we found two items, perhaps a form has the same ID", "Ein Sequenzfluss verweist auf ein Element, "
                                                             "das es nicht gibt."),
    (r"A Service Task must have an operator", "Die Serviceaufgabe nennt keine Dienstoperation."),
    (r"No DMN Diagram available with id", "Die aufgerufene Entscheidungstabelle gibt es nicht."),
    (r"The process '(.+)' was not found", "Der aufgerufene Prozess „\\1“ wurde nicht gefunden."),
    (r"Duplicate process ID", "Eine Prozess-ID ist doppelt vergeben."),
]


def _german_spiff_error(text: str) -> str:
    for pattern, german in _SPIFF_DE:
        m = re.search(pattern, text)
        if m:
            return m.expand(german)
    return f"Das Diagramm verletzt das BPMN-Schema oder die Regeln der Engine: {text}"


def _check_bpmn(c: _Collector, file: str, doc: Any, files: PackageFiles, registry: OperationRegistry,
                settings: Settings, decisions: dict[str, str], process_ids: dict[str, str],
                used_forms: set[str]) -> None:
    for process in doc.iter(f"{B}process"):
        nodes = [el for el in process.iter() if isinstance(el.tag, str) and etree.QName(el).localname in FLOW_NODES]
        if len(nodes) > settings.max_elements_per_process:
            c.add("too-large", file, f"process {process.get('id')} has {len(nodes)} elements",
                  f"Der Prozess hat {len(nodes)} Elemente; erlaubt sind höchstens "
                  f"{settings.max_elements_per_process}. Bitte in Teilprozesse gliedern.",
                  line=process.sourceline, element_id=process.get("id"))
    messages = {m.get("id"): m for m in doc.iter(f"{B}message")}
    correlated_messages = {
        e.get("messageRef")
        for e in doc.iter(f"{B}correlationPropertyRetrievalExpression")
    }
    flows = {f.get("id"): f for f in doc.iter(f"{B}sequenceFlow")}
    for el in doc.iter():
        if not isinstance(el.tag, str) or etree.QName(el).namespace != BPMN_NS:
            continue
        kind = etree.QName(el).localname
        el_id = el.get("id")
        label = el.get("name") or el_id
        if kind in TASKS_WITH_SCRIPTS:
            for script_tag, what in (("preScript", "Vorab-Skript"), ("postScript", "Nachher-Skript")):
                for s in el.iterfind(f"{B}extensionElements/{S}{script_tag}"):
                    _check_code(c, file, s, s.text, "exec", f"{what} von „{label}“")
            for instr in el.iterfind(f"{B}extensionElements/{S}instructionsForEndUser"):
                _check_template(c, file, instr, instr.text or "", label)
        if kind == "userTask":
            _check_user_task(c, file, el, files, used_forms, label)
        elif kind == "scriptTask":
            script = el.find(f"{B}script")
            _check_code(c, file, script if script is not None else el, script.text if script is not None else None,
                        "exec", f"Skript „{label}“")
            if script is None or not (script.text or "").strip():
                c.add("empty-script", file, "script task without script", f"Die Skriptaufgabe „{label}“ ist leer.",
                      line=el.sourceline, element_id=el_id)
        elif kind == "serviceTask":
            _check_service_task(c, file, el, registry, settings, files, label)
        elif kind == "businessRuleTask":
            ref = el.find(f"{B}extensionElements/{S}calledDecisionId")
            ref_id = (ref.text or "").strip() if ref is not None else ""
            if not ref_id:
                c.add("decision-missing", file, "business rule task without calledDecisionId",
                      f"Die Regelaufgabe „{label}“ nennt keine Entscheidungstabelle.",
                      line=el.sourceline, element_id=el_id)
            elif ref_id not in decisions:
                c.add("decision-missing", file, f"decision {ref_id} not found",
                      f"Die Entscheidungstabelle „{ref_id}“ gibt es im Verfahren nicht "
                      f"(vorhanden: {', '.join(sorted(decisions)) or 'keine'}).",
                      line=el.sourceline, element_id=el_id)
        elif kind == "callActivity":
            target = el.get("calledElement")
            if target not in process_ids:
                c.add("call-target", file, f"called process {target} not found",
                      f"Die Aufrufaktivität „{label}“ ruft den unbekannten Prozess „{target}“ auf.",
                      line=el.sourceline, element_id=el_id)
        elif kind == "sequenceFlow":
            cond = el.find(f"{B}conditionExpression")
            if cond is not None:
                _check_code(c, file, cond, cond.text, "eval", f"Bedingung am Fluss „{label}“")
        elif kind in ("exclusiveGateway", "inclusiveGateway"):
            outgoing = [flows.get((o.text or "").strip()) for o in el.iterfind(f"{B}outgoing")]
            if len(outgoing) > 1:
                default = el.get("default")
                for flow in outgoing:
                    if flow is not None and flow.get("id") != default and flow.find(f"{B}conditionExpression") is None:
                        c.add("condition-missing", file, f"flow {flow.get('id')} from gateway has no condition",
                              f"Der Fluss „{flow.get('name') or flow.get('id')}“ aus dem Gateway „{label}“ hat "
                              "weder eine Bedingung noch ist er der Standardfluss.",
                              line=flow.sourceline, element_id=flow.get("id"))
        elif kind == "timerEventDefinition":
            _check_timer(c, file, el)
        elif kind == "messageEventDefinition":
            _check_message_event(c, file, el, messages, correlated_messages)
        elif kind == "receiveTask":
            c.add("unsupported", file, "receive tasks are not supported",
                  "Empfangsaufgaben werden nicht unterstützt; verwenden Sie ein Nachrichten-Zwischenereignis.",
                  line=el.sourceline, element_id=el_id)


def _check_template(c: _Collector, file: str, el: Any, text: str, label: str) -> None:
    try:
        env = SandboxedEnvironment()
        env.filters.update(FILTERS)
        env.from_string(text)  # compiles: also unknown filters are found here
    except jinja2.TemplateSyntaxError as err:
        c.add("template-syntax", file, str(err), f"Die Anweisungen von „{label}“ enthalten einen "
              f"Vorlagenfehler: {err.message}", line=_line_of(el, err.lineno), element_id=_owner_id(el))


def _check_user_task(c: _Collector, file: str, el: Any, files: PackageFiles, used_forms: set[str],
                     label: str) -> None:
    props = _properties(el)
    schema_name = props.get("formJsonSchemaFilename")
    el_id = el.get("id")
    if not schema_name:
        c.add("form-missing", file, "user task without formJsonSchemaFilename",
              f"Die Benutzeraufgabe „{label}“ nennt kein Formular (formJsonSchemaFilename).",
              line=el.sourceline, element_id=el_id)
        return
    used_forms.add(schema_name)
    schema_path = FORMS_PREFIX + schema_name
    ui_name = props.get("formUiSchemaFilename")
    ui_path = FORMS_PREFIX + ui_name if ui_name else None
    if schema_path not in files.files:
        c.add("form-missing", file, f"form file {schema_name} not found",
              f"Das Formular „{schema_name}“ der Benutzeraufgabe „{label}“ fehlt im Ordner forms/.",
              line=el.sourceline, element_id=el_id)
        return
    if ui_path and ui_path not in files.files:
        c.add("form-missing", file, f"UI schema {ui_name} not found",
              f"Das UI-Schema „{ui_name}“ der Benutzeraufgabe „{label}“ fehlt im Ordner forms/.",
              line=el.sourceline, element_id=el_id)
        ui_path = None
    for pointer, text in _dynamic_option_problems(files.files[schema_path]):
        if not any((p.file, p.element_id, p.user_message) == (schema_path, pointer, text) for p in c.problems):
            c.add("form-invalid", schema_path, f"x-options-from at {pointer}: {text}", text, element_id=pointer)
    for fp in check_form(files.files[schema_path], files.files.get(ui_path) if ui_path else None,
                         schema_file=schema_path, ui_file=ui_path, reserved=HELPER_NAMES):
        key = (fp.file, fp.pointer, fp.message)
        if any((p.file, p.element_id, p.message) == key for p in c.problems):
            continue  # the same form used by several tasks is reported once
        c.add("form-invalid", fp.file, fp.message, fp.user_message, line=fp.line, element_id=fp.pointer)


def _dynamic_option_problems(schema_text: str) -> list[tuple[str, str]]:
    try:
        schema = json.loads(schema_text)
    except ValueError:
        return []  # reported by the form check
    found: list[tuple[str, str]] = []

    def walk(node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            if dynamic.KEYWORD in node:
                found.extend((pointer or "/", text) for text in dynamic.problems(node[dynamic.KEYWORD]))
            for key, value in node.items():
                walk(value, f"{pointer}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{pointer}/{i}")

    walk(schema, "")
    return found


def _check_service_task(c: _Collector, file: str, el: Any, registry: OperationRegistry, settings: Settings,
                        files: PackageFiles, label: str) -> None:
    el_id = el.get("id")
    op_el = el.find(f"{B}extensionElements/{S}serviceTaskOperator")
    if op_el is None:
        c.add("operation-missing", file, "service task without operator",
              f"Die Serviceaufgabe „{label}“ nennt keine Dienstoperation.", line=el.sourceline, element_id=el_id)
        return
    op_id = op_el.get("id") or ""
    op = registry.get(op_id)
    if op is None:
        known = sorted(o.id for o in registry)
        near = [k for k in known if k.split(".")[0] == op_id.split(".")[0]] or known[:8]
        c.add("unknown-operation", file, f"unknown operation {op_id!r}",
              f"Die Dienstoperation „{op_id}“ gibt es nicht. Meinten Sie: {', '.join(near)}?",
              line=op_el.sourceline, element_id=el_id)
        return
    given: dict[str, Any] = {}
    literals: dict[str, Any] = {}
    for p in op_el.iterfind(f"{S}parameters/{S}parameter"):
        name, value = p.get("id") or "", p.get("value")
        if op.param(name) is None:
            c.add("operation-parameter", file, f"{op_id}: unknown parameter {name}",
                  f"Die Dienstoperation „{op_id}“ hat keinen Parameter „{name}“ "
                  f"(erlaubt: {', '.join(x.name for x in op.params)}).", line=p.sourceline, element_id=el_id)
            continue
        if name in given:
            c.add("operation-parameter", file, f"{op_id}: parameter {name} given twice",
                  f"Der Parameter „{name}“ ist doppelt angegeben.", line=p.sourceline, element_id=el_id)
        given[name] = p
        if value is None or not value.strip():
            c.add("operation-parameter", file, f"{op_id}: parameter {name} has no value",
                  f"Der Parameter „{name}“ hat keinen Wert (ein Python-Ausdruck, Texte in Anführungszeichen).",
                  line=p.sourceline, element_id=el_id)
            continue
        _check_code(c, file, p, value, "eval", f"Parameter „{name}“ von „{label}“")
        is_lit, lit = _literal(value)
        if is_lit:
            literals[name] = lit
            spec = op.param(name)
            if spec is not None and not spec.accepts(lit):
                expected = spec.type_de + (f" ({', '.join(spec.choices)})" if spec.choices else "")
                c.add("operation-parameter", file, f"{op_id}: parameter {name} literal {lit!r} is not {spec.type}",
                      f"Der Parameter „{name}“ muss {expected} sein, angegeben ist {lit!r}.",
                      line=p.sourceline, element_id=el_id)
    for spec in op.params:
        if spec.required and spec.name not in given:
            c.add("operation-parameter", file, f"{op_id}: required parameter {spec.name} missing",
                  f"Der Pflichtparameter „{spec.name}“ ({spec.description_de}) fehlt.",
                  line=op_el.sourceline, element_id=el_id)
    if op.check_literals is not None:
        for text in op.check_literals(literals, CheckEnv(settings, files.files)):
            c.add("operation-parameter", file, f"{op_id}: {text}", text, line=op_el.sourceline, element_id=el_id)


def _check_timer(c: _Collector, file: str, el: Any) -> None:
    for tag, what in (("timeDate", "Zeitpunkt"), ("timeDuration", "Dauer"), ("timeCycle", "Zyklus")):
        expr_el = el.find(f"{B}{tag}")
        if expr_el is None:
            continue
        owner = _owner_id(el)
        if tag == "timeCycle":
            c.add("unsupported", file, "cyclic timers are not supported",
                  "Zyklische Timer werden nicht unterstützt; verwenden Sie eine Schleife mit Dauer-Timer.",
                  line=expr_el.sourceline, element_id=owner)
            return
        text = (expr_el.text or "").strip()
        _check_code(c, file, expr_el, text, "eval", f"Timer-{what}")
        is_lit, value = _literal(text) if text else (False, None)
        if is_lit and isinstance(value, str):
            try:
                if tag == "timeDuration":
                    TimerEventDefinition.parse_iso_duration(value)
                else:
                    datetime.fromisoformat(value)
            except Exception:
                example = '"P14D"' if tag == "timeDuration" else '"2026-12-01T09:00:00+01:00"'
                c.add("timer-invalid", file, f"timer literal {value!r} is not ISO 8601",
                      f"Der Timer-Wert „{value}“ ist kein gültiger ISO-8601-Wert (z. B. {example}).",
                      line=expr_el.sourceline, element_id=owner)
        elif text and not is_lit and re.fullmatch(r"P[0-9YMWDTHS.]+", text):
            c.add("timer-invalid", file, f"unquoted timer literal {text}",
                  f"Timer-Ausdrücke sind Python: schreiben Sie \"{text}\" in Anführungszeichen.",
                  line=expr_el.sourceline, element_id=owner)
        return
    c.add("timer-invalid", file, "timer without timeDate/timeDuration", "Der Timer hat weder Zeitpunkt noch Dauer.",
          line=el.sourceline, element_id=_owner_id(el))


def _check_message_event(c: _Collector, file: str, el: Any, messages: dict[str, Any],
                         correlated_messages: set[str]) -> None:
    parent = el.getparent()
    kind = etree.QName(parent).localname
    owner = parent.get("id")
    ref = el.get("messageRef")
    if ref and ref not in messages:
        c.add("message-missing", file, f"message {ref} not defined", f"Die Nachricht „{ref}“ ist nicht definiert.",
              line=el.sourceline, element_id=owner)
        return
    payload = el.find(f"{B}extensionElements/{S}messagePayload")
    if payload is not None:
        _check_code(c, file, payload, payload.text, "eval", "Nachrichteninhalt")
    if kind not in ("intermediateCatchEvent", "boundaryEvent"):
        if kind == "startEvent":
            c.add("unsupported", file, "message start events are not supported",
                  "Nachrichten-Startereignisse werden nicht unterstützt; Vorgänge starten Sachbearbeitende.",
                  line=el.sourceline, element_id=owner)
        return
    process_corr = list(el.iterfind(f"{B}extensionElements/{S}processVariableCorrelation"))
    for pc in process_corr:
        expr = pc.find(f"{S}expression")
        _check_code(c, file, expr if expr is not None else pc, expr.text if expr is not None else None, "eval",
                    "Korrelationsausdruck")
    if not ref or ref not in correlated_messages or not process_corr:
        c.add("message-uncorrelated", file, "message catch without correlation accepts any message",
              "Dieses Nachrichtenereignis hat keine Korrelation und würde jede Nachricht dieses Namens annehmen. "
              "Definieren Sie eine Korrelationseigenschaft (bpmn:correlationProperty mit Abrufausdruck für die "
              "Nachricht) und am Ereignis spiffworkflow:processVariableCorrelation.",
              line=el.sourceline, element_id=owner)


def _dmn_cells(doc: Any) -> Iterable[tuple[Any, str, str]]:
    """(element, kind, text) for every input expression, input entry and output entry."""
    for inp in doc.iter("{*}input"):
        expr = inp.find("{*}inputExpression/{*}text")
        yield (expr if expr is not None else inp), "input", (expr.text if expr is not None else "") or ""
    for entry in doc.iter("{*}inputEntry"):
        t = entry.find("{*}text")
        yield entry, "entry", (t.text if t is not None else "") or ""
    for entry in doc.iter("{*}outputEntry"):
        t = entry.find("{*}text")
        yield entry, "output", (t.text if t is not None else "") or ""


def _check_dmn(c: _Collector, file: str, doc: Any) -> None:
    decisions = list(doc.iter("{*}decision"))
    if len(decisions) != 1:
        c.add("dmn-decisions", file, f"{len(decisions)} decisions in one file",
              f"Eine DMN-Datei muss genau eine Entscheidung enthalten (gefunden: {len(decisions)}).",
              line=doc.sourceline)
    for table in doc.iter("{*}decisionTable"):
        policy = (table.get("hitPolicy") or "UNIQUE").upper()
        tid = table.getparent().get("id")
        if policy not in SUPPORTED_HIT_POLICIES:
            c.add("dmn-hit-policy", file, f"hit policy {policy} not supported",
                  f"Die Trefferrichtlinie „{policy}“ wird nicht unterstützt (erlaubt: UNIQUE, FIRST, COLLECT).",
                  line=table.sourceline, element_id=tid)
        agg = table.get("aggregation")
        if agg and (policy != "COLLECT" or agg.upper() not in AGGREGATIONS):
            c.add("dmn-hit-policy", file, f"aggregation {agg} with {policy}",
                  "Eine Aggregation (SUM, COUNT, MIN, MAX) ist nur bei COLLECT möglich.",
                  line=table.sourceline, element_id=tid)
        if not list(table.iter("{*}rule")):
            c.add("dmn-empty", file, "decision table without rules", "Die Entscheidungstabelle hat keine Regeln.",
                  line=table.sourceline, element_id=tid)
    for el, kind, text in _dmn_cells(doc):
        _check_dmn_cell(c, file, el, kind, text.strip())


def _check_dmn_cell(c: _Collector, file: str, el: Any, kind: str, text: str) -> None:
    where = {"input": "Eingabeausdruck", "entry": "Regelzelle", "output": "Ergebniszelle"}[kind]
    rule = next((a for a in el.iterancestors("{*}rule")), None)
    element_id = (rule.get("id") if rule is not None else None) or _owner_id(el)
    if kind == "entry" and text in ("", "-"):
        return
    if kind in ("entry", "output"):
        feel = re.search(r"\[\s*[^\]]*\.\.|^not\(|^\s*-\s*$", text)
        if feel:
            c.add("dmn-feel", file, f"FEEL syntax in cell {text!r}",
                  f"{where} „{text}“ ist FEEL; Zellen sind Python-Ausdrücke (z. B. „18 <= ? < 65“, "
                  "„in (16, 17)“, „\"Reisepass\"“).", line=el.sourceline, element_id=element_id)
            return
    if kind == "entry":
        probe = text.replace("?", "dmninputexpr") if "?" in text else text
        try:
            tree = ast.parse(probe, mode="eval")
            if isinstance(tree.body, ast.Tuple):
                c.add("dmn-feel", file, f"comma list in cell {text!r} never matches",
                      f"{where} „{text}“ ist eine Komma-Liste, die nie zutrifft; schreiben Sie „in ({text})“.",
                      line=el.sourceline, element_id=element_id)
                return
            source = probe
        except SyntaxError:
            source = f"dmninputexpr {text}"  # an operator cell like "< 24"
        mode = "eval"
    else:
        source, mode = text, "eval"
    if not source:
        c.add("dmn-empty", file, "empty output cell", f"{where} ist leer.", line=el.sourceline, element_id=element_id)
        return
    for p in check_source(source, mode):  # type: ignore[arg-type]
        c.add("script-compile", file, p.message, f"{where} „{text}“: {p.user_message}",
              line=el.sourceline, element_id=element_id)
