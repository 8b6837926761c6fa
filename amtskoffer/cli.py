"""The ``amtskoffer`` command line: the composition root that wires the engine (and the web app).

Every command goes through the engine's service layer; none touches tables directly.
Errors are printed in German (what a user reads) with the English detail on ``--verbose``.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from engine.errors import AmtskofferError, InputInvalid
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.settings import PROJECT_ROOT, Settings

F = TypeVar("F", bound=Callable[..., Any])
DEMO_DIR = PROJECT_ROOT / "demo"


class Ctx:
    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = Engine(Settings.from_env())
        return self._engine


def handle_errors(fn: F) -> F:
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except AmtskofferError as err:
            click.secho(f"Fehler: {err.user_message}", fg="red", err=True)
            if isinstance(err, InputInvalid):
                for field, messages in err.errors.items():
                    for m in messages:
                        click.echo(f"  {field or '(Formular)'}: {m}", err=True)
            ctx = click.get_current_context()
            if ctx.find_object(Ctx) and ctx.find_object(Ctx).verbose:  # type: ignore[union-attr]
                click.echo(f"  ({err.__class__.__name__}: {err})", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def _json_arg(text: str | None, file: str | None) -> dict[str, Any]:
    if file:
        text = Path(file).read_text(encoding="utf-8")
    if not text:
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise click.BadParameter(f"kein gültiges JSON: {err}") from err
    if not isinstance(data, dict):
        raise click.BadParameter("JSON-Objekt erwartet")
    return data


def _case_id(engine: Engine, ref: str) -> uuid.UUID:
    try:
        return uuid.UUID(ref)
    except ValueError:
        pass
    for c in engine.cases.list(Actor.system(), query=ref, limit=5, include_sandbox=True):
        if c.number == ref:
            return c.id
    raise click.BadParameter(f"Vorgang {ref!r} nicht gefunden")


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group()
@click.option("--verbose", "-v", is_flag=True, help="Technische Details zu Fehlern ausgeben.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Amtskoffer – BPMN-Verfahren für das mobile Bürgerbüro."""
    ctx.obj = Ctx(verbose)


# -- init ---------------------------------------------------------------------------------------
@main.command()
@click.option("--demo", is_flag=True, help="Demo-Behörden (und weitere Demodaten) laden.")
@click.pass_obj
@handle_errors
def init(obj: Ctx, demo: bool) -> None:
    """Datenbank migrieren, Verfahren aus processes/bpmn veröffentlichen, Demodaten laden."""
    engine = obj.engine
    engine.migrate()
    click.echo(f"Datenbank bereit: {engine.settings.database_url}")
    if demo:
        keys = engine.authorities.load_file(DEMO_DIR / "authorities.toml")
        click.echo(f"Behörden: {', '.join(keys)}")
        for hook in _demo_hooks:
            hook(engine)
    for r in engine.catalog.sync_from_disk():
        if r.action == "rejected":
            click.secho(f"Verfahren {r.service_id}: NICHT veröffentlicht ({len(r.problems)} Fehler)", fg="red")
            for p in r.problems[:10]:
                click.echo(f"  {p}")
        else:
            state = "neu veröffentlicht" if r.action == "published" else "unverändert"
            click.echo(f"Verfahren {r.service_id}: Version {r.version_no} ({state})")


_demo_hooks: list[Callable[[Engine], None]] = []


def demo_hook(fn: Callable[[Engine], None]) -> Callable[[Engine], None]:
    """Register a loader run by ``init --demo`` (register residents, demo users …)."""
    _demo_hooks.append(fn)
    return fn


# -- catalog ------------------------------------------------------------------------------------
@main.group()
def catalog() -> None:
    """Verfahrenskatalog prüfen und anzeigen."""


@catalog.command("check")
@click.argument("services", nargs=-1)
@click.pass_obj
@handle_errors
def catalog_check(obj: Ctx, services: tuple[str, ...]) -> None:
    """Verfahren prüfen (alle oder die genannten); Exit-Code 1 bei Fehlern."""
    from engine.catalog.package import discover

    engine = obj.engine
    ids = services or tuple(discover(engine.settings))
    errors = 0
    for sid in ids:
        problems = engine.catalog.check_disk(sid)
        errs = [p for p in problems if p.severity == "error"]
        errors += len(errs)
        status = click.style("OK", fg="green") if not errs else click.style(f"{len(errs)} Fehler", fg="red")
        click.echo(f"{sid}: {status}")
        for p in problems:
            prefix = "  Fehler" if p.severity == "error" else "  Hinweis"
            click.echo(f"{prefix} {p.location()} [{p.code}]: {p.user_message}")
            if obj.verbose:
                click.echo(f"      ({p.message})")
    if not services:
        # Message types are shared by all services: one broken type stops every message.send of it.
        from engine.xoev import check_message_types

        type_problems = check_message_types(engine.settings)
        errors += len(type_problems)
        status = click.style("OK", fg="green") if not type_problems else click.style(
            f"{len(type_problems)} Fehler", fg="red")
        click.echo(f"Nachrichtentypen: {status}")
        for tp in type_problems:
            click.echo(f"  Fehler {tp.file} [{tp.message_type}]: {tp.message}")
    sys.exit(1 if errors else 0)


@catalog.command("list")
@click.pass_obj
@handle_errors
def catalog_list(obj: Ctx) -> None:
    """Veröffentlichte Verfahren mit Version anzeigen."""
    with obj.engine.db.read() as s:
        for info in obj.engine.catalog.services_for(s):
            click.echo(f"{info.service_id:24} v{info.version_no:<3} {info.title} [{info.authority_role}]")


@catalog.command("publish")
@click.pass_obj
@handle_errors
def catalog_publish(obj: Ctx) -> None:
    """Geänderte Verfahren aus processes/bpmn veröffentlichen."""
    for r in obj.engine.catalog.sync_from_disk():
        click.echo(f"{r.service_id}: {r.action} {r.version_no or ''}")
        for p in r.problems:
            click.echo(f"  {p}")


# -- cases --------------------------------------------------------------------------------------
@main.group()
def case() -> None:
    """Vorgänge starten und anzeigen."""


def _print_case(view: Any) -> None:
    c = view.case
    click.echo(f"Vorgang {c.number} ({c.id})")
    click.echo(f"  Verfahren: {c.service_title} (v{c.version_no}) · Behörde: {c.authority_name}")
    click.echo(f"  Status: {c.status} · Titel: {c.title}")
    for t in view.ready:
        click.echo(f"  Offener Schritt: {t.name} [{t.spec}] task={t.task_id}")
        if t.form is not None:
            click.echo(f"    Formular: {t.form.schema_file}")
    for w in c.waiting_for:
        click.echo(f"  Wartet auf: {w['kind']} {w['name']}" + (f" (fällig {w['due']})" if w.get("due") else ""))


@case.command("start")
@click.argument("service")
@click.option("--authority", "-a", required=True, help="Kennung der bedienenden Behörde.")
@click.option("--data", help="Startdaten als JSON.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@handle_errors
def case_start(obj: Ctx, service: str, authority: str, data: str | None, as_json: bool) -> None:
    """Einen Vorgang für SERVICE starten."""
    view = obj.engine.cases.start(service, authority, Actor.system("cli"), _json_arg(data, None))
    _dump(_view_dict(view)) if as_json else _print_case(view)


@case.command("show")
@click.argument("case_ref")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@handle_errors
def case_show(obj: Ctx, case_ref: str, as_json: bool) -> None:
    """Vorgang mit offenen Schritten und Verlauf anzeigen (wird protokolliert)."""
    view = obj.engine.cases.view(_case_id(obj.engine, case_ref), Actor.system("cli"))
    if as_json:
        _dump(_view_dict(view))
        return
    _print_case(view)
    for st in view.steps:
        flag = " (überholt)" if st.superseded else ""
        click.echo(f"  {st.seq:3} {st.at:%d.%m.%Y %H:%M} {st.kind:8} {st.task_name or ''}{flag}")


@case.command("list")
@click.option("--status")
@click.option("--service")
@click.pass_obj
@handle_errors
def case_list(obj: Ctx, status: str | None, service: str | None) -> None:
    """Vorgänge auflisten."""
    for c in obj.engine.cases.list(Actor.system("cli"), status=status, service_id=service):
        click.echo(f"{c.number:16} {c.status:10} {c.service_id:20} {c.authority_key:22} {c.title}")


def _view_dict(view: Any) -> dict[str, Any]:
    c = view.case
    return {
        "id": str(c.id), "number": c.number, "service_id": c.service_id, "status": c.status, "title": c.title,
        "version": c.version, "authority": c.authority_key,
        "ready": [{"task_id": t.task_id, "spec": t.spec, "name": t.name, "kind": t.kind,
                   "form": t.form.schema_file if t.form else None, "values": t.values} for t in view.ready],
        "waiting_for": c.waiting_for, "path": view.path,
        "steps": [{"id": str(s.id), "seq": s.seq, "kind": s.kind, "task": s.task_spec, "actor": s.actor,
                   "superseded": s.superseded, "correctable": s.correctable} for s in view.steps],
        "data": view.data,
    }


# -- tasks --------------------------------------------------------------------------------------
@main.group()
def task() -> None:
    """Schritte eines Vorgangs abschließen oder korrigieren."""


@task.command("submit")
@click.argument("case_ref")
@click.argument("task_id", required=False)
@click.option("--data", help="Formulardaten als JSON.")
@click.option("--file", "data_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@handle_errors
def task_submit(obj: Ctx, case_ref: str, task_id: str | None, data: str | None, data_file: str | None,
                as_json: bool) -> None:
    """Den offenen Schritt (oder TASK_ID) mit Formulardaten abschließen."""
    engine = obj.engine
    cid = _case_id(engine, case_ref)
    actor = Actor.system("cli")
    if task_id is None:
        view = engine.cases.view(cid, actor, log_read=False)
        if len(view.ready) != 1:
            raise click.UsageError(f"{len(view.ready)} offene Schritte: bitte TASK_ID angeben")
        task_id = view.ready[0].task_id
    engine.cases.submit(cid, task_id, _json_arg(data, data_file), actor)
    view = engine.cases.view(cid, actor, log_read=False)
    _dump(_view_dict(view)) if as_json else _print_case(view)


@task.command("correct")
@click.argument("case_ref")
@click.argument("step_id")
@click.option("--data", help="Neue Formulardaten als JSON.")
@click.option("--file", "data_file", type=click.Path(exists=True, dir_okay=False))
@click.pass_obj
@handle_errors
def task_correct(obj: Ctx, case_ref: str, step_id: str, data: str | None, data_file: str | None) -> None:
    """Einen früheren Schritt (STEP_ID aus „case show --json“) mit neuen Daten wiederholen."""
    cid = _case_id(obj.engine, case_ref)
    obj.engine.cases.correct(cid, uuid.UUID(step_id), _json_arg(data, data_file), Actor.system("cli"))
    _print_case(obj.engine.cases.view(cid, Actor.system("cli"), log_read=False))


# -- messages (BPMN business messages; XMeld commands are added by engine.xoev) ------------------
@main.group()
def message() -> None:
    """Nachrichten zustellen und erzeugen."""


@message.command("deliver")
@click.argument("name")
@click.option("--payload", required=True, help="Nachrichteninhalt als JSON.")
@click.pass_obj
@handle_errors
def message_deliver(obj: Ctx, name: str, payload: str) -> None:
    """Eine Geschäftsnachricht NAME einem wartenden Vorgang zustellen."""
    result = obj.engine.cases.deliver_message(name, _json_arg(payload, None), source="cli")
    click.echo(f"{result.status} {result.case_id or ''} {result.reason}".rstrip())
    sys.exit(0 if result.status == "correlated" else 1)


# -- audit --------------------------------------------------------------------------------------
@main.group()
def audit() -> None:
    """Revisionssicheres Protokoll prüfen und exportieren."""


@audit.command("verify")
@click.pass_obj
@handle_errors
def audit_verify(obj: Ctx) -> None:
    """Die gesamte Hash-Kette prüfen; nennt das erste gebrochene Ereignis (Exit-Code 1)."""
    total = obj.engine.audit.event_count()
    with click.progressbar(length=total, label="Protokoll prüfen", file=sys.stderr) as bar:
        result = obj.engine.audit.verify(progress=bar.update)
    if result.ok:
        click.secho(f"Protokoll unverändert: {result.events} Ereignisse geprüft.", fg="green")
        return
    first = result.first
    assert first is not None
    where = f"Ereignis Nr. {first.global_seq}" if first.global_seq else f"Vorgang {first.case_id}"
    click.secho(f"Protokoll VERÄNDERT: Kette gebrochen bei {where} ({first.reason}).", fg="red")
    for b in result.breaks[1:10]:
        click.echo(f"  weiter: Nr. {b.global_seq} {b.reason}")
    sys.exit(1)


@audit.command("export")
@click.argument("case_ref")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Datei statt Standardausgabe.")
@click.pass_obj
@handle_errors
def audit_export(obj: Ctx, case_ref: str, output: str | None) -> None:
    """Den Verlauf eines Vorgangs als JSON exportieren."""
    data = obj.engine.audit.export_case(_case_id(obj.engine, case_ref), Actor.system("cli"))
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"{len(data['events'])} Ereignisse nach {output} geschrieben.")
    else:
        click.echo(text)


# -- worker, serve, bench ----------------------------------------------------------------------
_worker_tasks: list[Callable[[Engine], int]] = []


def worker_task(fn: Callable[[Engine], int]) -> Callable[[Engine], int]:
    """Register a periodic job of the worker (returns how much it did)."""
    _worker_tasks.append(fn)
    return fn


@worker_task
def _timers(engine: Engine) -> int:
    return len(engine.cases.fire_due_timers())


def run_worker_round(engine: Engine) -> int:
    """One round of every worker job; a failing job is reported and the others still run."""
    done = 0
    for job in _worker_tasks:
        try:
            done += job(engine)
        except Exception as err:  # the worker must keep running (database briefly away, full disk …)
            click.echo(f"worker: {job.__name__} failed: {err.__class__.__name__}: {err}", err=True)
    return done


@main.command()
@click.option("--once", is_flag=True, help="Nur eine Runde (Tests, Cron).")
@click.option("--interval", default=5.0, show_default=True, help="Sekunden zwischen den Runden.")
@click.pass_obj
@handle_errors
def worker(obj: Ctx, once: bool, interval: float) -> None:
    """Timer auslösen, Nachrichten zustellen und Eingänge verarbeiten."""
    engine = obj.engine
    while True:
        done = run_worker_round(engine)
        if once:
            click.echo(f"{done} erledigt")
            return
        time.sleep(interval if done == 0 else 0.2)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--with-worker", is_flag=True, help="Den Worker im selben Prozess mitlaufen lassen.")
@click.pass_obj
@handle_errors
def serve(obj: Ctx, host: str, port: int, with_worker: bool) -> None:
    """Die Weboberfläche auf HOST:PORT bereitstellen."""
    import threading

    from waitress import serve as waitress_serve

    from web import create_app

    engine = obj.engine
    app = create_app(engine=engine)
    if with_worker:
        def loop() -> None:
            while True:
                done = run_worker_round(engine)
                time.sleep(5.0 if done == 0 else 0.2)

        threading.Thread(target=loop, name="amtskoffer-worker", daemon=True).start()
    for line in app.config.get("STARTUP_NOTES", []):
        click.echo(line)
    click.echo(f"Amtskoffer läuft auf http://{host}:{port}/ (Beenden mit Strg+C)")
    waitress_serve(app, host=host, port=port, threads=8, ident="Amtskoffer")


@main.command()
@click.option("--out", default="bench/results.json", show_default=True, type=click.Path(dir_okay=False))
@click.option("--quick", is_flag=True, help="Kleinere Läufe (zum Ausprobieren).")
def bench(out: str, quick: bool) -> None:
    """Benchmarks ausführen und Ergebnisse als JSON schreiben."""
    from bench.run import run_all

    results = run_all(quick=quick, progress=lambda msg: click.echo(msg, err=True))
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(results, indent=2, sort_keys=True), encoding="utf-8")
    _dump(results)


@main.command()
@click.option("--check", is_flag=True, help="Nur prüfen, ob die Dokumentation aktuell ist (Exit-Code 1 sonst).")
def docs(check: bool) -> None:
    """docs/operations.md und die Hilfsfunktionstabelle aus den Registern neu erzeugen."""
    import shutil
    import tempfile

    from amtskoffer.docs import refresh
    from engine.operations import default_registry

    target = PROJECT_ROOT / "docs"
    if check:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "docs"
            shutil.copytree(target, copy)
            changed = refresh(copy, default_registry())
        for p in changed:
            click.echo(f"veraltet: docs/{p.name}")
        sys.exit(1 if changed else 0)
    for p in refresh(target, default_registry()):
        click.echo(f"aktualisiert: docs/{p.name}")


def _load_plugins() -> None:
    """Commands contributed by other parts (XMeld, register, users) register themselves here."""
    import importlib

    for name in ("amtskoffer.cli_xoev", "amtskoffer.cli_register", "amtskoffer.cli_users", "amtskoffer.cli_services",
                 "amtskoffer.cli_designer"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise


_load_plugins()
