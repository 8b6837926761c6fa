"""Cases: start, show, submit a step, correct an earlier step, timers and messages.

Every change is one *step* in one transaction: the new workflow state, the step record,
the audit events, register changes and outbox messages made by operations, the case row
(with its optimistic version) and the message subscriptions commit together or not at all.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from jinja2 import ChainableUndefined, Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine import clock
from engine.audit.chain import jsonable
from engine.audit.log import NewEvent, append
from engine.catalog.compiled import CompiledPackage
from engine.errors import (
    AmtskofferError,
    Conflict,
    InputInvalid,
    NotFound,
)
from engine.formatting import FILTERS
from engine.forms import FormDefinition, apply_submission, dynamic, to_form_values, validate_submission
from engine.operations.context import OperationContext
from engine.runtime import runner, state
from engine.runtime.compaction import compact
from engine.runtime.script_engine import operation_context
from engine.service_layer.actors import Actor
from engine.service_layer.authorities import authority_data
from engine.service_layer.views import CaseSummary, CaseView, StepOutcome, StepView, TaskView
from engine.store.models import Authority, Case, CaseState, CaseStep, CaseSubscription, PackageVersion

if TYPE_CHECKING:
    from engine.service_layer.core import Engine

_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
class _Undefined(ChainableUndefined):
    """In instructions a missing value may be tested (``{% if person.doktorgrad %}``), but printing
    one is an error: it is almost always a typo in the diagram, and the clerk would read a gap."""

    def __str__(self) -> str:
        self._fail_with_undefined_error()
        return ""


_templates = SandboxedEnvironment(autoescape=False, undefined=_Undefined)
_lenient = SandboxedEnvironment(autoescape=False)
_templates.filters.update(FILTERS)
_lenient.filters.update(FILTERS)


_CASES = Case.__table__
_INSERT_STATE = insert(CaseState.__table__)
_INSERT_STEP = insert(CaseStep.__table__)
_STEP_COLUMNS = ("state_seq", "status", "updated_at", "ready_tasks", "waiting_for", "next_timer_at", "title",
                 "version", "completed_at", "labels")
_UPDATE_CASE = (
    update(_CASES)
    .where(_CASES.c.id == bindparam("b_id"), _CASES.c.version == bindparam("b_version"))
    .values({c: bindparam(c) for c in _STEP_COLUMNS})
)


@dataclass
class _Step:
    """Collected while a step runs; turned into rows at the end."""

    kind: str
    task_id: str | None = None
    task_spec: str | None = None
    task_name: str | None = None
    submitted: dict[str, Any] | None = None
    event_type: str = ""
    event_payload: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    status: str  # correlated | parked
    case_id: uuid.UUID | None = None
    reason: str = ""


class CaseService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- starting -----------------------------------------------------------------------------
    def start(self, service_id: str, authority: str | uuid.UUID, actor: Actor,
              data: Mapping[str, Any] | None = None, *, version_id: uuid.UUID | None = None,
              sandbox: bool = False, mocks: Mapping[str, Any] | None = None) -> CaseView:
        """Start a case of the newest published version (or ``version_id``) at ``authority``."""
        actor.require_role("clerk", "admin", "designer")
        now = clock.now()
        case_id = uuid.uuid4()
        with self.engine.db.sessions.begin() as s:
            auth = self.engine.authorities.get(s, authority)
            actor.require_authority(auth.id)
            pv = s.get(PackageVersion, version_id) if version_id else self.engine.catalog.latest(s, service_id)
            if pv is None or pv.service_id != service_id:
                raise NotFound(f"version {version_id} of {service_id} not found")
            package = self.engine.catalog.compiled(s, pv.id)
            role = package.manifest.authority_role
            if role not in (auth.roles or []):
                raise InputInvalid(
                    f"{auth.key} lacks role {role}",
                    user_message=f"{auth.name} ist keine {role.capitalize()} und kann „{package.manifest.title}“ "
                    "nicht bearbeiten.",
                )
            number = self._new_number(s, now)
            case = Case(
                id=case_id, number=number, service_id=service_id, package_version_id=pv.id, authority_id=auth.id,
                status="active", title=package.manifest.title, labels={}, ready_tasks=[], waiting_for=[],
                version=0, state_seq=0, audit_seq=0, audit_hash="", started_at=now, started_by=actor.name,
                updated_at=now, sandbox=sandbox,
            )
            s.add(case)
            s.flush()
            root = {
                "vorgang": {"id": str(case_id), "nummer": number, "verfahren": service_id,
                            "gestartet_am": clock.today(), "sandbox": sandbox},
                "behoerde": authority_data(auth),
                **dict(data or {}),
            }
            wf = runner.new_workflow(package.spec, package.subprocess_specs, self.engine.script_engine, root)
            step = _Step(kind="start", event_type="case_started",
                         event_payload={"service_id": service_id, "version_no": pv.version_no,
                                        "content_hash": pv.content_hash, "authority": auth.key, "number": number,
                                        "initial_data": jsonable(dict(data or {}))})
            ctx = self._context(s, case, auth, actor, now, package, mocks)
            trace = runner.StepTrace()
            with clock.using(clock.FixedClock(now)), operation_context(ctx):
                runner.run_engine(wf, trace)
            self._finish(s, case, package, wf, step, trace, ctx, actor, now)
        self.engine.workflows.put(case_id, case.version, wf)
        return self.view(case_id, actor, log_read=False)

    @staticmethod
    def _new_number(s: Session, now: datetime) -> str:
        # Random, not sequential: cases are also created offline on several laptops.
        for _ in range(10):
            code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
            number = f"V-{now.year}-{code}"
            if s.execute(select(Case.id).where(Case.number == number)).first() is None:
                return number
        raise RuntimeError("could not find a free case number")

    # -- the step machinery ---------------------------------------------------------------------
    def _context(self, s: Session, case: Case, auth: Authority, actor: Actor, now: datetime,
                 package: CompiledPackage, mocks: Mapping[str, Any] | None) -> OperationContext:
        return OperationContext(
            session=s, settings=self.engine.settings, case_id=case.id, case_number=case.number,
            service_id=case.service_id, authority=auth, actor=actor.name, now=now, sandbox=case.sandbox,
            mocks=mocks if mocks is not None else self.engine.mocks,
        )

    def _load(self, s: Session, case: Case, package: CompiledPackage, seq: int | None = None) -> BpmnWorkflow:
        if seq is None:
            cached = self.engine.workflows.take(case.id, case.version)
            if cached is not None:
                return cached
            seq = case.state_seq
        row = s.get(CaseState, (case.id, seq))
        if row is None:
            raise NotFound(f"state {seq} of case {case.id} missing")
        wf = state.loads(row.state, package.spec, package.subprocess_specs)
        return runner.attach(wf, self.engine.script_engine)

    def _open(self, s: Session, case_id: uuid.UUID, actor: Actor) -> tuple[Case, CompiledPackage, BpmnWorkflow]:
        """The case (checked against the actor's authorities), its package and its workflow, for reading."""
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(f"case {case_id} not found", user_message="Der Vorgang wurde nicht gefunden.")
        actor.require_authority(case.authority_id)
        package = self.engine.catalog.compiled(s, case.package_version_id)
        return case, package, self._load(s, case, package)

    def _step(self, case_id: uuid.UUID, actor: Actor, *, expected_version: int | None,
              act: Callable[[Session, Case, CompiledPackage, BpmnWorkflow, runner.StepTrace], _Step],
              base_seq: int | None = None) -> StepOutcome:
        now = clock.now()
        wf: BpmnWorkflow | None = None
        loaded_version = -1
        trace = runner.StepTrace()
        try:
            with self.engine.db.sessions.begin() as s:
                case = s.execute(select(Case).where(Case.id == case_id).with_for_update()).scalar_one_or_none()
                if case is None:
                    raise NotFound(f"case {case_id} not found", user_message="Der Vorgang wurde nicht gefunden.")
                actor.require_authority(case.authority_id)
                if expected_version is not None and case.version != expected_version:
                    raise Conflict(f"case {case.number} is at version {case.version}, expected {expected_version}")
                if case.status in ("completed", "cancelled"):
                    raise Conflict(f"case {case.number} is {case.status}",
                                   user_message="Der Vorgang ist bereits abgeschlossen.")
                package = self.engine.catalog.compiled(s, case.package_version_id)
                auth = s.get(Authority, case.authority_id)
                assert auth is not None
                wf = self._load(s, case, package, base_seq)
                loaded_version = case.version
                ctx = self._context(s, case, auth, actor, now, package, None)
                with clock.using(clock.FixedClock(now)), operation_context(ctx):
                    step = act(s, case, package, wf, trace)
                self._finish(s, case, package, wf, step, trace, ctx, actor, now)
                outcome = StepOutcome(case=self.summary(s, case), path=list(trace.path))
            self.engine.workflows.put(case_id, case.version, wf)
            return outcome
        except AmtskofferError as err:
            if wf is not None and base_seq is None and not trace.touched:
                # Failed before the workflow was changed (typically form validation): keep it warm.
                self.engine.workflows.put(case_id, loaded_version, wf)
            else:
                self.engine.workflows.drop(case_id)
            if not isinstance(err, Conflict | NotFound | InputInvalid) or trace.touched:
                self._record_failure(case_id, actor, err, now)
            raise
        except Exception:
            self.engine.workflows.drop(case_id)
            raise

    def _record_failure(self, case_id: uuid.UUID, actor: Actor, err: AmtskofferError, now: datetime) -> None:
        """A failed step changes nothing, but its failure is history too (separate transaction)."""
        try:
            with self.engine.db.sessions.begin() as s:
                if s.get(Case, case_id) is None:
                    return
                append(s, [NewEvent(type="step_failed", actor=actor.name, case_id=case_id, payload={
                    "error": err.__class__.__name__, "message": str(err), "user_message": err.user_message,
                    "context": jsonable({k: v for k, v in err.context.items() if k != "problems"}),
                })], at=now)
        except Exception:  # recording must never hide the original error
            pass

    def _finish(self, s: Session, case: Case, package: CompiledPackage, wf: BpmnWorkflow, step: _Step,
                trace: runner.StepTrace, ctx: OperationContext, actor: Actor, now: datetime) -> None:
        """Persist a step: state row, step row, case row (optimistic), subscriptions, audit events.

        Written with Core statements rather than ORM objects: these rows are only ever inserted
        (or, for the case, updated in one statement), so the unit-of-work bookkeeping would be pure
        overhead on the hottest path of the engine.
        """
        had_subscriptions = any(w.get("kind") == "message" for w in case.waiting_for or [])
        compact(wf)
        text = state.dumps(wf)
        seq = case.state_seq + 1
        conn = s.connection()
        conn.execute(_INSERT_STATE, {"case_id": case.id, "seq": seq, "state": text, "serializer": state.FORMAT,
                                     "created_at": now})
        conn.execute(_INSERT_STEP, {
            "id": uuid.uuid4(), "case_id": case.id, "seq": seq, "kind": step.kind, "task_id": step.task_id,
            "task_spec": step.task_spec, "task_name": step.task_name, "actor": actor.name, "at": now,
            "submitted": step.submitted, "path": list(trace.path), "irreversible": ctx.irreversible,
            "superseded": False})
        timers, subs = runner.waiting(wf)
        ready = runner.ready_user_tasks(wf)
        status = runner.status(wf)
        values: dict[str, Any] = {
            "state_seq": seq,
            "status": status,
            "updated_at": now,
            "ready_tasks": [{"task_id": str(t.id), "spec": t.task_spec.bpmn_id, "name": t.task_spec.bpmn_name or "",
                             "lane": t.task_spec.lane} for t in ready],
            "waiting_for": [{"kind": "timer", "name": t.name, "due": t.due.isoformat(), "element": t.element}
                            for t in timers] + [{"kind": "message", "name": m.message_name} for m in subs],
            "next_timer_at": min((t.due for t in timers), default=None),
            "title": self._title(package, wf, case.title),
            "version": case.version + 1,
        }
        values["completed_at"] = now if status == "completed" else case.completed_at
        labels = _labels(wf)
        values["labels"] = jsonable(labels) if labels is not None else case.labels
        # Optimistic lock: the UPDATE only matches if nobody committed a step in between.
        result = conn.execute(_UPDATE_CASE, {**values, "b_id": case.id, "b_version": case.version})
        if result.rowcount != 1:
            raise Conflict(f"case {case.number} changed concurrently")
        for key, value in values.items():
            set_committed_value(case, key, value)
        if had_subscriptions:
            conn.execute(delete(CaseSubscription.__table__).where(CaseSubscription.case_id == case.id))
        if subs:
            conn.execute(insert(CaseSubscription.__table__), [
                {"case_id": case.id, "message_name": sub.message_name, "correlation": sub.correlation,
                 "expressions": sub.expressions} for sub in subs])
        events: list[NewEvent] = []
        if step.event_type:
            payload = dict(step.event_payload or {})
            payload.update({"state_seq": seq, "path": list(trace.path)})
            events.append(NewEvent(type=step.event_type, actor=actor.name, case_id=case.id, payload=payload))
        for d in trace.decisions:
            events.append(NewEvent(type="decision_evaluated", actor=actor.name, case_id=case.id, payload=d))
        events.extend(ctx.events)
        if status == "completed":
            events.append(NewEvent(type="case_completed", actor=actor.name, case_id=case.id,
                                   payload={"state_seq": seq}))
        append(s, events, at=now)

    def _title(self, package: CompiledPackage, wf: BpmnWorkflow, fallback: str) -> str:
        if not package.manifest.case_title:
            return fallback
        data: dict[str, Any] = {}
        last = wf.last_task
        if last is not None:
            data.update(last.data)
        for t in runner.ready_user_tasks(wf):
            data.update(t.data)
        try:
            rendered = _title_template(package.manifest.case_title).render(**data).strip()
        except TemplateError:
            return fallback
        return rendered[:300] or fallback

    # -- user steps -----------------------------------------------------------------------------
    def _user_task(self, wf: BpmnWorkflow, task_id: str, case: Case) -> Any:
        try:
            task = wf.get_task_from_id(uuid.UUID(task_id))
        except Exception:
            task = None
        ready = {str(t.id) for t in runner.ready_user_tasks(wf)}
        if task is None or task_id not in ready:
            raise Conflict(f"task {task_id} of case {case.number} is not ready",
                           user_message="Dieser Schritt ist nicht mehr offen – er wurde bereits abgeschlossen "
                           "oder der Vorgang hat sich geändert. Bitte laden Sie den Vorgang neu.")
        return task

    def _validated(self, package: CompiledPackage, task: Any, data: Mapping[str, Any]) -> dict[str, Any]:
        """The task data a submission sets: every field of the form (``None`` when left empty).

        Empty fields are set to ``None`` rather than left out, so clearing a field in a
        correction does not leave the old value behind and scripts can test ``if telefon:``.
        """
        form = self._resolved_form(package, task)
        if form is None:
            return {}
        cleaned = validate_submission(form, data, context=task.data)
        return apply_submission(form, {}, cleaned)

    def submit(self, case_id: uuid.UUID, task_id: str, data: Mapping[str, Any], actor: Actor, *,
               expected_version: int | None = None) -> StepOutcome:
        """Complete the ready user task ``task_id`` with ``data`` and run the engine."""
        actor.require_role("clerk", "admin", "designer")

        def act(s: Session, case: Case, package: CompiledPackage, wf: BpmnWorkflow,
                trace: runner.StepTrace) -> _Step:
            task = self._user_task(wf, task_id, case)
            cleaned = self._validated(package, task, data)
            before = {k: task.data.get(k) for k in cleaned}
            runner.complete_user_task(wf, task, cleaned, trace)
            return _Step(kind="submit", task_id=task_id, task_spec=task.task_spec.bpmn_id,
                         task_name=task.task_spec.bpmn_name, submitted=jsonable(cleaned),
                         event_type="step_completed",
                         event_payload={"task": task.task_spec.bpmn_id, "name": task.task_spec.bpmn_name,
                                        "changes": _diff(before, cleaned)})

        return self._step(case_id, actor, expected_version=expected_version, act=act)

    def correctable(self, s: Session, case: Case) -> dict[uuid.UUID, bool]:
        """Which steps may be corrected: user steps with no irreversible step at or after them.

        A step that changed the register or sent a message is itself not correctable either:
        going back before it would run it again (a second message, a second register change).
        """
        steps = self._steps(s, case.id)
        out: dict[uuid.UUID, bool] = {}
        blocked = case.status in ("completed", "cancelled")
        for st in reversed(steps):
            if st.superseded:
                out[st.id] = False
                continue
            if st.irreversible:
                blocked = True
            out[st.id] = not blocked and st.kind in ("submit", "correct")
        return out

    def correct(self, case_id: uuid.UUID, step_id: uuid.UUID, data: Mapping[str, Any], actor: Actor, *,
                expected_version: int | None = None) -> StepOutcome:
        """Go back to an earlier user step, enter new data and continue from there.

        The workflow is restored from the state before that step (the restore point in
        ``case_state``); later steps are marked superseded and will be asked again, pre-filled
        with what was entered before. Not possible across a step that changed the register or
        sent a message: those effects cannot be taken back by going back in the diagram.
        """
        actor.require_role("clerk", "admin", "designer")
        with self.engine.db.read() as s:
            target = s.get(CaseStep, step_id)
            case = s.get(Case, case_id)
            if target is None or case is None or target.case_id != case_id:
                raise NotFound(f"step {step_id} of case {case_id} not found")
            actor.require_authority(case.authority_id)
            if not self.correctable(s, case).get(step_id):
                raise Conflict(
                    f"step {target.seq} of {case.number} is not correctable",
                    user_message="Dieser Schritt kann nicht mehr korrigiert werden: danach wurden bereits "
                    "Änderungen im Melderegister gespeichert oder Nachrichten versendet (oder der Vorgang ist "
                    "abgeschlossen). Bitte starten Sie eine Berichtigung als neuen Vorgang.",
                )
            base_seq, target_seq, old = target.seq - 1, target.seq, target.submitted

        def act(s: Session, case: Case, package: CompiledPackage, wf: BpmnWorkflow,
                trace: runner.StepTrace) -> _Step:
            task = self._user_task(wf, target.task_id or "", case)
            cleaned = self._validated(package, task, data)
            runner.complete_user_task(wf, task, cleaned, trace)
            s.execute(update(CaseStep).where(CaseStep.case_id == case.id, CaseStep.seq >= target_seq,
                                             CaseStep.kind != "start").values(superseded=True))
            new = jsonable(cleaned)
            return _Step(kind="correct", task_id=target.task_id, task_spec=task.task_spec.bpmn_id,
                         task_name=task.task_spec.bpmn_name, submitted=new, event_type="step_corrected",
                         event_payload={"task": task.task_spec.bpmn_id, "name": task.task_spec.bpmn_name,
                                        "corrects_state_seq": target_seq, "changes": _diff(old or {}, new)})

        return self._step(case_id, actor, expected_version=expected_version, act=act, base_seq=base_seq)

    # -- timers and messages --------------------------------------------------------------------
    def fire_due_timers(self, *, limit: int = 100) -> list[uuid.UUID]:
        """Run every case whose next timer is due (by the current clock); returns their ids."""
        now = clock.now()
        with self.engine.db.read() as s:
            due = list(s.execute(
                select(Case.id).where(Case.next_timer_at <= now, Case.status.in_(("active", "waiting")))
                .order_by(Case.next_timer_at).limit(limit)
            ).scalars())
        fired = []
        worker = Actor.system("timer")
        for case_id in due:

            def act(s: Session, case: Case, package: CompiledPackage, wf: BpmnWorkflow,
                    trace: runner.StepTrace) -> _Step:
                due_before = [w for w in case.waiting_for if w.get("kind") == "timer"]
                runner.fire_timers(wf, trace)
                return _Step(kind="timer", event_type="timer_fired",
                             event_payload={"timers": due_before, "at": now.isoformat()})

            try:
                self._step(case_id, worker, expected_version=None, act=act)
                fired.append(case_id)
            except Conflict:
                continue  # somebody else moved the case meanwhile; the next round sees it
        return fired

    def deliver_message(self, name: str, payload: Mapping[str, Any], *, source: str = "api",
                        actor: Actor | None = None,
                        on_correlated: Callable[[Session, uuid.UUID], None] | None = None) -> DeliveryResult:
        """Correlate a business message to the case waiting for it and continue that case.

        ``on_correlated(session, case_id)`` runs inside the case's step transaction (the inbound
        store marks its message there, so "processed" and the case step commit together).
        """
        actor = actor or Actor.system("messages")
        with self.engine.db.read() as s:
            subs = list(s.execute(select(CaseSubscription).where(CaseSubscription.message_name == name)).scalars())
        target: CaseSubscription | None = None
        for sub in subs:
            if runner.correlate(self.engine.script_engine, sub.expressions, payload) == sub.correlation:
                target = sub
                break
        if target is None:
            return DeliveryResult("parked", None, f"no case waits for {name!r} with these correlation values")
        case_id = target.case_id

        def act(s: Session, case: Case, package: CompiledPackage, wf: BpmnWorkflow,
                trace: runner.StepTrace) -> _Step:
            _, current = runner.waiting(wf)
            match = next((m for m in current if m.message_name == name and
                          runner.correlate(self.engine.script_engine, m.expressions, payload) == m.correlation), None)
            if match is None:
                raise Conflict(f"case {case.number} no longer waits for {name}")
            runner.deliver_message(wf, match.task_id, payload, trace)
            if on_correlated is not None:
                on_correlated(s, case.id)
            return _Step(kind="message", event_type="message_received",
                         event_payload={"message": name, "source": source, "payload": jsonable(dict(payload))})

        self._step(case_id, actor, expected_version=None, act=act)
        return DeliveryResult("correlated", case_id)

    # -- reading -------------------------------------------------------------------------------
    def _steps(self, s: Session, case_id: uuid.UUID) -> list[CaseStep]:
        return list(s.execute(select(CaseStep).where(CaseStep.case_id == case_id).order_by(CaseStep.seq)).scalars())

    def summary(self, s: Session, case: Case) -> CaseSummary:
        auth = s.get(Authority, case.authority_id)
        package = self.engine.catalog.compiled(s, case.package_version_id)
        assert auth is not None and package.version_no is not None
        return CaseSummary(
            id=case.id, number=case.number, service_id=case.service_id, service_title=package.manifest.title,
            authority_key=auth.key, authority_name=auth.name, status=case.status, title=case.title,
            labels=dict(case.labels or {}), ready_tasks=list(case.ready_tasks or []),
            waiting_for=list(case.waiting_for or []), next_timer_at=case.next_timer_at, started_at=case.started_at,
            started_by=case.started_by, updated_at=case.updated_at, completed_at=case.completed_at,
            version=case.version, version_no=package.version_no, package_version_id=case.package_version_id,
        )

    def view(self, case_id: uuid.UUID, actor: Actor, *, log_read: bool = True) -> CaseView:
        """The case with its ready tasks (forms pre-filled) and its history; logs the read.

        Reading happens in a read-only transaction (no write lock on SQLite); the read event is
        appended afterwards in its own short write transaction.
        """
        now = clock.now()
        with self.engine.db.read() as s:
            case, package, wf = self._open(s, case_id, actor)
            version = case.version
            steps = self._steps(s, case.id)
            correctable = self.correctable(s, case)
            previous = {st.task_spec: st.submitted for st in steps if st.submitted and st.task_spec}
            ready = [self._task_view(package, t, previous) for t in runner.ready_user_tasks(wf)]
            timers, _ = runner.waiting(wf)
            data: dict[str, Any] = {}
            if wf.is_completed():
                data.update(wf.data)
                if wf.last_task is not None:
                    data.update(wf.last_task.data)
            else:
                for t in runner.ready_user_tasks(wf) or ([wf.last_task] if wf.last_task else []):
                    data.update(t.data)
            summary = self.summary(s, case)
            step_views = [StepView(id=st.id, seq=st.seq, kind=st.kind, task_spec=st.task_spec, task_name=st.task_name,
                                   actor=st.actor, at=st.at, submitted=st.submitted, irreversible=st.irreversible,
                                   superseded=st.superseded, correctable=correctable.get(st.id, False),
                                   path=list(st.path or [])) for st in steps]
        # Reading does not change the workflow: hand it back for the next step.
        self.engine.workflows.put(case_id, version, wf)
        if log_read:
            with self.engine.db.sessions.begin() as s:
                append(s, [NewEvent(type="case_read", actor=actor.name, case_id=case_id, payload={})], at=now)
        path = [p for st in step_views if not st.superseded for p in st.path]
        current = [t.spec for t in ready] + [t.element for t in timers] + [
            t.task_spec.bpmn_id for t in wf.event_manager.tasks.values() if t.task_spec.bpmn_id
            and t.task_spec.bpmn_id not in {x.element for x in timers}
        ]
        return CaseView(case=summary, ready=ready, steps=step_views, data=data, path=path,
                        current=list(dict.fromkeys(current)))

    def task_form(self, case_id: uuid.UUID, task_id: str, actor: Actor) -> FormDefinition | None:
        """The form of a ready user task as the clerk sees it (option lists filled from the task data).

        Parsing a posted form needs exactly this form: a field whose options come from the task
        data (``x-options-from``) is a choice only once resolved.
        """
        with self.engine.db.read() as s:
            case, package, wf = self._open(s, case_id, actor)
            version = case.version
        try:
            task = next((t for t in runner.ready_user_tasks(wf) if str(t.id) == task_id), None)
            return self._resolved_form(package, task) if task is not None else None
        finally:
            self.engine.workflows.put(case_id, version, wf)

    def step_form(self, case_id: uuid.UUID, step_id: uuid.UUID, actor: Actor) -> FormDefinition | None:
        """The form of an earlier user step, resolved with the task data it had then (for corrections)."""
        with self.engine.db.read() as s:
            case = s.get(Case, case_id)
            step = s.get(CaseStep, step_id)
            if case is None or step is None or step.case_id != case_id:
                raise NotFound(f"step {step_id} of case {case_id} not found")
            actor.require_authority(case.authority_id)
            package = self.engine.catalog.compiled(s, case.package_version_id)
            wf = self._load(s, case, package, step.seq - 1)
            task = wf.get_task_from_id(uuid.UUID(step.task_id)) if step.task_id else None
        return self._resolved_form(package, task) if task is not None else None

    def _resolved_form(self, package: CompiledPackage, task: Any) -> FormDefinition | None:
        props = task.task_spec.extensions.get("properties", {})
        schema_file = props.get("formJsonSchemaFilename")
        if not schema_file:
            return None
        return dynamic.resolve(package.form(schema_file, props.get("formUiSchemaFilename")), task.data)

    def _task_view(self, package: CompiledPackage, task: Any, previous: Mapping[str, Any]) -> TaskView:
        spec = task.task_spec
        form = self._resolved_form(package, task)
        values: dict[str, Any] = {}
        if form is not None:
            earlier = previous.get(spec.bpmn_id) or {}
            values = {**to_form_values(form, earlier), **{k: v for k, v in to_form_values(form, task.data).items()
                                                          if v not in (None, "", [], {})}}
        instructions = spec.extensions.get("instructionsForEndUser") or ""
        problem = ""
        if instructions:
            try:
                instructions = _templates.from_string(instructions).render(**task.data)
            except TemplateError as err:
                problem = f"{err.__class__.__name__}: {err}"
                instructions = f"(Anweisungen konnten nicht angezeigt werden: {err})"
        return TaskView(task_id=str(task.id), spec=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id,
                        kind="form" if form is not None else "confirm", form=form, values=values,
                        instructions=instructions, instructions_error=problem,
                        documentation=getattr(spec, "documentation", None) or "",
                        lane=spec.lane)

    def list(self, actor: Actor, *, status: str | None = None, service_id: str | None = None,
             query: str | None = None, limit: int = 100, include_sandbox: bool = False) -> list[CaseSummary]:
        with self.engine.db.read() as s:
            stmt = select(Case).order_by(Case.updated_at.desc()).limit(limit)
            if actor.authority_ids is not None:
                stmt = stmt.where(Case.authority_id.in_(actor.authority_ids))
            if status:
                stmt = stmt.where(Case.status == status)
            if service_id:
                stmt = stmt.where(Case.service_id == service_id)
            if not include_sandbox:
                stmt = stmt.where(Case.sandbox.is_(False))
            if query:
                like = f"%{query.strip()}%"
                stmt = stmt.where(or_(Case.number.ilike(like), Case.title.ilike(like)))
            return [self.summary(s, c) for c in s.execute(stmt).scalars()]

    def state_json(self, case_id: uuid.UUID, seq: int | None = None) -> str:
        """The stored workflow state (newest, or at ``seq``); for tests and diagnostics."""
        with self.engine.db.read() as s:
            case = s.get(Case, case_id)
            if case is None:
                raise NotFound(f"case {case_id} not found")
            row = s.get(CaseState, (case_id, seq if seq is not None else case.state_seq))
            if row is None:
                raise NotFound(f"state {seq} of {case_id} not found")
            return row.state


@lru_cache(maxsize=256)
def _title_template(source: str) -> Template:
    return _lenient.from_string(source)


def _labels(wf: BpmnWorkflow) -> dict[str, Any] | None:
    """The ``labels`` dict a process set (search keys for the case), if any."""
    for data in (wf.data, wf.last_task.data if wf.last_task is not None else {}):
        labels = data.get("labels")
        if isinstance(labels, dict):
            return labels
    return None


def _diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Changed fields as {field: {before, after}} (JSON-safe)."""
    b, a = jsonable(dict(before)), jsonable(dict(after))
    return {k: {"before": b.get(k), "after": a.get(k)} for k in sorted(set(a) | set(b)) if b.get(k) != a.get(k)}
