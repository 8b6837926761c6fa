"""The auditor's workspace: ``AuditorService(engine)``.

Contract:

- Every method needs the role auditor or admin and sees only cases of the auditor's
  authorities (another authority's case is "not found", like for clerks).
- **Every read of a case is logged** before anything is returned: opening the record
  (:meth:`case_record`), the diagram (:meth:`diagram`) and a dossier export append a
  ``case_read`` event with the purpose to the case's chain, in its own transaction; that
  event is part of what the record shows. Search results (number, title, labels) are not
  logged; opening one is.
- :meth:`case_record` returns everything the case page shows: the case, the timeline of its
  audit events described in German (who, when, what changed, corrections with before/after),
  its steps, its messages with their XML (outgoing and incoming), document metadata and the
  status of the case's hash chain.
- :meth:`diagram`: the BPMN files of the exact version the case ran on, the path taken
  (element ids in order, superseded steps left out), how often each element was passed, the
  flows taken and where the case stands now.
- :meth:`global_chain` verifies the whole log; :meth:`dossier` / :meth:`dossier_pdf` export a
  case as JSON / PDF (:mod:`engine.auditing.dossier`).
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, undefer

from engine import clock
from engine.audit.log import NewEvent, append, case_events, export_records, verify_case, verify_database
from engine.auditing.chain import ChainStatus, chain_status
from engine.auditing.describe import Change, describe
from engine.auditing.search import CaseQuery, SearchResult, search_cases
from engine.catalog.package import PackageFiles
from engine.documents.service import DocumentInfo
from engine.errors import NotFound
from engine.insight.graph import diagram_graph
from engine.service_layer.actors import Actor
from engine.service_layer.views import CaseSummary
from engine.store.models import AuditEvent, Case, CaseStep, Document, InboundMessage, OutboxMessage, PackageVersion

if TYPE_CHECKING:
    from engine.service_layer.core import Engine

AUDIT_ROLES = ("auditor", "admin")
REGISTER_ACCESS_TYPES = ("register_searched", "register_person_read")
"""Audit events of register access outside cases (reads inside a case are in its timeline)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineEntry:
    case_seq: int
    global_seq: int
    at: datetime
    actor: str
    type: str
    title: str
    text: str
    changes: tuple[Change, ...]
    payload: dict[str, Any]
    hash: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StepRecord:
    seq: int
    kind: str
    task_spec: str | None
    task_name: str | None
    actor: str
    at: datetime
    submitted: dict[str, Any] | None
    path: tuple[str, ...]
    irreversible: bool
    superseded: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageRecord:
    direction: str
    """``out`` (outbox: XMeld message or order) or ``in`` (received and correlated)."""
    id: uuid.UUID
    kind: str
    message_type: str
    partner: str
    """Outgoing: the reader (name and DVDV id); incoming: the source."""
    status: str
    valid: bool
    at: datetime
    delivered_at: datetime | None
    content: str
    """The XML (or the order's JSON) exactly as stored."""
    validation: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseRecord:
    case: CaseSummary
    sandbox: bool
    timeline: tuple[TimelineEntry, ...]
    steps: tuple[StepRecord, ...]
    messages: tuple[MessageRecord, ...]
    documents: tuple[DocumentInfo, ...]
    chain: ChainStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseDiagram:
    case_id: uuid.UUID
    version_id: uuid.UUID
    version_no: int
    content_hash: str
    entry_file: str
    """The BPMN file holding the entry process (the one to show first)."""
    diagrams: dict[str, str]
    """Every BPMN file of that version {name: XML}."""
    path: tuple[str, ...]
    """Completed elements in order (superseded steps left out)."""
    passed: dict[str, int]
    """Element id → how often the case passed it."""
    flows: tuple[str, ...]
    """Sequence flows the case took."""
    current: tuple[str, ...]
    """Where the case stands now (ready tasks, waiting events)."""


class AuditorService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- search -----------------------------------------------------------------------------------
    def search(self, actor: Actor, query: CaseQuery | None = None, **criteria: Any) -> SearchResult:
        """Cases of the auditor's authorities matching ``query`` (or the same fields as keywords)."""
        actor.require_role(*AUDIT_ROLES)
        with self.engine.db.read() as s:
            return search_cases(s, actor, query or CaseQuery(**criteria))

    # -- one case -----------------------------------------------------------------------------------
    def _case(self, s: Session, case_id: uuid.UUID, actor: Actor) -> Case:
        actor.require_role(*AUDIT_ROLES)
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(f"case {case_id} not found", user_message="Der Vorgang wurde nicht gefunden.")
        actor.require_authority(case.authority_id)
        return case

    def log_read(self, case_id: uuid.UUID, actor: Actor, purpose: str) -> None:
        """Append ``case_read`` (with ``purpose``) to the case's chain, in its own transaction."""
        now = clock.now()
        with self.engine.db.sessions.begin() as s:
            case = self._case(s, case_id, actor)
            append(s, [NewEvent(type="case_read", actor=actor.name, case_id=case.id,
                                payload={"purpose": purpose})], at=now)

    def case_record(self, case_id: uuid.UUID, actor: Actor, *, purpose: str = "timeline") -> CaseRecord:
        """Everything about one case (logged as a read first; see the module contract)."""
        self.log_read(case_id, actor, purpose)
        with self.engine.db.read() as s:
            case = self._case(s, case_id, actor)
            return CaseRecord(case=self.engine.cases.summary(s, case), sandbox=case.sandbox,
                              timeline=tuple(_timeline(s, case.id)), steps=tuple(_steps(s, case.id)),
                              messages=tuple(_messages(s, case.id)), documents=tuple(_documents(s, case.id)),
                              chain=self._case_chain(s, case.id))

    def chain(self, case_id: uuid.UUID, actor: Actor) -> ChainStatus:
        """The status of one case's chain (reads only hashes; not logged as a read)."""
        with self.engine.db.read() as s:
            case = self._case(s, case_id, actor)
            return self._case_chain(s, case.id)

    @staticmethod
    def _case_chain(s: Session, case_id: uuid.UUID) -> ChainStatus:
        case_seq_of = {str(i): n for i, n in s.execute(
            select(AuditEvent.id, AuditEvent.case_seq).where(AuditEvent.case_id == case_id))}
        return chain_status(verify_case(s, case_id), case_seq_of)

    def global_chain(self, actor: Actor) -> ChainStatus:
        """Verify the whole audit log (every event, every case head)."""
        actor.require_role(*AUDIT_ROLES)
        with self.engine.db.read() as s:
            return chain_status(verify_database(s))

    def register_access(self, actor: Actor, *, limit: int = 200) -> list[TimelineEntry]:
        """Searches and reads of the resident register outside any case, newest first.

        Only those made by a member of one of the auditor's authorities; a search by someone
        with access to every authority (an administrator) is shown to every auditor.
        """
        actor.require_role(*AUDIT_ROLES)
        own = None if actor.authority_ids is None else {str(a) for a in actor.authority_ids}
        out: list[TimelineEntry] = []
        with self.engine.db.read() as s:
            rows = s.execute(select(AuditEvent).where(AuditEvent.case_id.is_(None),
                                                      AuditEvent.type.in_(REGISTER_ACCESS_TYPES))
                             .order_by(AuditEvent.global_seq.desc())).scalars()
            for row in rows:
                payload = json.loads(row.payload)
                searcher = set(payload.get("behoerde_ids") or ())
                if own is not None and searcher and not searcher & own:
                    continue
                d = describe(row.type, payload, row.actor)
                out.append(TimelineEntry(case_seq=0, global_seq=row.global_seq, at=datetime.fromisoformat(row.at),
                                         actor=row.actor, type=row.type, title=d.title, text=d.text,
                                         changes=d.changes, payload=payload, hash=row.hash))
                if len(out) >= limit:
                    break
        return out

    def diagram(self, case_id: uuid.UUID, actor: Actor) -> CaseDiagram:
        """The diagram of the case's version with its path and position (logged as a read)."""
        self.log_read(case_id, actor, "diagram")
        with self.engine.db.read() as s:
            case = self._case(s, case_id, actor)
            pv = s.execute(select(PackageVersion).options(undefer(PackageVersion.files))
                           .where(PackageVersion.id == case.package_version_id)).scalar_one()
            package = PackageFiles(pv.service_id, dict(pv.files))
            info = (pv.id, pv.version_no, pv.content_hash, pv.manifest.get("entry_process", ""))
        view = self.engine.cases.view(case_id, actor, log_read=False)
        graph = diagram_graph(package)
        path = list(view.path)
        entry_file = graph.process_files.get(info[3]) or next(iter(package.bpmn_files()), "")
        return CaseDiagram(case_id=case_id, version_id=info[0], version_no=info[1], content_hash=info[2],
                           entry_file=entry_file, diagrams={n: package.files[n] for n in package.bpmn_files()},
                           path=tuple(path), passed=dict(Counter(path)),
                           flows=tuple(graph.taken_flows(path, list(view.current))), current=tuple(view.current))

    # -- dossier ------------------------------------------------------------------------------------
    def dossier(self, case_id: uuid.UUID, actor: Actor) -> dict[str, Any]:
        """The case as one JSON document (logged as a read); see :mod:`engine.auditing.dossier`."""
        from engine.auditing.dossier import dossier_data

        record = self.case_record(case_id, actor, purpose="dossier")
        with self.engine.db.read() as s:
            events = export_records(case_events(s, case_id))
        return dossier_data(record, events, actor=actor.name, now=clock.now())

    def dossier_pdf(self, case_id: uuid.UUID, actor: Actor) -> bytes:
        """The dossier as a PDF (clear tables; logged as a read)."""
        return self.dossier_with_pdf(case_id, actor)[1]

    def dossier_with_pdf(self, case_id: uuid.UUID, actor: Actor) -> tuple[dict[str, Any], bytes]:
        """The JSON dossier and the PDF made from it (one read logged)."""
        from engine.auditing.dossier import render_dossier_pdf
        from engine.store.authority import authority_data
        from engine.store.models import Authority

        data = self.dossier(case_id, actor)
        with self.engine.db.read() as s:
            case = s.get(Case, case_id)
            assert case is not None
            authority = s.get(Authority, case.authority_id)
            behoerde = authority_data(authority) if authority is not None else {}
        return data, render_dossier_pdf(data, behoerde)


def _timeline(s: Session, case_id: uuid.UUID) -> list[TimelineEntry]:
    out = []
    for row in case_events(s, case_id):
        payload = json.loads(row.payload)
        d = describe(row.type, payload, row.actor)
        out.append(TimelineEntry(case_seq=row.case_seq or 0, global_seq=row.global_seq,
                                 at=datetime.fromisoformat(row.at), actor=row.actor, type=row.type, title=d.title,
                                 text=d.text, changes=d.changes, payload=payload, hash=row.hash))
    return out


def _steps(s: Session, case_id: uuid.UUID) -> list[StepRecord]:
    rows = s.execute(select(CaseStep).where(CaseStep.case_id == case_id).order_by(CaseStep.seq)).scalars()
    return [StepRecord(seq=r.seq, kind=r.kind, task_spec=r.task_spec, task_name=r.task_name, actor=r.actor, at=r.at,
                       submitted=r.submitted, path=tuple(r.path or ()), irreversible=r.irreversible,
                       superseded=r.superseded) for r in rows]


def _messages(s: Session, case_id: uuid.UUID) -> list[MessageRecord]:
    out = []
    for m in s.execute(select(OutboxMessage).where(OutboxMessage.case_id == case_id)
                       .order_by(OutboxMessage.created_at, OutboxMessage.id)).scalars():
        # A customer or an order channel is stored under its name in both columns: name it once.
        partner = f"{m.reader_name} ({m.reader})" if m.reader_name and m.reader_name != m.reader else m.reader
        out.append(MessageRecord(direction="out", id=m.id, kind=m.kind, message_type=m.message_type, partner=partner,
                                 status=m.status, valid=m.valid, at=m.created_at, delivered_at=m.delivered_at,
                                 content=m.xml.decode("utf-8", errors="replace"), validation=dict(m.validation or {})))
    for m in s.execute(select(InboundMessage).where(InboundMessage.case_id == case_id)
                       .order_by(InboundMessage.received_at)).scalars():
        out.append(MessageRecord(direction="in", id=m.id, kind=m.kind, message_type=m.message_type or "",
                                 partner=m.source, status=m.status, valid=m.valid, at=m.received_at,
                                 delivered_at=m.processed_at, content=m.body.decode("utf-8", errors="replace"),
                                 validation=dict(m.validation or {})))
    return sorted(out, key=lambda r: r.at)


def _documents(s: Session, case_id: uuid.UUID) -> list[DocumentInfo]:
    rows = s.execute(select(Document.id, Document.kind, Document.title, Document.filename, Document.media_type,
                            Document.sha256, func.length(Document.content), Document.created_at)
                     .where(Document.case_id == case_id).order_by(Document.created_at)).all()
    return [DocumentInfo(id=r[0], case_id=case_id, kind=r[1], title=r[2], filename=r[3], media_type=r[4],
                         sha256=r[5], size=int(r[6] or 0), created_at=r[7]) for r in rows]
