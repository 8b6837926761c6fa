"""``amtskoffer user add|passwd|disable|enable|list|token`` and the demo users of ``init --demo``."""

from __future__ import annotations

import secrets

import click

from amtskoffer.cli import Ctx, demo_hook, handle_errors, main
from engine.errors import InputInvalid
from engine.identity import IdentityService
from engine.service_layer.core import Engine

DEMO_USERS = [
    # name, display name, roles, authorities
    ("sachbearbeitung", "Petra Demo (Sachbearbeitung)", ["clerk"], ["neubukow-salzhaff", "neubukow"]),
    ("sachbearbeitung2", "Jonas Demo (Sachbearbeitung Lützow-Lübstorf)", ["clerk"], ["luetzow-luebstorf"]),
    ("gestaltung", "Greta Demo (Verfahrensgestaltung)", ["designer"], ["neubukow-salzhaff"]),
    ("pruefung", "Paul Demo (Prüfung)", ["auditor"], ["neubukow-salzhaff", "neubukow", "luetzow-luebstorf",
                                                       "feldberger-seenlandschaft"]),
    ("admin", "Anna Demo (Administration)", ["admin"], ["neubukow-salzhaff"]),
]
DEMO_NOTES: list[str] = []
"""Lines for ``amtskoffer serve`` to print once (the demo passwords), filled by the demo hook."""


def _password(value: str | None) -> str:
    if value:
        return value
    return click.prompt("Passwort", hide_input=True, confirmation_prompt=True)


@main.group()
def user() -> None:
    """Benutzer verwalten (Rollen: clerk, designer, auditor, admin)."""


@user.command("add")
@click.argument("name")
@click.option("--role", "-r", "roles", multiple=True, required=True, help="Rolle (mehrfach möglich).")
@click.option("--authority", "-a", "authorities", multiple=True, required=True, help="Behördenkennung (mehrfach).")
@click.option("--display-name", default="", help="Angezeigter Name.")
@click.option("--password", envvar="AMTSKOFFER_NEW_PASSWORD", help="Passwort (sonst Abfrage).")
@click.pass_obj
@handle_errors
def user_add(obj: Ctx, name: str, roles: tuple[str, ...], authorities: tuple[str, ...], display_name: str,
             password: str | None) -> None:
    """Benutzer NAME anlegen."""
    info = IdentityService(obj.engine).add_user(name, _password(password), roles=roles, authorities=authorities,
                                                display_name=display_name)
    click.echo(f"Benutzer {info.name} angelegt ({', '.join(sorted(info.roles))}; {', '.join(info.authority_keys)}).")


@user.command("passwd")
@click.argument("name")
@click.option("--password", envvar="AMTSKOFFER_NEW_PASSWORD", help="Neues Passwort (sonst Abfrage).")
@click.pass_obj
@handle_errors
def user_passwd(obj: Ctx, name: str, password: str | None) -> None:
    """Passwort von NAME ändern (beendet alle Sitzungen)."""
    IdentityService(obj.engine).set_password(name, _password(password))
    click.echo(f"Passwort von {name} geändert.")


@user.command("disable")
@click.argument("name")
@click.pass_obj
@handle_errors
def user_disable(obj: Ctx, name: str) -> None:
    """NAME sperren (beendet alle Sitzungen; API-Schlüssel gelten nicht mehr)."""
    IdentityService(obj.engine).set_active(name, False)
    click.echo(f"Benutzer {name} gesperrt.")


@user.command("enable")
@click.argument("name")
@click.pass_obj
@handle_errors
def user_enable(obj: Ctx, name: str) -> None:
    """NAME wieder freigeben."""
    IdentityService(obj.engine).set_active(name, True)
    click.echo(f"Benutzer {name} freigegeben.")


@user.command("list")
@click.pass_obj
@handle_errors
def user_list(obj: Ctx) -> None:
    """Alle Benutzer mit Rollen und Behörden."""
    for u in IdentityService(obj.engine).list():
        state = "aktiv" if u.active else "gesperrt"
        click.echo(f"{u.name:20} {state:9} {','.join(sorted(u.roles)):22} {', '.join(u.authority_keys)}")


@user.command("token")
@click.argument("name")
@click.option("--label", default="", help="Wofür der Schlüssel ist.")
@click.pass_obj
@handle_errors
def user_token(obj: Ctx, name: str, label: str) -> None:
    """Einen API-Schlüssel für NAME erzeugen (wird nur einmal angezeigt)."""
    click.echo(IdentityService(obj.engine).issue_token(name, label))


@demo_hook
def demo_users(engine: Engine) -> None:
    """Create the demo users once, with random passwords shown once by ``amtskoffer serve``."""
    service = IdentityService(engine)
    existing = {u.name for u in service.list()}
    created = []
    for name, display, roles, authorities in DEMO_USERS:
        if name in existing:
            continue
        password = "demo-" + secrets.token_urlsafe(9)
        try:
            service.add_user(name, password, roles=roles, authorities=authorities, display_name=display)
        except InputInvalid as err:  # e.g. an authority missing from a customised demo file
            click.echo(f"Demo-Benutzer {name} nicht angelegt: {err.errors}", err=True)
            continue
        created.append((name, password, display))
    if created:
        path = engine.settings.var_dir / "demo-logins.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"{n:18} Passwort: {p:20} {d}" for n, p, d in created]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        path.chmod(0o600)
        click.echo(f"Demo-Benutzer angelegt; Anmeldedaten in {path}")
