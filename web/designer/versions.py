"""Published versions: the list per service, one version with its visual diff, exports.

The diff (:func:`engine.designer.diff.diff_packages`) is shown twice: on the diagrams (viewer
markers: added and changed elements on the new version, removed and changed ones on the old
one, each with a text badge, drawn by ``static/js/designer.js``) and as tables (every changed
field before → after, service.toml, other files as unified diffs), so nothing depends on colour
or on JavaScript.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from engine.catalog.package import PackageFiles, parse_manifest
from engine.designer.diff import PackageDiff, changed_elements_by_file
from engine.designer.drafts import DraftView
from engine.errors import NotFound
from engine.insight.elements import OPEN_STATUSES
from engine.insight.graph import diagram_graph
from engine.store.models import Case, PackageVersion
from web.context import actor, engine
from web.designer import bp, designer
from web.designer.uploads import spiff_zip


def _version_no(text: str) -> int:
    if not text.isdigit():
        abort(404)
    return int(text)


def _versions(service_id: str) -> list[PackageVersion]:
    eng = engine()
    with eng.db.read() as s:
        versions = eng.catalog.versions(s, service_id)
    if not versions:
        raise NotFound(f"service {service_id} not found",
                       user_message=_("Das Verfahren „%(id)s“ gibt es nicht.", id=service_id))
    return versions


def _case_counts(version_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    """Cases per version (the designer's authorities, no sandbox): all and still open."""
    act = actor()
    stmt = (select(Case.package_version_id, Case.status, func.count()).where(
        Case.package_version_id.in_(version_ids), Case.sandbox.is_(False))
            .group_by(Case.package_version_id, Case.status))
    if act.authority_ids is not None:
        stmt = stmt.where(Case.authority_id.in_(act.authority_ids))
    out: dict[uuid.UUID, dict[str, int]] = {v: {"all": 0, "open": 0} for v in version_ids}
    with engine().db.read() as s:
        for vid, status, n in s.execute(stmt):
            out[vid]["all"] += n
            if status in OPEN_STATUSES:
                out[vid]["open"] += n
    return out


@bp.get("/services/<service_id>")
def service(service_id: str) -> Any:
    versions = _versions(service_id)
    drafts = designer().drafts.list(actor(), service_id=service_id)
    return render_template("designer/service.html", title=versions[0].manifest.get("title", service_id),
                           service_id=service_id, versions=versions,
                           counts=_case_counts([v.id for v in versions]), drafts=drafts)


@bp.get("/services/<service_id>/versions/<version_no>")
def version(service_id: str, version_no: str) -> Any:
    number = _version_no(version_no)
    versions = _versions(service_id)
    pv = next((v for v in versions if v.version_no == number), None)
    if pv is None:
        abort(404)
    older = [v for v in versions if v.version_no < number]
    previous = older[0] if older else None
    new = designer().version(service_id, number)
    old = designer().version(service_id, previous.version_no) if previous is not None else None
    diff = designer().diff_versions(service_id, previous.version_no, number) if previous is not None else None
    return render_diff(title=_("%(title)s – Version %(no)s", title=pv.manifest.get("title", service_id), no=number),
                       diff=diff, old=old, new=new,
                       old_label=_("Version %(no)s", no=previous.version_no) if previous is not None else "",
                       new_label=_("Version %(no)s", no=number), pv=pv, counts=_case_counts([pv.id])[pv.id])


def render_diff(*, title: str, diff: PackageDiff | None, old: PackageFiles | None, new: PackageFiles,
                old_label: str, new_label: str, pv: PackageVersion | None = None,
                counts: dict[str, int] | None = None, draft: DraftView | None = None) -> Any:
    """The version/draft page: the diagrams with the diff marked, and the diff as tables."""
    marks = changed_elements_by_file(diff) if diff is not None else {}
    files = sorted(set(new.bpmn_files()) | set(old.bpmn_files() if old is not None else []))
    entry = diagram_graph(new).process_files.get(_entry(new)) or (files[0] if files else "")
    shown = request.args.get("datei") or next((f for f in files if f in marks), entry)
    if shown not in files:
        abort(404)
    return render_template(
        "designer/version.html", title=title, diff=diff, files=files, shown=shown, pv=pv, counts=counts or {},
        draft=draft, new_label=new_label, old_label=old_label,
        new_xml=new.files.get(shown), old_xml=old.files.get(shown) if old is not None else None,
        new_marks={k: v for k, v in marks.get(shown, {}).items() if v != "removed"},
        old_marks={k: v for k, v in marks.get(shown, {}).items() if v != "added"})


def _entry(package: PackageFiles) -> str:
    manifest, _problems = parse_manifest(package)
    return manifest.entry_process if manifest is not None else ""


def _download(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/services/<service_id>/versions/<version_no>/export.zip")
def export_version(service_id: str, version_no: str) -> Any:
    number = _version_no(version_no)
    return _download(designer().export_zip(service_id, number), f"{service_id}-v{number}.zip")


@bp.get("/services/<service_id>/versions/<version_no>/spiff-arena.zip")
def export_version_spiff(service_id: str, version_no: str) -> Any:
    number = _version_no(version_no)
    folder = designer().export_spiff(service_id, number)
    return _download(spiff_zip(folder), f"{folder.name}-v{number}-spiff-arena.zip")

