"""``amtskoffer message …`` commands for XMeld and the outbox, and the worker's message jobs.

Commands (added to the ``message`` group of :mod:`amtskoffer.cli`):
``examples DIR``, ``outbox [--status]``, ``show ID``, ``resend ID``, ``deliver-now``,
``receive FILE``, ``inbound [--status]``, ``reprocess ID``.
Worker jobs: one delivery round, and the inbound folder (plus messages left half-processed).
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import click

from amtskoffer.cli import Ctx, handle_errors, message, worker_task
from engine.messaging import inbound
from engine.messaging.delivery import deliver_due
from engine.messaging.examples import write_examples
from engine.messaging.service import MessageService
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.settings import Settings

CLI_ACTOR = Actor.system("cli")


def _id(ref: str) -> uuid.UUID:
    try:
        return uuid.UUID(ref)
    except ValueError as err:
        raise click.BadParameter(f"keine Nachrichten-ID: {ref!r}") from err


@message.command("examples")
@click.argument("directory", type=click.Path(file_okay=False))
@handle_errors
def message_examples(directory: str) -> None:
    """Je Nachrichtentyp eine gültige Beispielnachricht nach DIRECTORY schreiben (über message.send)."""
    # Runs on its own temporary database; the configured one is not touched.
    for path in write_examples(Path(directory), Settings.from_env()):
        click.echo(str(path))


@message.command("outbox")
@click.option("--status", type=click.Choice(["pending", "delivered", "dead", "held"]))
@click.option("--limit", default=50, show_default=True)
@click.pass_obj
@handle_errors
def message_outbox(obj: Ctx, status: str | None, limit: int) -> None:
    """Postausgang anzeigen (neueste zuerst)."""
    for m in MessageService(obj.engine).outbox(CLI_ACTOR, status=status, limit=limit):
        error = f"  – {m.last_error}" if m.last_error else ""
        click.echo(f"{m.id}  {m.status:9} {m.attempts:2}x  {m.message_type:36} → {m.reader_name or m.reader}"
                   f"  {m.case_number or ''}{error}")


@message.command("show")
@click.argument("message_id")
@click.pass_obj
@handle_errors
def message_show(obj: Ctx, message_id: str) -> None:
    """Eine ausgehende Nachricht (XML bzw. JSON) ausgeben."""
    view = MessageService(obj.engine).get(_id(message_id), CLI_ACTOR)
    click.echo((view.body or b"").decode("utf-8"))


@message.command("resend")
@click.argument("message_id")
@click.pass_obj
@handle_errors
def message_resend(obj: Ctx, message_id: str) -> None:
    """Eine nicht zustellbare Nachricht erneut in den Versand geben."""
    view = MessageService(obj.engine).resend(_id(message_id), CLI_ACTOR)
    click.echo(f"{view.id} wieder im Versand ({view.status}).")


@message.command("deliver-now")
@click.option("--limit", default=50, show_default=True)
@click.pass_obj
@handle_errors
def message_deliver_now(obj: Ctx, limit: int) -> None:
    """Eine Zustellrunde ausführen."""
    result = deliver_due(obj.engine, limit=limit)
    click.echo(f"zugestellt: {result.delivered}, fehlgeschlagen: {result.failed}, "
               f"aufgegeben: {result.dead}")


@message.command("receive")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.pass_obj
@handle_errors
def message_receive(obj: Ctx, file: str) -> None:
    """Eine eingehende Nachricht verarbeiten: XMeld (*.xml) oder JSON {name, payload, nachricht_id?}."""
    result = inbound.receive_file(obj.engine, Path(file))
    click.echo(f"{result.status} {result.inbound_id} {result.case_id or ''} {result.reason}".rstrip())
    sys.exit(0 if result.accepted else 1)


@message.command("inbound")
@click.option("--status", type=click.Choice(["received", "correlated", "parked", "rejected"]))
@click.option("--limit", default=50, show_default=True)
@click.pass_obj
@handle_errors
def message_inbound(obj: Ctx, status: str | None, limit: int) -> None:
    """Eingegangene Nachrichten anzeigen (zurückgestellte mit Grund)."""
    for m in MessageService(obj.engine).inbound(CLI_ACTOR, status=status, limit=limit):
        what = m.message_type or m.message_name or ""
        click.echo(f"{m.id}  {m.status:10} {what:36} {m.case_number or ''}  {m.reason or ''}".rstrip())


@message.command("reprocess")
@click.argument("inbound_id")
@click.pass_obj
@handle_errors
def message_reprocess(obj: Ctx, inbound_id: str) -> None:
    """Eine zurückgestellte eingehende Nachricht erneut zuordnen."""
    result = MessageService(obj.engine).reprocess(_id(inbound_id), CLI_ACTOR)
    click.echo(f"{result.status} {result.case_id or ''} {result.reason}".rstrip())


@worker_task
def deliver_outbox(engine: Engine) -> int:
    """Worker job: one delivery round; returns the number of attempts."""
    return deliver_due(engine).attempted


@worker_task
def process_inbound(engine: Engine) -> int:
    """Worker job: the inbound folder, then messages a crashed run left unprocessed."""
    return len(inbound.scan_folder(engine)) + inbound.retry_stuck(engine)
