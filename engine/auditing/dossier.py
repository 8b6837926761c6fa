"""A case dossier: everything about one case as JSON, and the same as a PDF with clear tables.

JSON (``format`` ``amtskoffer-dossier/1``): ``erstellt_am``/``erstellt_von``, ``vorgang`` (the
case), ``kette`` (chain status), ``verlauf`` (the timeline with German texts and before/after),
``schritte``, ``nachrichten`` (with their XML), ``dokumente`` (metadata; the PDFs themselves
are not embedded) and ``ereignisse``: the raw audit events with their hashes, so the chain can
be re-verified from the dossier alone.

The PDF is rendered with the document renderer of :mod:`engine.documents` (WeasyPrint,
PDF/A-3b, no resources loaded): the letterhead layout ``amtskoffer/dokument.html.j2`` of the
serving authority, filled with the tables below. Times are shown in German local time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine.audit.chain import jsonable
from engine.clock import BERLIN

if TYPE_CHECKING:
    from engine.auditing.service import CaseRecord

FORMAT = "amtskoffer-dossier/1"
TEMPLATE_NAME = "pruefakte.html.j2"
MAX_VALUE_CHARS = 300

_TEMPLATE = """{% extends "amtskoffer/dokument.html.j2" %}
{% block inhalt %}
<style>
  table.liste th, table.liste td { font-size: 8pt; width: auto; }
  table.liste th { background: #e8edf2; }
  tr { page-break-inside: avoid; }
  td.nr { text-align: right; white-space: nowrap; }
  .klein { font-size: 7.5pt; color: #333; }
  pre { font: 6.5pt/1.25 "DejaVu Sans Mono", monospace; white-space: pre-wrap; word-break: break-all;
        border: 0.5pt solid #999; padding: 2mm; margin: 1mm 0 4mm; }
  .ok { color: #135e13; font-weight: bold; } .gebrochen { color: #a00000; font-weight: bold; }
</style>
<h2>Vorgang</h2>
<table>
  <tr><th>Nummer</th><td>{{ v.nummer }}</td></tr>
  <tr><th>Verfahren</th><td>{{ v.verfahren_titel }} ({{ v.verfahren }}, Version {{ v.version }})</td></tr>
  <tr><th>Behörde</th><td>{{ v.behoerde_name }}</td></tr>
  <tr><th>Titel</th><td>{{ v.titel }}</td></tr>
  <tr><th>Status</th><td>{{ v.status }}</td></tr>
  <tr><th>Begonnen</th><td>{{ v.begonnen_am }} von {{ v.begonnen_von }}</td></tr>
  <tr><th>Abgeschlossen</th><td>{{ v.abgeschlossen_am or "–" }}</td></tr>
  <tr><th>Akte erstellt</th><td>{{ erstellt_am }} von {{ erstellt_von }}</td></tr>
</table>
<h2>Prüfung der Hash-Kette</h2>
<p class="{{ 'ok' if kette.verified else 'gebrochen' }}">{{ kette.text }}</p>
<h2>Verlauf ({{ verlauf | length }} Ereignisse)</h2>
<table class="liste">
  <tr><th>Nr.</th><th>Zeitpunkt</th><th>Wer</th><th>Ereignis</th><th>Änderungen (vorher → nachher)</th></tr>
  {% for e in verlauf %}
  <tr><td class="nr">{{ e.nr }}</td><td>{{ e.zeit }}</td><td>{{ e.wer }}</td>
      <td><b>{{ e.titel }}</b><br>{{ e.text }}</td>
      <td>{% for c in e.aenderungen %}<div>{{ c.feld }}: {{ c.vorher }} → {{ c.nachher }}</div>{% endfor %}</td></tr>
  {% endfor %}
</table>
<h2>Schritte</h2>
<table class="liste">
  <tr><th>Nr.</th><th>Zeitpunkt</th><th>Art</th><th>Aufgabe</th><th>Wer</th><th>Hinweis</th></tr>
  {% for s in schritte %}
  <tr><td class="nr">{{ s.nr }}</td><td>{{ s.zeit }}</td><td>{{ s.art }}</td><td>{{ s.aufgabe }}</td>
      <td>{{ s.wer }}</td><td>{{ s.hinweis }}</td></tr>
  {% endfor %}
</table>
<h2>Nachrichten ({{ nachrichten | length }})</h2>
{% for m in nachrichten %}
<table class="liste">
  <tr><th>Richtung</th><th>Art</th><th>Partner</th><th>Status</th><th>Gültig</th><th>Zeitpunkt</th></tr>
  <tr><td>{{ m.richtung }}</td><td>{{ m.art }}</td><td>{{ m.partner }}</td><td>{{ m.status }}</td>
      <td>{{ m.gueltig }}</td><td>{{ m.zeit }}</td></tr>
</table>
<pre>{{ m.inhalt }}</pre>
{% else %}<p>Keine.</p>{% endfor %}
<h2>Dokumente ({{ dokumente | length }})</h2>
{% if dokumente %}
<table class="liste">
  <tr><th>Titel</th><th>Datei</th><th>Größe</th><th>Erstellt</th><th>SHA-256</th></tr>
  {% for d in dokumente %}
  <tr><td>{{ d.titel }}</td><td>{{ d.dateiname }}</td><td class="nr">{{ d.groesse }}</td><td>{{ d.zeit }}</td>
      <td class="klein">{{ d.sha256 }}</td></tr>
  {% endfor %}
</table>
{% else %}<p>Keine.</p>{% endif %}
{% endblock %}
"""


def _time(value: datetime | str | None) -> str:
    if value is None or value == "":
        return ""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M:%S")


def dossier_data(record: CaseRecord, events: list[dict[str, Any]], *, actor: str, now: datetime) -> dict[str, Any]:
    """The JSON dossier of ``record`` (see the module docstring)."""
    c = record.case
    return jsonable({
        "format": FORMAT,
        "erstellt_am": now,
        "erstellt_von": actor,
        "vorgang": {
            "id": c.id, "nummer": c.number, "verfahren": c.service_id, "verfahren_titel": c.service_title,
            "version": c.version_no, "version_id": c.package_version_id, "behoerde": c.authority_key,
            "behoerde_name": c.authority_name, "status": c.status, "titel": c.title, "merkmale": c.labels,
            "begonnen_am": c.started_at, "begonnen_von": c.started_by, "abgeschlossen_am": c.completed_at,
            "sandbox": record.sandbox, "offen": c.ready_tasks, "wartet_auf": c.waiting_for,
        },
        "kette": record.chain.as_dict(),
        "verlauf": [{"nr": e.case_seq, "global_nr": e.global_seq, "zeit": e.at, "wer": e.actor, "typ": e.type,
                     "titel": e.title, "text": e.text,
                     "aenderungen": [{"feld": ch.field, "vorher": ch.before, "nachher": ch.after} for ch in e.changes],
                     "hash": e.hash} for e in record.timeline],
        "schritte": [{"nr": st.seq, "art": st.kind, "aufgabe": st.task_spec, "aufgabe_name": st.task_name,
                      "wer": st.actor, "zeit": st.at, "eingaben": st.submitted, "weg": list(st.path),
                      "unumkehrbar": st.irreversible, "ueberholt": st.superseded} for st in record.steps],
        "nachrichten": [{"richtung": m.direction, "id": m.id, "art": m.kind, "typ": m.message_type,
                         "partner": m.partner, "status": m.status, "gueltig": m.valid, "zeit": m.at,
                         "zugestellt_am": m.delivered_at, "inhalt": m.content, "pruefung": m.validation}
                        for m in record.messages],
        "dokumente": [{"id": d.id, "art": d.kind, "titel": d.title, "dateiname": d.filename,
                       "medientyp": d.media_type, "sha256": d.sha256, "groesse": d.size, "zeit": d.created_at}
                      for d in record.documents],
        "ereignisse": events,
    })


def _short(value: Any) -> str:
    if value is None:
        return "–"
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + " …"


_KINDS_DE = {"start": "Beginn", "submit": "Eingabe", "correct": "Korrektur", "timer": "Frist", "message": "Nachricht"}


def pdf_context(data: Mapping[str, Any], behoerde: Mapping[str, Any]) -> dict[str, Any]:
    """The template context for the PDF: the dossier's values formatted for reading."""
    v = dict(data["vorgang"])
    v.update(begonnen_am=_time(v.get("begonnen_am")), abgeschlossen_am=_time(v.get("abgeschlossen_am")))
    return {
        "behoerde": dict(behoerde),
        "vorgang": {"nummer": v["nummer"], "id": v["id"]},
        "dokument": {"titel": f"Prüfakte Vorgang {v['nummer']}", "art": "pruefakte",
                     "erstellt_am": data["erstellt_am"]},
        "v": v,
        "erstellt_am": _time(data["erstellt_am"]),
        "erstellt_von": data["erstellt_von"],
        "kette": data["kette"],
        "verlauf": [{"nr": e["nr"], "zeit": _time(e["zeit"]), "wer": e["wer"], "titel": e["titel"], "text": e["text"],
                     "aenderungen": [{"feld": c["feld"] or "Wert", "vorher": _short(c["vorher"]),
                                      "nachher": _short(c["nachher"])} for c in e["aenderungen"]]}
                    for e in data["verlauf"]],
        "schritte": [{"nr": s["nr"], "zeit": _time(s["zeit"]), "art": _KINDS_DE.get(s["art"], s["art"]),
                      "aufgabe": s["aufgabe_name"] or s["aufgabe"] or "", "wer": s["wer"],
                      "hinweis": "überholt (korrigiert)" if s["ueberholt"] else (
                          "nicht mehr korrigierbar (Register/Nachricht)" if s["unumkehrbar"] else "")}
                     for s in data["schritte"]],
        "nachrichten": [{"richtung": "ausgehend" if m["richtung"] == "out" else "eingehend",
                         "art": m["typ"] or m["art"], "partner": m["partner"], "status": m["status"],
                         "gueltig": "ja" if m["gueltig"] else "nein", "zeit": _time(m["zeit"]), "inhalt": m["inhalt"]}
                        for m in data["nachrichten"]],
        "dokumente": [{"titel": d["titel"], "dateiname": d["dateiname"], "groesse": f"{d['groesse']} B",
                       "zeit": _time(d["zeit"]), "sha256": d["sha256"]} for d in data["dokumente"]],
    }


def render_dossier_pdf(data: Mapping[str, Any], behoerde: Mapping[str, Any]) -> bytes:
    """The dossier as PDF/A-3b bytes."""
    from engine.documents.render import render_pdf

    return render_pdf({f"documents/{TEMPLATE_NAME}": _TEMPLATE}, TEMPLATE_NAME, pdf_context(data, behoerde))
