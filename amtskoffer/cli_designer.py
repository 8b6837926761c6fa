"""Commands of the designer and auditor workspaces: service import/export/diff, audit dossiers.

``amtskoffer service …`` works on the published versions in the database; imports become
drafts (validated, never published silently) unless ``--publish`` is given, and can also be
written to the package folders with ``--to-disk``. ``amtskoffer audit dossier`` exports a case
as JSON (and PDF); the export is logged as a read of the case.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from amtskoffer.cli import Ctx, _case_id, _dump, audit, handle_errors, main
from engine.catalog.package import write_to_disk
from engine.designer.diff import as_dict
from engine.designer.service import DesignerService, ImportOutcome
from engine.designer.spiff_arena import read_spiff_folder, write_spiff_folder
from engine.service_layer.actors import Actor

CLI_ACTOR = "cli"


def _designer(obj: Ctx) -> DesignerService:
    return DesignerService(obj.engine)


@main.group()
def service() -> None:
    """Verfahrenspakete exportieren, importieren und vergleichen."""


@service.command("export")
@click.argument("service_id")
@click.argument("zip_file", type=click.Path(dir_okay=False))
@click.option("--version", "version_no", type=int, help="Version (Standard: die neueste veröffentlichte).")
@click.pass_obj
@handle_errors
def service_export(obj: Ctx, service_id: str, zip_file: str, version_no: int | None) -> None:
    """Das Verfahren SERVICE_ID als ZIP-Datei exportieren."""
    data = _designer(obj).export_zip(service_id, version_no)
    Path(zip_file).write_bytes(data)
    click.echo(f"{service_id} nach {zip_file} exportiert ({len(data)} Bytes).")


@service.command("export-spiff")
@click.argument("service_id")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--version", "version_no", type=int, help="Version (Standard: die neueste veröffentlichte).")
@click.option("--overwrite", is_flag=True, help="Auch in einen nicht leeren Ordner schreiben.")
@click.pass_obj
@handle_errors
def service_export_spiff(obj: Ctx, service_id: str, directory: str, version_no: int | None, overwrite: bool) -> None:
    """Das Verfahren als spiff-arena-Prozessmodell in den Ordner DIRECTORY schreiben."""
    folder = _designer(obj).export_spiff(service_id, version_no)
    written = write_spiff_folder(folder, Path(directory), overwrite=overwrite)
    click.echo(f"{len(written)} Dateien nach {directory} geschrieben.")


def _finish_import(obj: Ctx, designer: DesignerService, outcome: ImportOutcome, publish: str | None,
                   to_disk: bool) -> None:
    draft = outcome.draft
    for note in outcome.notes:
        click.echo(f"Hinweis: {note}")
    click.echo(f"Entwurf {draft.id} für „{draft.info.service_id}“ angelegt: {draft.info.errors} Fehler, "
               f"{draft.info.warnings} Hinweise.")
    for p in draft.validation.problems:
        prefix = "  Fehler" if p.severity == "error" else "  Hinweis"
        click.echo(f"{prefix} {p.location()} [{p.code}]: {p.user_message}")
    if to_disk:
        write_to_disk(draft.package, obj.engine.settings)
        click.echo(f"In {obj.engine.settings.processes_dir / draft.info.service_id} geschrieben.")
    if publish is not None:
        result = designer.drafts.publish(draft.id, Actor.system(CLI_ACTOR), publish)
        state = "neu veröffentlicht" if result.created else "unverändert (gleiche Version)"
        click.echo(f"Version {result.version_no} {state}.")
        if result.diff is not None:
            click.echo(f"Änderungen gegenüber Version {result.previous_version_no}: {result.diff.summary_de()}")


@service.command("import")
@click.argument("zip_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--service-id", help="Kennung statt der aus service.toml.")
@click.option("--publish", "publish", metavar="NOTIZ", help="Sofort veröffentlichen, mit dieser Änderungsnotiz.")
@click.option("--to-disk", is_flag=True, help="Auch in die Verfahrensordner (processes/bpmn, forms) schreiben.")
@click.pass_obj
@handle_errors
def service_import(obj: Ctx, zip_file: str, service_id: str | None, publish: str | None, to_disk: bool) -> None:
    """Ein Verfahren aus einer ZIP-Datei als Entwurf importieren (geprüft)."""
    designer = _designer(obj)
    outcome = designer.import_zip(Path(zip_file).read_bytes(), Actor.system(CLI_ACTOR), service_id=service_id)
    _finish_import(obj, designer, outcome, publish, to_disk)


@service.command("import-spiff")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--service-id", help="Kennung (Standard: aus dem Ordnernamen).")
@click.option("--leika-key", help="LeiKa-Schlüssel (14 Ziffern) statt des Platzhalters.")
@click.option("--role", "authority_role", help="Behördenrolle (meldebehoerde, passbehoerde, …).")
@click.option("--publish", "publish", metavar="NOTIZ", help="Sofort veröffentlichen, mit dieser Änderungsnotiz.")
@click.option("--to-disk", is_flag=True, help="Auch in die Verfahrensordner (processes/bpmn, forms) schreiben.")
@click.pass_obj
@handle_errors
def service_import_spiff(obj: Ctx, directory: str, service_id: str | None, leika_key: str | None,
                         authority_role: str | None, publish: str | None, to_disk: bool) -> None:
    """Ein spiff-arena-Prozessmodell (Ordner) als Entwurf importieren und seine Unit-Tests ausführen."""
    designer = _designer(obj)
    actor = Actor.system(CLI_ACTOR)
    outcome = designer.import_spiff(read_spiff_folder(Path(directory)), actor, service_id=service_id,
                                    leika_key=leika_key, authority_role=authority_role)
    report = designer.test_draft(outcome.draft.id, actor)
    for r in report.unit_tests:
        mark = click.style("bestanden", fg="green") if r.passed else click.style("FEHLGESCHLAGEN", fg="red")
        click.echo(f"Unit-Test {r.file} / {r.case}: {mark}" + ("" if r.passed else f" – {r.error}"))
    _finish_import(obj, designer, outcome, publish, to_disk)
    if report.unit_tests and not all(r.passed for r in report.unit_tests):
        sys.exit(1)


@service.command("diff")
@click.argument("service_id")
@click.argument("old", type=int)
@click.argument("new", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@handle_errors
def service_diff(obj: Ctx, service_id: str, old: int, new: int, as_json: bool) -> None:
    """Was sich zwischen Version OLD und NEW geändert hat (Element für Element)."""
    diff = _designer(obj).diff_versions(service_id, old, new)
    if as_json:
        _dump(as_dict(diff))
        return
    click.echo(f"{service_id}: Version {old} → {new}: {diff.summary_de()}")
    for e in diff.elements:
        click.echo(f"  {e.kind:8} {e.element_id} ({e.tag}, {e.file}) {e.name}")
        for c in e.changes:
            click.echo(f"           {c.label_de}: {_short(c.before)} → {_short(c.after)}")
    for c in diff.manifest:
        click.echo(f"  service.toml {c.label_de}: {_short(c.before)} → {_short(c.after)}")
    for f in diff.files:
        click.echo(f"  Datei {f.kind:8} {f.path}")
    for name in diff.layout_changed:
        click.echo(f"  Layout geändert: {name}")


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = text.replace("\n", "⏎")
    return text if len(text) <= limit else text[: limit - 1] + "…"


@audit.command("dossier")
@click.argument("case_ref")
@click.option("--pdf", "pdf_file", type=click.Path(dir_okay=False), help="Die Akte auch als PDF schreiben.")
@click.option("--json", "json_file", type=click.Path(dir_okay=False), help="JSON in diese Datei statt auf stdout.")
@click.pass_obj
@handle_errors
def audit_dossier(obj: Ctx, case_ref: str, pdf_file: str | None, json_file: str | None) -> None:
    """Die Prüfakte eines Vorgangs als JSON (und PDF) exportieren; wird als Einsicht protokolliert."""
    from engine.auditing.service import AuditorService

    auditor = AuditorService(obj.engine)
    actor = Actor.system(CLI_ACTOR)
    case_id = _case_id(obj.engine, case_ref)
    if pdf_file:
        data, pdf = auditor.dossier_with_pdf(case_id, actor)
        Path(pdf_file).write_bytes(pdf)
        click.echo(f"PDF nach {pdf_file} geschrieben.", err=json_file is None)
    else:
        data = auditor.dossier(case_id, actor)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if json_file:
        Path(json_file).write_text(text, encoding="utf-8")
        click.echo(f"JSON nach {json_file} geschrieben.")
    elif not pdf_file:
        click.echo(text)
