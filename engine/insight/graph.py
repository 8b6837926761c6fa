"""The shape of a package's diagrams that statistics and path highlighting need (pure).

- ``predecessors[x]``: the elements whose completion makes ``x`` ready: the sources of its
  incoming sequence flows; for a boundary event those of the activity it is attached to (it
  waits from the moment its activity is ready); for the start event of an embedded subprocess
  those of the subprocess (it starts when the subprocess does).
- ``message_catchers[name]``: the catch events (intermediate or boundary) waiting for the
  business message ``name``; cases record only the message name they wait for.
- ``flows``: every sequence flow as (id, source, target), to highlight the flows a case took.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.catalog.package import PackageFiles
from engine.runtime.bpmn import xml_parser

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
B = f"{{{BPMN_NS}}}"


@dataclass(frozen=True, slots=True)
class Flow:
    id: str
    source: str
    target: str


@dataclass
class DiagramGraph:
    predecessors: dict[str, set[str]] = field(default_factory=dict)
    message_catchers: dict[str, list[str]] = field(default_factory=dict)
    flows: list[Flow] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    """Element id → name (or id) for readable reports."""
    kinds: dict[str, str] = field(default_factory=dict)
    """Element id → BPMN type (``userTask``, ``exclusiveGateway`` …)."""
    process_files: dict[str, str] = field(default_factory=dict)
    """Process id → the BPMN file defining it."""

    def taken_flows(self, path: list[str], current: list[str]) -> list[str]:
        """The sequence flows a case took, from its path and its current position.

        For every arrival at an element (a completion in ``path``, or standing there now), the
        incoming flows whose source was completed since the element's previous arrival are
        candidates. A parallel or inclusive join takes all of them; any other element the one
        whose source was completed last (e.g. the branch that reached an exclusive merge).
        """
        incoming: dict[str, list[Flow]] = {}
        for f in self.flows:
            incoming.setdefault(f.target, []).append(f)
        arrivals = [*path, *current]
        seen_at: dict[str, int] = {}
        last_done: dict[str, int] = {}
        taken: dict[str, None] = {}
        for i, el in enumerate(arrivals):
            since = seen_at.get(el, -1)
            candidates = [(last_done[f.source], f.id) for f in incoming.get(el, [])
                          if since < last_done.get(f.source, -1) < i]
            if candidates:
                if self.kinds.get(el) in ("parallelGateway", "inclusiveGateway"):
                    taken.update((fid, None) for _, fid in candidates)
                else:
                    taken[max(candidates)[1]] = None
            seen_at[el] = i
            if i < len(path):
                last_done[el] = i
        return [f.id for f in self.flows if f.id in taken]


def diagram_graph(package: PackageFiles) -> DiagramGraph:
    """The graph of every BPMN file of ``package`` (unparsable files are skipped)."""
    graph = DiagramGraph()
    for name in package.bpmn_files():
        try:
            root = etree.fromstring(package.files[name].encode("utf-8"), xml_parser())
        except etree.XMLSyntaxError:
            continue
        _add(graph, root, name)
    return graph


def _add(graph: DiagramGraph, root: etree._Element, file: str) -> None:
    for process in root.iter(f"{B}process"):
        if process.get("id"):
            graph.process_files.setdefault(process.get("id"), file)
    messages = {m.get("id"): m.get("name") or m.get("id") for m in root.iter(f"{B}message")}
    for el in root.iter():
        if not isinstance(el.tag, str) or etree.QName(el).namespace != BPMN_NS or not el.get("id"):
            continue
        kind = etree.QName(el).localname
        graph.kinds.setdefault(el.get("id"), kind)
        graph.names.setdefault(el.get("id"), el.get("name") or el.get("id"))
    for flow in root.iter(f"{B}sequenceFlow"):
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if source and target:
            graph.flows.append(Flow(flow.get("id") or "", source, target))
            graph.predecessors.setdefault(target, set()).add(source)
    for event in root.iter(f"{B}boundaryEvent"):
        host = event.get("attachedToRef")
        if host and event.get("id"):
            graph.predecessors.setdefault(event.get("id"), set()).update(graph.predecessors.get(host, set()))
    for sub in root.iter(f"{B}subProcess"):
        for start in sub.iterfind(f"{B}startEvent"):
            if start.get("id"):
                graph.predecessors.setdefault(start.get("id"), set()).update(
                    graph.predecessors.get(sub.get("id") or "", set()))
    for definition in root.iter(f"{B}messageEventDefinition"):
        owner = definition.getparent()
        if etree.QName(owner).localname in ("intermediateCatchEvent", "boundaryEvent") and owner.get("id"):
            name = messages.get(definition.get("messageRef"), definition.get("messageRef"))
            if name:
                graph.message_catchers.setdefault(name, []).append(owner.get("id"))
