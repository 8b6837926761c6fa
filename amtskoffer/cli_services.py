"""``amtskoffer test-service [SERVICE…]``: run the scenario files of service packages."""

from __future__ import annotations

import sys

import click

from amtskoffer.cli import Ctx, handle_errors, main
from engine.catalog.package import discover, read_from_disk
from engine.scenarios.report import format_result, summary
from engine.scenarios.runner import run_package
from engine.settings import Settings


@main.command("test-service")
@click.argument("services", nargs=-1)
@click.option("--datei", "-f", "files", multiple=True,
              help="Nur diese Testfall-Datei(en), Pfad im Paket, z. B. tests/fall1.yaml.")
@click.pass_obj
@handle_errors
def test_service(obj: Ctx, services: tuple[str, ...], files: tuple[str, ...]) -> None:
    """Die Testfälle (tests/*.yaml) der genannten Verfahren ausführen, ohne Angabe alle.

    Jeder Testfall läuft auf einer eigenen temporären Datenbank; die echte Datenbank bleibt
    unberührt. Exit-Code 1, wenn ein Testfall fehlschlägt.
    """
    settings = Settings.from_env()
    known = discover(settings)
    unknown = [s for s in services if s not in known]
    if unknown:
        raise click.UsageError(f"Unbekannte Verfahren: {', '.join(unknown)} (vorhanden: {', '.join(known)})")
    results = []
    for sid in services or tuple(known):
        package = read_from_disk(sid, settings)
        for result in run_package(package, settings=settings, only=files or None):
            for i, line in enumerate(format_result(result, verbose=obj.verbose)):
                click.secho(line, fg=None if i else ("green" if result.passed else "red"))
            results.append(result)
    click.echo(summary(results))
    sys.exit(1 if any(not r.passed for r in results) else 0)
