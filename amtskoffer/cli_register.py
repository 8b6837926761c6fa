"""``amtskoffer register search|show|demo`` and the demo residents of ``init --demo``."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import click

from amtskoffer.cli import DEMO_DIR, Ctx, demo_hook, handle_errors, main
from engine.register import demo
from engine.register.query import SearchQuery
from engine.register.service import RegisterService
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine

RESIDENTS_FILE = DEMO_DIR / "residents.toml"


def _service(engine: Engine) -> RegisterService:
    return RegisterService(engine.db, engine.settings)


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise click.BadParameter(f"„{value}“ ist kein Datum (JJJJ-MM-TT).") from err


def _address(a: dict[str, Any] | None) -> str:
    if not a:
        return "(keine Wohnung)"
    return f"{a['strasse']} {a['hausnummer']}, {a['postleitzahl']} {a['ort']}"


@main.group()
def register() -> None:
    """Melderegister durchsuchen und anzeigen."""


@register.command("search")
@click.argument("familienname")
@click.option("--vornamen", help="Vorname(n).")
@click.option("--geburtsdatum", help="Geburtsdatum JJJJ-MM-TT.")
@click.option("--geburtsname", help="Geburtsname.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@handle_errors
def register_search(obj: Ctx, familienname: str, vornamen: str | None, geburtsdatum: str | None,
                    geburtsname: str | None, as_json: bool) -> None:
    """Personen suchen (unscharf: Umlaute, Schreibvarianten, Doppelnamen)."""
    hits = _service(obj.engine).search_as(SearchQuery(familienname=familienname, vornamen=vornamen,
                                                      geburtsdatum=_date(geburtsdatum), geburtsname=geburtsname),
                                          Actor.system("cli"))
    if as_json:
        click.echo(json.dumps(hits, ensure_ascii=False, indent=2, default=str))
        return
    for h in hits:
        flags = " [Auskunftssperre]" if h["auskunftssperre"] else ""
        flags += " [verstorben]" if h["verstorben"] else ""
        click.echo(f"{h['familienname']}, {h['vornamen']} (geb. {h['geburtsdatum']:%d.%m.%Y}) – "
                   f"{_address(h['anschrift'])} – geführt von {h['gefuehrt_von_name']}{flags} "
                   f"[{h['treffer_art']}] {h['person_id']}")
    click.echo(f"{len(hits)} Treffer")


@register.command("show")
@click.argument("person_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@handle_errors
def register_show(obj: Ctx, person_id: str, as_json: bool) -> None:
    """Eine Person mit Wohnungen, Dokumenten und Sperren anzeigen."""
    try:
        pid = uuid.UUID(person_id)
    except ValueError as err:
        raise click.BadParameter(f"„{person_id}“ ist keine Personenkennung.") from err
    p = _service(obj.engine).person_as(pid, Actor.system("cli"))
    if as_json:
        click.echo(json.dumps(p, ensure_ascii=False, indent=2, default=str))
        return
    title = f"{p['doktorgrad']} " if p["doktorgrad"] else ""
    click.echo(f"{title}{p['vornamen']} {p['familienname']} (geb. {p['geburtsdatum']:%d.%m.%Y}"
               + (f" in {p['geburtsort']}" if p["geburtsort"] else "") + ")")
    click.echo(f"  Geführt von: {p['gefuehrt_von_name']} · Staatsangehörigkeiten: "
               f"{', '.join(p['staatsangehoerigkeiten'])} · Familienstand: {p['familienstand'] or '-'}")
    for w in p["wohnungen"]:
        until = f" bis {w['ausgezogen_am']:%d.%m.%Y}" if w["ausgezogen_am"] else ""
        click.echo(f"  Wohnung ({w['art']}): {_address(w)} seit {w['eingezogen_am']:%d.%m.%Y}{until}")
    for d in p["dokumente"]:
        click.echo(f"  {d['art']} {d['seriennummer']}: gültig bis {d['gueltig_bis']:%d.%m.%Y} – {d['status']}")
    for s in p["auskunftssperren"]:
        click.echo(f"  Auskunftssperre bis {s['bis']:%d.%m.%Y}: {s['grund']}")
    if p["uebermittlungssperren"]:
        click.echo(f"  Übermittlungssperren: {', '.join(p['uebermittlungssperren'])}")
    for v in p["gesetzliche_vertreter"]:
        click.echo(f"  Gesetzlicher Vertreter: {v['vornamen']} {v['familienname']} ({v['person_id']})")
    for k in p["kinder"]:
        click.echo(f"  Kind: {k['vornamen']} {k['familienname']} ({k['person_id']})")


@register.command("demo")
@click.option("--count", default=demo.DEFAULT_COUNT, show_default=True, help="Einwohner je Behörde.")
@click.option("--seed", default=demo.DEFAULT_SEED, show_default=True)
@click.pass_obj
@handle_errors
def register_demo(obj: Ctx, count: int, seed: int) -> None:
    """Fiktive Demo-Einwohner erzeugen (fehlende werden ergänzt, nichts doppelt)."""
    _report(_service(obj.engine).load_demo(RESIDENTS_FILE, count=count, seed=seed))


def _report(result: Any) -> None:
    added = sum(result.added.values())
    parts = ", ".join(f"{k} {v}" for k, v in result.added.items())
    click.echo(f"Demo-Einwohner: {added} neu ({parts}) in {result.seconds:.2f} s")


@demo_hook
def load_demo_residents(engine: Engine) -> None:
    _report(_service(engine).load_demo(RESIDENTS_FILE))
