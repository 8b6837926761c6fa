"""Readable German descriptions of audit events, with before/after of what changed (pure).

Every event type the engine writes has a describer in :data:`DESCRIBERS` returning a short
title and a sentence; data changes come back as :class:`Change` rows (field, before, after):

- ``step_completed``/``step_corrected``: the form fields the step set (``changes`` in the
  payload: before/after per field), a correction also names the state it replaced;
- register events: the ``before``/``after`` snapshots, compared key by key;
- ``case_started``: the start data (before = none).

An unknown event type still gets a generic description, so a new event type never breaks the
timeline; a test checks that every type written by the engine has its own describer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Description:
    title: str
    text: str
    changes: tuple[Change, ...] = ()


Describer = Callable[[Mapping[str, Any], str], Description]
DESCRIBERS: dict[str, Describer] = {}

PURPOSES_DE = {
    "timeline": "Verlauf in der Prüfung angesehen",
    "diagram": "Diagramm mit Weg in der Prüfung angesehen",
    "dossier": "Akte (Dossier) exportiert",
}


def describer(*types: str) -> Callable[[Describer], Describer]:
    def register(fn: Describer) -> Describer:
        for t in types:
            if t in DESCRIBERS:
                raise ValueError(f"event type {t!r} described twice")
            DESCRIBERS[t] = fn
        return fn

    return register


def describe(event_type: str, payload: Mapping[str, Any], actor: str) -> Description:
    """The German description of one event (generic for unknown types)."""
    fn = DESCRIBERS.get(event_type)
    if fn is None:
        return Description(title="Ereignis", text=f"Ereignis „{event_type}“.", changes=_before_after(payload))
    return fn(payload, actor)


def _q(value: Any) -> str:
    return f"„{value}“" if value not in (None, "") else "–"


def _field_changes(changes: Any) -> tuple[Change, ...]:
    if not isinstance(changes, Mapping):
        return ()
    return tuple(Change(field=str(k), before=v.get("before") if isinstance(v, Mapping) else None,
                        after=v.get("after") if isinstance(v, Mapping) else v) for k, v in sorted(changes.items()))


def _before_after(payload: Mapping[str, Any]) -> tuple[Change, ...]:
    if "before" not in payload and "after" not in payload:
        return ()
    before, after = payload.get("before"), payload.get("after")
    if isinstance(before, Mapping) or isinstance(after, Mapping):
        b = before if isinstance(before, Mapping) else {}
        a = after if isinstance(after, Mapping) else {}
        return tuple(Change(field=str(k), before=b.get(k), after=a.get(k)) for k in sorted(set(a) | set(b))
                     if b.get(k) != a.get(k))
    return (Change(field="", before=before, after=after),) if before != after else ()


# -- cases and steps ---------------------------------------------------------------------------------
@describer("case_started")
def _case_started(p: Mapping[str, Any], actor: str) -> Description:
    initial = p.get("initial_data") if isinstance(p.get("initial_data"), Mapping) else {}
    return Description(
        title="Vorgang begonnen",
        text=f"Vorgang {p.get('number', '')} im Verfahren {_q(p.get('service_id'))} (Version {p.get('version_no')}) "
             f"bei {_q(p.get('authority'))} begonnen.",
        changes=tuple(Change(field=str(k), before=None, after=v) for k, v in sorted(initial.items())))


@describer("step_completed")
def _step_completed(p: Mapping[str, Any], actor: str) -> Description:
    return Description(title="Schritt erledigt", text=f"Schritt {_q(p.get('name') or p.get('task'))} abgeschlossen.",
                       changes=_field_changes(p.get("changes")))


@describer("step_corrected")
def _step_corrected(p: Mapping[str, Any], actor: str) -> Description:
    return Description(title="Schritt korrigiert",
                       text=f"Schritt {_q(p.get('name') or p.get('task'))} korrigiert; die Angaben ersetzen den "
                            f"Stand {p.get('corrects_state_seq')} und alle späteren Schritte.",
                       changes=_field_changes(p.get("changes")))


@describer("step_failed")
def _step_failed(p: Mapping[str, Any], actor: str) -> Description:
    return Description(title="Schritt fehlgeschlagen",
                       text=f"Ein Schritt ist fehlgeschlagen und hat nichts verändert: {p.get('user_message', '')}")


@describer("decision_evaluated")
def _decision(p: Mapping[str, Any], actor: str) -> Description:
    rules = p.get("rules") or []
    used = ", ".join(f"Regel {r.get('row')}" + (f" ({r.get('annotation')})" if r.get("annotation") else "")
                     for r in rules if isinstance(r, Mapping)) or "keine Regel"
    result = p.get("result") if isinstance(p.get("result"), Mapping) else {}
    return Description(title="Entscheidung ausgewertet",
                       text=f"Entscheidungstabelle {_q(p.get('name') or p.get('table'))}: {used}.",
                       changes=tuple(Change(field=str(k), before=None, after=v) for k, v in sorted(result.items())))


@describer("timer_fired")
def _timer(p: Mapping[str, Any], actor: str) -> Description:
    names = [t.get("name") or t.get("element") for t in p.get("timers") or [] if isinstance(t, Mapping)]
    return Description(title="Frist erreicht",
                       text="Zeitereignis ausgelöst" + (f": {', '.join(map(str, names))}." if names else "."))


@describer("message_received")
def _message_received(p: Mapping[str, Any], actor: str) -> Description:
    payload = p.get("payload") if isinstance(p.get("payload"), Mapping) else {}
    return Description(title="Nachricht eingegangen",
                       text=f"Die Nachricht {_q(p.get('message'))} (Quelle: {p.get('source', '?')}) wurde dem "
                            "Vorgang zugeordnet.",
                       changes=tuple(Change(field=str(k), before=None, after=v) for k, v in sorted(payload.items())))


@describer("case_completed")
def _completed(p: Mapping[str, Any], actor: str) -> Description:
    return Description(title="Vorgang abgeschlossen", text="Der Vorgang ist abgeschlossen.")


@describer("case_read")
def _read(p: Mapping[str, Any], actor: str) -> Description:
    purpose = PURPOSES_DE.get(str(p.get("purpose", "")), "Vorgang geöffnet")
    return Description(title="Vorgang eingesehen", text=f"{actor} hat den Vorgang eingesehen ({purpose}).")


@describer("draft_saved")
def _task_draft(p: Mapping[str, Any], actor: str) -> Description:
    fields = ", ".join(map(str, p.get("fields") or [])) or "keine Felder"
    return Description(title="Zwischenstand gespeichert",
                       text=f"Eingaben eines offenen Schritts wurden zwischengespeichert ({fields}).")


@describer("operation_mocked")
def _mocked(p: Mapping[str, Any], actor: str) -> Description:
    return Description(title="Testantwort verwendet",
                       text=f"Die Dienstoperation {_q(p.get('operation'))} wurde durch eine Testantwort ersetzt.")


# -- messages and documents -------------------------------------------------------------------------
@describer("message_queued")
def _queued(p: Mapping[str, Any], actor: str) -> Description:
    held = " (Sandbox: zurückgehalten, wird nie versendet)" if p.get("status") == "held" else ""
    return Description(title="Nachricht erstellt",
                       text=f"XMeld-Nachricht {p.get('message_type', '')} an {p.get('reader_name') or ''} "
                            f"({p.get('reader', '')}) geprüft und zum Versand bereitgestellt{held}.")


@describer("order_queued")
def _order(p: Mapping[str, Any], actor: str) -> Description:
    held = " (Sandbox: zurückgehalten)" if p.get("status") == "held" else ""
    return Description(title="Auftrag erstellt",
                       text=f"Auftrag {_q(p.get('kind'))} an {_q(p.get('channel'))} bereitgestellt{held}.")


@describer("message_delivered")
def _delivered(p: Mapping[str, Any], actor: str) -> Description:
    return Description(title="Nachricht zugestellt",
                       text=f"Nachricht {p.get('message_type', '')} an {p.get('reader', '')} über "
                            f"{p.get('transport', '?')} zugestellt (Versuch {p.get('attempt', '?')}).")


@describer("message_failed")
def _failed(p: Mapping[str, Any], actor: str) -> Description:
    return Description(title="Zustellung fehlgeschlagen",
                       text=f"Versuch {p.get('attempt', '?')} der Zustellung von {p.get('message_type', '')} ist "
                            f"fehlgeschlagen ({p.get('error', '')}); neuer Versuch ab {p.get('next_attempt_at', '?')}.")


@describer("message_dead_lettered")
def _dead(p: Mapping[str, Any], actor: str) -> Description:
    return Description(title="Zustellung aufgegeben",
                       text=f"Die Nachricht {p.get('message_type', '')} wurde nach {p.get('attempt', '?')} Versuchen "
                            f"nicht zugestellt ({p.get('error', '')}); sie muss von Hand erneut gesendet werden.")


@describer("message_resent")
def _resent(p: Mapping[str, Any], actor: str) -> Description:
    return Description(title="Nachricht erneut gesendet",
                       text=f"{actor} hat die Nachricht {p.get('message_type', '')} erneut zum Versand freigegeben.")


@describer("message_parked", "message_rejected")
def _inbound_problem(p: Mapping[str, Any], actor: str) -> Description:
    return Description(title="Eingang nicht zugeordnet",
                       text=f"Eine eingegangene Nachricht wurde nicht verarbeitet: {p.get('reason', '')}")


@describer("document_created")
def _document(p: Mapping[str, Any], actor: str) -> Description:
    return Description(title="Dokument erstellt",
                       text=f"Dokument {_q(p.get('titel'))} ({p.get('art', '')}, {p.get('dateiname', '')}) erstellt; "
                            f"SHA-256 {str(p.get('sha256', ''))[:16]}…")


# -- register -----------------------------------------------------------------------------------------
def _register(title: str, text: str) -> Describer:
    def fn(p: Mapping[str, Any], actor: str) -> Description:
        return Description(title=title, text=f"{text} (Person {p.get('person_id', '?')}).",
                           changes=_before_after(p))

    return fn


for _type, _title, _text in (
    ("register_person_created", "Person angelegt", "Person im Melderegister angelegt"),
    ("register_person_moved", "Umzug eingetragen", "Neue Wohnung im Melderegister eingetragen"),
    ("register_person_moved_out", "Auszug eingetragen", "Auszug (Abmeldung) im Melderegister eingetragen"),
    ("register_document_recorded", "Ausweisdokument eingetragen", "Pass- oder Ausweisdokument eingetragen"),
    ("register_document_invalidated", "Ausweisdokument entwertet", "Pass- oder Ausweisdokument für ungültig erklärt"),
    ("register_auskunftssperre_set", "Auskunftssperre geändert", "Auskunftssperre eingetragen oder geändert"),
    ("register_uebermittlungssperren_set", "Übermittlungssperre eingetragen",
     "Widerspruch gegen Datenübermittlungen als Übermittlungssperre eingetragen"),
):
    describer(_type)(_register(_title, _text))


_SEARCH_LABELS = {"familienname": "Familienname", "vornamen": "Vornamen", "geburtsname": "Geburtsname",
                  "geburtsdatum": "Geburtsdatum"}


@describer("register_searched")
def _searched(p: Mapping[str, Any], actor: str) -> Description:
    criteria = dict(p.get("kriterien")) if isinstance(p.get("kriterien"), Mapping) else {}
    if isinstance(criteria.get("geburtsdatum"), str):
        criteria["geburtsdatum"] = ".".join(reversed(criteria["geburtsdatum"].split("-")))
    shown = ", ".join(f"{_SEARCH_LABELS.get(k, k)} {_q(v)}" for k, v in criteria.items()) or "–"
    hits = p.get("treffer", 0)
    return Description(title="Einwohner gesucht",
                       text=f"Suche im Melderegister außerhalb eines Vorgangs ({shown}); {hits} Treffer.")


@describer("register_person_read")
def _person_read(p: Mapping[str, Any], actor: str) -> Description:
    return Description(title="Registereintrag gelesen",
                       text=f"Eintrag der Person {p.get('person_id', '?')} außerhalb eines Vorgangs gelesen.")


@describer("register_auskunft_given")
def _auskunft(p: Mapping[str, Any], actor: str) -> Description:
    data = p.get("daten") if isinstance(p.get("daten"), Mapping) else {}
    return Description(title="Melderegisterauskunft erteilt",
                       text=f"Auskunft aus dem Melderegister erteilt (Zweck: {p.get('zweck', '')}).",
                       changes=tuple(Change(field=str(k), before=None, after=v) for k, v in sorted(data.items())))


@describer("register_auskunft_blocked")
def _blocked(p: Mapping[str, Any], actor: str) -> Description:
    return Description(title="Auskunft gesperrt", text=str(p.get("hinweis") or "Auskunft wegen Auskunftssperre "
                                                                                "nicht erteilt."))
