"""Designer pages around drafts: overview, new service, import, one draft, files, tests, publishing.

Every change goes through :class:`engine.designer.drafts.DraftService` (validated on save,
optimistic lock on the revision); rejected input re-renders the page with the German messages
and everything typed (status 422/409), success redirects (post/redirect/get).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.catalog.package import AUTHORITY_ROLES, MANIFEST, SERVICE_ID, PackageFiles
from engine.designer.archive import export_zip
from engine.designer.drafts import DraftView
from engine.designer.skeleton import skeleton_package
from engine.errors import Conflict, DesignError, InputInvalid
from engine.store.models import PackageVersion
from web.context import actor, engine
from web.designer import bp, designer, load_draft, parse_uuid, revision
from web.designer.config import SCHEMA_SUFFIX, UI_SUFFIX, form_names
from web.designer.sandbox import sandbox_authorities
from web.designer.uploads import spiff_folder_from_files, spiff_folder_from_zip, uploaded_text_files
from web.designer.versions import render_diff

FORM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$")
UPLOAD_FOLDERS = ("", "forms", "tests", "tests/spiff", "documents")


def status_de() -> dict[str, str]:
    return {"open": _("offen"), "published": _("veröffentlicht"), "discarded": _("verworfen")}


def upload_folders() -> dict[str, str]:
    """Where uploaded files may go, with German labels (in the order of :data:`UPLOAD_FOLDERS`)."""
    labels = (_("Hauptordner (Diagramme, Tabellen, service.toml)"), _("forms/ (Formulare)"),
              _("tests/ (Testfälle)"), _("tests/spiff/ (spiff-arena-Unit-Tests)"),
              _("documents/ (Dokumentvorlagen)"))
    return dict(zip(UPLOAD_FOLDERS, labels, strict=True))


# -- overview -------------------------------------------------------------------------------------
def _services() -> list[dict[str, Any]]:
    eng = engine()
    with eng.db.read() as s:
        infos = eng.catalog.services_for(s)
        counts = {sid: len(eng.catalog.versions(s, sid)) for sid in {i.service_id for i in infos}}
    return [{"info": i, "versions": counts.get(i.service_id, 0)} for i in sorted(infos, key=lambda i: i.title)]


def _index(errors: Mapping[str, list[str]] | None = None, form: Mapping[str, Any] | None = None,
           status: int = 200, notes: list[str] | None = None) -> Any:
    return render_template("designer/index.html", title=_("Verfahrensgestaltung"), services=_services(),
                           drafts=designer().drafts.list(actor()), errors=errors or {}, form=form or {},
                           roles=AUTHORITY_ROLES, notes=notes or [], status_de=status_de()), status


@bp.get("/")
def index() -> Any:
    return _index()


@bp.post("/drafts")
def create_draft() -> Any:
    service_id = request.form.get("service_id", "").strip()
    title = request.form.get("title", "").strip()[:200]
    act = actor()
    published = _published(service_id)
    if request.form.get("neu") == "1" and published:
        return _index({"service_id": [_("Ein Verfahren mit dieser Kennung ist schon veröffentlicht. Legen Sie "
                                        "einen Entwurf aus der veröffentlichten Version an.")]},
                      request.form, 422)
    from_version = parse_uuid(request.form.get("version_id", ""))
    try:
        if from_version is not None:
            draft = designer().drafts.create(service_id, act, from_version_id=from_version)
        elif published or not SERVICE_ID.match(service_id):
            draft = designer().drafts.create(service_id, act)
        else:
            skeleton = skeleton_package(service_id, title)
            draft = designer().drafts.create(service_id, act, files=skeleton.files, source="new")
    except InputInvalid as err:
        return _index(err.errors, request.form, 422)
    flash(_("Entwurf für „%(id)s“ angelegt.", id=service_id), "erfolg")
    return redirect(url_for("designer.draft", draft_id=draft.id))


def _published(service_id: str) -> bool:
    eng = engine()
    with eng.db.read() as s:
        return any(i.service_id == service_id for i in eng.catalog.services_for(s))


def _uploads(field: str) -> list[tuple[str, bytes]]:
    return [(f.filename or "", f.read()) for f in request.files.getlist(field) if f and f.filename]


@bp.post("/import")
def import_package() -> Any:
    kind = request.form.get("art", "zip")
    service_id = request.form.get("service_id", "").strip() or None
    uploads = _uploads("datei")
    act = actor()
    try:
        if not uploads:
            raise InputInvalid("no file", errors={"datei": [_("Bitte wählen Sie eine Datei aus.")]},
                               user_message=_("Bitte wählen Sie eine Datei aus."))
        if kind == "spiff":
            if len(uploads) == 1 and uploads[0][0].lower().endswith(".zip"):
                folder = spiff_folder_from_zip(uploads[0][1], uploads[0][0].rsplit(".", 1)[0])
            else:
                folder = spiff_folder_from_files(uploads, service_id or "")
            outcome = designer().import_spiff(folder, act, service_id=service_id,
                                              leika_key=request.form.get("leika_key", "").strip() or None,
                                              authority_role=request.form.get("authority_role") or None)
        else:
            outcome = designer().import_zip(uploads[0][1], act, service_id=service_id)
    except InputInvalid as err:
        errors = {("import_" + k if k else "import_datei"): v for k, v in err.errors.items()}
        if not errors:
            errors = {"import_datei": [err.user_message]}
        return _index(errors, {**request.form, "import_art": kind}, 422)
    for note in outcome.notes:
        flash(note, "info")
    flash(_("Import als Entwurf für „%(id)s“ angelegt: %(errors)s Fehler, %(warnings)s Hinweis(e).",
            id=outcome.draft.info.service_id, errors=outcome.draft.info.errors,
            warnings=outcome.draft.info.warnings), "erfolg")
    return redirect(url_for("designer.draft", draft_id=outcome.draft.id))


# -- one draft ------------------------------------------------------------------------------------
def file_groups(package: PackageFiles) -> list[tuple[str, list[tuple[str, str]]]]:
    """(group title, [(path, editor kind)]) for the draft page; kinds: bpmn, dmn, form, text."""
    forms = set(form_names(package))
    groups: dict[str, list[tuple[str, str]]] = {k: [] for k in ("bpmn", "dmn", "forms", "tests", "documents",
                                                                "other")}
    for path in sorted(package.files):
        if path in package.bpmn_files():
            groups["bpmn"].append((path, "bpmn"))
        elif path in package.dmn_files():
            groups["dmn"].append((path, "dmn"))
        elif path.startswith("forms/"):
            name = path[len("forms/"):]
            base = name.removesuffix(SCHEMA_SUFFIX).removesuffix(UI_SUFFIX)
            groups["forms"].append((path, "form" if base in forms and "/" not in base else "text"))
        elif path.startswith("tests/"):
            groups["tests"].append((path, "text"))
        elif path.startswith("documents/"):
            groups["documents"].append((path, "text"))
        else:
            groups["other"].append((path, "text"))
    titles = {"bpmn": _("Prozessdiagramme"), "dmn": _("Entscheidungstabellen"), "forms": _("Formulare"),
              "tests": _("Testfälle"), "documents": _("Dokumentvorlagen"), "other": _("Weitere Dateien")}
    return [(titles[k], v) for k, v in groups.items() if v]


def form_base(path: str) -> str:
    return path[len("forms/"):].removesuffix(SCHEMA_SUFFIX).removesuffix(UI_SUFFIX)


def base_version_no(view: DraftView) -> int | None:
    if view.info.base_version_id is None:
        return None
    with engine().db.read() as s:
        pv = s.get(PackageVersion, view.info.base_version_id)
        return pv.version_no if pv is not None else None


def published_version_no(view: DraftView) -> int | None:
    if view.info.published_version_id is None:
        return None
    with engine().db.read() as s:
        pv = s.get(PackageVersion, view.info.published_version_id)
        return pv.version_no if pv is not None else None


def render_draft(view: DraftView, *, errors: Mapping[str, list[str]] | None = None, message: str = "",
                 form: Mapping[str, Any] | None = None, status: int = 200) -> Any:
    return render_template(
        "designer/draft.html", title=_("Entwurf: %(id)s", id=view.info.service_id), view=view,
        groups=file_groups(view.package), by_file=view.validation.by_file(), base_no=base_version_no(view),
        published_no=published_version_no(view), errors=errors or {}, message=message, form=form or {},
        upload_folders=upload_folders(), status_de=status_de(), form_base=form_base,
        authorities=sandbox_authorities(view.package), page_error=status >= 400), status


@bp.get("/drafts/<uuid:draft_id>")
def draft(draft_id: uuid.UUID) -> Any:
    return render_draft(load_draft(draft_id))


@bp.post("/drafts/<uuid:draft_id>/files")
def upload_files(draft_id: uuid.UUID) -> Any:
    folder = request.form.get("ordner", "")
    if folder not in UPLOAD_FOLDERS:
        folder = ""
    act = actor()
    try:
        files = uploaded_text_files(_uploads("dateien"), folder)
        view = designer().drafts.save(draft_id, files, act, expected_revision=revision())
    except InputInvalid as err:
        return render_draft(load_draft(draft_id), errors={"dateien": [m for v in err.errors.values() for m in v]},
                            message=err.user_message, status=422)
    except Conflict as err:
        return render_draft(load_draft(draft_id), message=err.user_message, status=409)
    flash(_("%(n)s Datei(en) gespeichert (Stand %(rev)s): %(errors)s Fehler, %(warnings)s Hinweis(e).",
            n=len(files), rev=view.info.revision, errors=view.info.errors, warnings=view.info.warnings), "erfolg")
    return redirect(url_for("designer.draft", draft_id=draft_id))


@bp.post("/drafts/<uuid:draft_id>/forms")
def new_form(draft_id: uuid.UUID) -> Any:
    name = request.form.get("name", "").strip()
    current = load_draft(draft_id)
    if not FORM_NAME.match(name):
        return render_draft(current, errors={"formular_name": [_(
            "Der Name besteht aus Buchstaben, Ziffern, „_“ und „-“ (höchstens 60 Zeichen).")]},
                            form=request.form, status=422)
    schema_path = f"forms/{name}{SCHEMA_SUFFIX}"
    if schema_path in current.package.files:
        return redirect(url_for("designer.edit_form", draft_id=draft_id, name=name))
    title = request.form.get("titel", "").strip() or name.replace("_", " ").capitalize()
    schema = ('{\n  "title": ' + json.dumps(title, ensure_ascii=False) + ',\n  "type": "object",\n  "required": [],\n'
              '  "properties": {}\n}\n')
    try:
        designer().drafts.save(draft_id, {schema_path: schema, f"forms/{name}{UI_SUFFIX}": "{}\n"}, actor(),
                               expected_revision=revision())
    except Conflict as err:
        return render_draft(load_draft(draft_id), message=err.user_message, status=409)
    flash(_("Formular „%(name)s“ angelegt.", name=name), "erfolg")
    return redirect(url_for("designer.edit_form", draft_id=draft_id, name=name))


@bp.route("/drafts/<uuid:draft_id>/file", methods=["GET", "POST"])
def edit_file(draft_id: uuid.UUID) -> Any:
    """Any file of the draft as text (also a new one: ``?path=tests/neu.yaml``)."""
    path = (request.values.get("path") or "").strip()
    current = load_draft(draft_id)
    if not path:
        abort(404)
    text = current.package.files.get(path)
    message, status, errors = "", 200, {}
    if request.method == "POST":
        action = request.form.get("_action", "save")
        posted = request.form.get("text", "")
        change: dict[str, str | None] = {path: None} if action == "delete" else {path: posted}
        try:
            view = designer().drafts.save(draft_id, change, actor(), expected_revision=revision())
        except InputInvalid as err:
            text, message, status = posted, err.user_message, 422
            errors = {"text": [m for v in err.errors.values() for m in v]}
        except Conflict as err:
            text, message, status = posted, err.user_message, 409
        else:
            if action == "delete":
                flash(_("„%(path)s“ wurde gelöscht.", path=path), "erfolg")
                return redirect(url_for("designer.draft", draft_id=draft_id))
            flash(_("„%(path)s“ gespeichert (Stand %(rev)s): %(errors)s Fehler, %(warnings)s Hinweis(e).",
                    path=path, rev=view.info.revision, errors=view.info.errors, warnings=view.info.warnings),
                  "erfolg")
            return redirect(url_for("designer.edit_file", draft_id=draft_id, path=path))
        current = load_draft(draft_id)
    problems = current.validation.by_file().get(path, [])
    return render_template("designer/file.html", title=_("Datei %(path)s", path=path), view=current, path=path,
                           text=text if text is not None else "", exists=path in current.package.files,
                           problems=problems, message=message, errors=errors, manifest=MANIFEST,
                           page_error=status >= 400), status


# -- checking, testing, publishing ----------------------------------------------------------------
@bp.post("/drafts/<uuid:draft_id>/revalidate")
def revalidate(draft_id: uuid.UUID) -> Any:
    view = designer().drafts.revalidate(draft_id, actor())
    flash(_("Erneut geprüft: %(errors)s Fehler, %(warnings)s Hinweis(e).", errors=len(view.validation.errors),
            warnings=len(view.validation.warnings)), "erfolg")
    return redirect(url_for("designer.draft", draft_id=draft_id))


@bp.post("/drafts/<uuid:draft_id>/tests")
def run_tests(draft_id: uuid.UUID) -> Any:
    view = load_draft(draft_id)
    only = [f for f in request.form.getlist("datei") if f in view.package.files] or None
    report = designer().test_draft(draft_id, actor(), only=only)
    return render_template("designer/tests.html", title=_("Testfälle: %(id)s", id=view.info.service_id),
                           view=view, report=report)


@bp.post("/drafts/<uuid:draft_id>/publish")
def publish(draft_id: uuid.UUID) -> Any:
    note = request.form.get("change_note", "").strip()
    act = actor()
    try:
        result = designer().drafts.publish(draft_id, act, note, expected_revision=revision())
    except InputInvalid as err:
        return render_draft(load_draft(draft_id), errors=err.errors, form=request.form, status=422)
    except DesignError as err:
        return render_draft(load_draft(draft_id), message=err.user_message, form=request.form, status=422)
    except Conflict as err:
        return render_draft(load_draft(draft_id), message=err.user_message, form=request.form, status=409)
    service_id = load_draft(draft_id).info.service_id
    if result.created:
        flash(_("Version %(no)s von „%(id)s“ veröffentlicht. Neue Vorgänge starten mit ihr; laufende bleiben auf "
                "ihrer Version.", no=result.version_no, id=service_id), "erfolg")
    else:
        flash(_("Der Inhalt entspricht der schon gespeicherten Version %(no)s; sie ist jetzt die aktuelle.",
                no=result.version_no), "info")
    return redirect(url_for("designer.version", service_id=service_id, version_no=result.version_no))


@bp.post("/drafts/<uuid:draft_id>/discard")
def discard(draft_id: uuid.UUID) -> Any:
    view = load_draft(draft_id)
    try:
        designer().discard(draft_id, actor())
    except Conflict as err:
        return render_draft(view, message=err.user_message, status=409)
    flash(_("Der Entwurf für „%(id)s“ wurde verworfen.", id=view.info.service_id), "erfolg")
    return redirect(url_for("designer.index"))


@bp.get("/drafts/<uuid:draft_id>/diff")
def draft_diff(draft_id: uuid.UUID) -> Any:
    view = load_draft(draft_id)
    base_no = base_version_no(view)
    diff = designer().diff_draft(draft_id, actor())
    old = designer().version(view.info.service_id, base_no) if base_no is not None else None
    return render_diff(title=_("Änderungen im Entwurf: %(id)s", id=view.info.service_id), diff=diff, old=old,
                       new=view.package, old_label=_("Version %(no)s", no=base_no) if base_no else "",
                       new_label=_("Entwurf (Stand %(rev)s)", rev=view.info.revision), draft=view)


@bp.get("/drafts/<uuid:draft_id>/export.zip")
def export_draft(draft_id: uuid.UUID) -> Any:
    view = load_draft(draft_id)
    response = Response(export_zip(view.package), mimetype="application/zip")
    name = f"{view.info.service_id}-entwurf-{view.info.revision}.zip"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

