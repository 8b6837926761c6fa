"""Read helpers for the clerk's pages that the service layer does not offer as such.

- :func:`case_messages`: outgoing messages of a case (``engine.messaging.service.MessageService``
  when the messaging package provides it, else a read of the outbox table).
- :func:`resident_search`: ``register.find_person`` through the operation registry (the catalogue
  contract), available only once the register package has registered that operation.
- :func:`match_cases`: case search tolerant of umlauts/ß and German dates.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select

from engine.errors import NotFound
from engine.forms.dates import parse_date
from engine.runtime.helpers import fold_name
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.service_layer.views import CaseSummary
from engine.store.models import Case, OutboxMessage


def _specs(package: Any) -> Iterable[Any]:
    yield from package.spec.task_specs.values()
    for sub in package.subprocess_specs.values():
        yield from sub.task_specs.values()


def ready_task(engine: Engine, case_id: uuid.UUID, task_id: str, actor: Actor) -> dict[str, Any] | None:
    """The ready task's entry {task_id, spec, name} from the case row alone, or None.

    A submit needs no full case view: this (and the task's form) is all it reads before the step.
    Raises NotFound for a case outside the actor's authorities, like the service layer.
    """
    with engine.db.read() as s:
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(f"case {case_id} not found", user_message="Der Vorgang wurde nicht gefunden.")
        actor.require_authority(case.authority_id)
        ready = next((t for t in case.ready_tasks or [] if t.get("task_id") == task_id), None)
    return dict(ready) if ready is not None else None


def case_messages(engine: Engine, case_id: uuid.UUID, actor: Actor) -> list[dict[str, Any]]:
    """Outgoing messages of a case: ``engine.messaging`` when present, else a read of the outbox table."""
    try:
        from engine.messaging.service import MessageService
    except ImportError:
        MessageService = None  # type: ignore[assignment,misc]
    if MessageService is not None:
        return [{"id": str(m.id), "message_type": m.message_type, "title": m.title,
                 "reader": m.reader_name or m.reader, "status": m.status, "created_at": m.created_at,
                 "attempts": m.attempts, "valid": m.valid} for m in MessageService(engine).for_case(case_id, actor)]
    with engine.db.read() as s:
        rows = s.execute(select(OutboxMessage.id, OutboxMessage.message_type, OutboxMessage.reader_name,
                                OutboxMessage.reader, OutboxMessage.status, OutboxMessage.created_at,
                                OutboxMessage.attempts, OutboxMessage.valid)
                         .where(OutboxMessage.case_id == case_id).order_by(OutboxMessage.created_at)).all()
    return [{"id": str(r.id), "message_type": r.message_type, "title": r.message_type,
             "reader": r.reader_name or r.reader, "status": r.status, "created_at": r.created_at,
             "attempts": r.attempts, "valid": r.valid} for r in rows]


def _register() -> Any:
    try:
        from engine.register.query import SearchQuery
        from engine.register.service import RegisterService
    except ImportError:
        return None
    return RegisterService, SearchQuery


def resident_search_available(engine: Engine) -> bool:
    return _register() is not None


def resident_search(engine: Engine, actor: Actor, *, familienname: str, vornamen: str = "",
                    geburtsdatum: date | None = None) -> dict[str, Any]:
    """Residents across the installation's registers, ranked (the logic of ``register.find_person``).

    Logged as ``register_searched`` (criteria and hit count), visible to auditors.
    """
    found = _register()
    assert found is not None
    service_cls, query_cls = found
    hits = service_cls(engine.db, engine.settings).search_as(
        query_cls(familienname=familienname, vornamen=vornamen or None, geburtsdatum=geburtsdatum), actor)
    return {"anzahl": len(hits), "treffer": hits}


def form_labels(engine: Engine, version_id: uuid.UUID) -> dict[str, str]:
    """Field name → German title from every form of the package (for the case data table)."""
    cached = _labels.get(version_id)
    if cached is not None:
        return cached
    with engine.db.read() as s:
        package = engine.catalog.compiled(s, version_id)
    labels: dict[str, str] = {}
    for path in package.files.files:
        if not (path.startswith("forms/") and path.endswith(".schema.json")):
            continue
        name = path[len("forms/"):]
        ui = name.replace(".schema.json", ".uischema.json")
        try:
            form = package.form(name, ui if "forms/" + ui in package.files.files else None)
        except Exception:  # a form the check let through but that cannot load: just no labels
            continue
        stack = [form.layout]
        while stack:
            field = stack.pop()
            if field.key and field.schema.get("title"):
                labels.setdefault(field.key, field.title)
            stack.extend(field.children)
            if field.item is not None:
                stack.append(field.item)
    if len(_labels) > 64:
        _labels.clear()
    _labels[version_id] = labels  # versions never change
    return labels


_labels: dict[uuid.UUID, dict[str, str]] = {}


_TOKEN = re.compile(r"\S+")


def _loose(text: str) -> str:
    """Umlauts without the e (ü → u), ß → ss: matches „Muller“ to „Müller“."""
    plain = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    return " ".join("".join(c for c in plain if not unicodedata.combining(c)).split())


def _haystacks(c: CaseSummary) -> tuple[str, str]:
    text = " ".join([c.number, c.title, c.service_title, *(str(v) for v in (c.labels or {}).values())])
    return fold_name(text), _loose(text)


def match_cases(cases: Iterable[CaseSummary], query: str) -> list[CaseSummary]:
    """Cases where every word of ``query`` occurs (Müller = Mueller = Muller); German dates match ISO."""
    needles: list[tuple[str, ...]] = []
    for token in _TOKEN.findall(query):
        day = parse_date(token)
        needles.append((day.isoformat(),) if day else (fold_name(token), _loose(token)))
    if not needles:
        return []
    found = []
    for c in cases:
        hay = _haystacks(c)
        if all(any(n in h for n in variants for h in hay) for variants in needles):
            found.append(c)
    return found
