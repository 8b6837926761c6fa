"""Drafts of service packages: create, edit, validate on save, publish.

Contract:

- A draft is a full copy of a package's files (``package_draft``), separate from the published
  versions in ``package_version``: editing a draft never changes what cases run.
- Every save validates (catalog check + bpmnlint) *before* its transaction and stores the
  problems with the files, so reading a draft never re-validates. A save names the revision it
  is based on; if someone saved in between it fails with :class:`~engine.errors.Conflict`.
- File paths are checked like a zip import (relative, no ``..``, package file types, sizes);
  every bad path is reported in one :class:`~engine.errors.InputInvalid`.
- Publishing refuses a draft with errors, stores the files as the next version (or finds the
  identical existing one) with the change note, marks the draft published and returns the
  element diff to the version that was newest before. Running cases stay on their version.
- Only designers and admins may work on drafts; drafts are not bound to an authority.
- Audit events: ``package_draft_created``, ``package_draft_saved`` (changed paths, never the
  content), ``package_draft_discarded``, ``package_draft_published`` (plus the catalog's
  ``package_published``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session, undefer

from engine import clock
from engine.audit.log import NewEvent, append
from engine.catalog.package import MANIFEST, SERVICE_ID, TEXT_SUFFIXES, PackageFiles
from engine.designer.archive import MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES, safe_relative_path
from engine.designer.bpmnlint import BpmnLinter
from engine.designer.diff import PackageDiff, diff_packages
from engine.designer.models import PackageDraft
from engine.designer.skeleton import skeleton_package
from engine.designer.validation import Validation, problem_from_dict, problem_to_dict, validate_package
from engine.errors import Conflict, DesignError, InputInvalid, NotFound
from engine.service_layer.actors import Actor
from engine.store.models import PackageVersion

if TYPE_CHECKING:
    from engine.service_layer.core import Engine

DESIGN_ROLES = ("designer", "admin")


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftInfo:
    id: uuid.UUID
    service_id: str
    status: str
    """``open`` | ``published`` | ``discarded``"""
    revision: int
    content_hash: str
    base_version_id: uuid.UUID | None
    published_version_id: uuid.UUID | None
    errors: int
    warnings: int
    change_note: str
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftView:
    info: DraftInfo
    package: PackageFiles
    validation: Validation

    @property
    def id(self) -> uuid.UUID:
        return self.info.id


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishResult:
    version_id: uuid.UUID
    version_no: int
    content_hash: str
    created: bool
    """False: the draft equals an already stored version, which is now the published one."""
    previous_version_no: int | None
    diff: PackageDiff | None
    """Element diff to the version that was the newest before (None for a new service)."""


class DraftService:
    """Drafts of the engine's database; ``linter=None`` switches bpmnlint off (tests, no Node)."""

    def __init__(self, engine: Engine, *, linter: BpmnLinter | None = None) -> None:
        self.engine = engine
        self.linter = linter

    # -- creating ---------------------------------------------------------------------------------
    def create(self, service_id: str, actor: Actor, *, files: Mapping[str, str] | None = None,
               from_version_id: uuid.UUID | None = None, change_note: str = "", source: str = "") -> DraftView:
        """A new draft: of ``files``, of a stored version, of the newest published version, or a skeleton."""
        actor.require_role(*DESIGN_ROLES)
        if not SERVICE_ID.match(service_id or ""):
            raise InputInvalid(f"bad service id {service_id!r}", errors={"service_id": [
                "Die Kennung besteht aus 2 bis 63 Kleinbuchstaben, Ziffern und Unterstrichen und beginnt mit "
                "einem Buchstaben."]})
        base: PackageVersion | None = None
        with self.engine.db.read() as s:
            if from_version_id is not None:
                base = s.execute(select(PackageVersion).options(undefer(PackageVersion.files))
                                 .where(PackageVersion.id == from_version_id)).scalar_one_or_none()
                if base is None or base.service_id != service_id:
                    raise NotFound(f"version {from_version_id} of {service_id} not found",
                                   user_message="Die gewählte Version des Verfahrens gibt es nicht.")
            elif files is None:
                base = latest_published(s, service_id)
            content = dict(files) if files is not None else (dict(base.files) if base is not None else None)
        package = PackageFiles(service_id, content) if content is not None else skeleton_package(service_id)
        _check_paths(package.files)
        _check_totals(package.files)
        validation = self._validate(package)
        now = clock.now()
        draft = PackageDraft(
            id=uuid.uuid4(), service_id=service_id, files=dict(package.files), content_hash=package.content_hash,
            base_version_id=base.id if base is not None else None, revision=1,
            problems=[problem_to_dict(p) for p in validation.problems], lint_note=validation.lint_note,
            change_note=change_note, status="open", published_version_id=None, created_at=now,
            created_by=actor.name, updated_at=now, updated_by=actor.name,
        )
        origin = source or ("version" if base is not None else ("files" if files is not None else "new"))
        with self.engine.db.sessions.begin() as s:
            s.add(draft)
            s.flush()
            append(s, [NewEvent(type="package_draft_created", actor=actor.name, payload={
                "draft_id": str(draft.id), "service_id": service_id, "content_hash": draft.content_hash,
                "source": origin, "base_version_no": base.version_no if base is not None else None})], at=now)
        return self._view(draft, package, validation)

    # -- reading ---------------------------------------------------------------------------------
    def get(self, draft_id: uuid.UUID, actor: Actor) -> DraftView:
        actor.require_role(*DESIGN_ROLES)
        with self.engine.db.read() as s:
            draft = self._load(s, draft_id)
            package = PackageFiles(draft.service_id, dict(draft.files))
            validation = Validation(content_hash=draft.content_hash,
                                    problems=tuple(problem_from_dict(p) for p in draft.problems or []),
                                    lint_ran=not draft.lint_note, lint_note=draft.lint_note)
            return self._view(draft, package, validation)

    def list(self, actor: Actor, *, service_id: str | None = None, status: str | None = "open") -> list[DraftInfo]:
        actor.require_role(*DESIGN_ROLES)
        with self.engine.db.read() as s:
            stmt = select(PackageDraft).order_by(PackageDraft.updated_at.desc())
            if service_id:
                stmt = stmt.where(PackageDraft.service_id == service_id)
            if status:
                stmt = stmt.where(PackageDraft.status == status)
            return [_info(d) for d in s.execute(stmt).scalars()]

    def package(self, draft_id: uuid.UUID, actor: Actor) -> PackageFiles:
        return self.get(draft_id, actor).package

    # -- editing ---------------------------------------------------------------------------------
    def save(self, draft_id: uuid.UUID, changes: Mapping[str, str | None], actor: Actor, *,
             expected_revision: int, change_note: str | None = None) -> DraftView:
        """Write ``changes`` ({path: new text, or None to delete}) and validate; see the module contract."""
        actor.require_role(*DESIGN_ROLES)
        with self.engine.db.read() as s:
            draft = self._load(s, draft_id)
            self._require_open(draft)
            files = dict(draft.files)
            service_id = draft.service_id
        _check_paths({p: t for p, t in changes.items() if t is not None}, deleting=[p for p, t in changes.items()
                                                                                   if t is None])
        for path, text in changes.items():
            if text is None:
                files.pop(path, None)
            else:
                files[path] = text.replace("\r\n", "\n")
        _check_totals(files)
        package = PackageFiles(service_id, files)
        validation = self._validate(package)
        changed = sorted(p for p in changes if (draft.files.get(p) != files.get(p)))
        return self._store(draft_id, package, validation, actor, expected_revision, changed, change_note)

    def replace(self, draft_id: uuid.UUID, files: Mapping[str, str], actor: Actor, *, expected_revision: int,
                change_note: str | None = None) -> DraftView:
        """Replace all files of the draft (e.g. after editing a whole package elsewhere)."""
        actor.require_role(*DESIGN_ROLES)
        with self.engine.db.read() as s:
            draft = self._load(s, draft_id)
            self._require_open(draft)
            before = dict(draft.files)
            service_id = draft.service_id
        _check_paths(files)
        _check_totals(files)
        package = PackageFiles(service_id, {p: t.replace("\r\n", "\n") for p, t in files.items()})
        validation = self._validate(package)
        changed = sorted(p for p in set(before) | set(package.files) if before.get(p) != package.files.get(p))
        return self._store(draft_id, package, validation, actor, expected_revision, changed, change_note)

    def revalidate(self, draft_id: uuid.UUID, actor: Actor) -> DraftView:
        """Validate again (the operation registry or bpmnlint may have changed since the last save)."""
        view = self.get(draft_id, actor)
        validation = self._validate(view.package)
        with self.engine.db.sessions.begin() as s:
            s.execute(update(PackageDraft).where(PackageDraft.id == draft_id).values(
                problems=[problem_to_dict(p) for p in validation.problems], lint_note=validation.lint_note))
        return DraftView(info=view.info, package=view.package, validation=validation)

    def discard(self, draft_id: uuid.UUID, actor: Actor) -> None:
        actor.require_role(*DESIGN_ROLES)
        now = clock.now()
        with self.engine.db.sessions.begin() as s:
            draft = self._load(s, draft_id, lock=True)
            self._require_open(draft)
            draft.status, draft.updated_at, draft.updated_by = "discarded", now, actor.name
            append(s, [NewEvent(type="package_draft_discarded", actor=actor.name, payload={
                "draft_id": str(draft.id), "service_id": draft.service_id})], at=now)

    # -- publishing ------------------------------------------------------------------------------
    def publish(self, draft_id: uuid.UUID, actor: Actor, change_note: str | None = None, *,
                expected_revision: int | None = None) -> PublishResult:
        """Publish the draft as the newest version (see the module contract)."""
        actor.require_role(*DESIGN_ROLES)
        now = clock.now()
        with self.engine.db.sessions.begin() as s:
            draft = self._load(s, draft_id, lock=True)
            self._require_open(draft)
            if expected_revision is not None and draft.revision != expected_revision:
                raise _conflict(draft)
            package = PackageFiles(draft.service_id, dict(draft.files))
            note = (change_note if change_note is not None else draft.change_note).strip()
            if not note:
                raise InputInvalid("change note missing", errors={"change_note": [
                    "Bitte beschreiben Sie kurz, was sich in dieser Version ändert (Änderungsnotiz)."]})
            previous = latest_published(s, draft.service_id)
            previous_files = PackageFiles(previous.service_id, dict(previous.files)) if previous is not None else None
            previous_no = previous.version_no if previous is not None else None
            existing = s.execute(select(PackageVersion.id).where(
                PackageVersion.service_id == draft.service_id,
                PackageVersion.content_hash == package.content_hash)).scalar_one_or_none()
            try:
                pv = self.engine.catalog.publish(package, actor, note, session=s)
            except DesignError as err:
                raise DesignError(str(err), user_message=err.user_message, draft_id=str(draft_id),
                                  **err.context) from err
            draft.status, draft.published_version_id = "published", pv.id
            draft.change_note, draft.updated_at, draft.updated_by = note, now, actor.name
            append(s, [NewEvent(type="package_draft_published", actor=actor.name, payload={
                "draft_id": str(draft.id), "service_id": draft.service_id, "version_no": pv.version_no,
                "content_hash": pv.content_hash, "new_version": existing is None})], at=now)
            result_id, result_no, result_hash = pv.id, pv.version_no, pv.content_hash
        diff = diff_packages(previous_files, package) if previous_files is not None else None
        return PublishResult(version_id=result_id, version_no=result_no, content_hash=result_hash,
                             created=existing is None, previous_version_no=previous_no, diff=diff)

    # -- internals --------------------------------------------------------------------------------
    def _validate(self, package: PackageFiles) -> Validation:
        return validate_package(package, self.engine.registry, self.engine.settings, self.linter)

    def _store(self, draft_id: uuid.UUID, package: PackageFiles, validation: Validation, actor: Actor,
               expected_revision: int, changed: list[str], change_note: str | None) -> DraftView:
        now = clock.now()
        values: dict[str, object] = {
            "files": dict(package.files), "content_hash": package.content_hash, "revision": expected_revision + 1,
            "problems": [problem_to_dict(p) for p in validation.problems], "lint_note": validation.lint_note,
            "updated_at": now, "updated_by": actor.name,
        }
        if change_note is not None:
            values["change_note"] = change_note
        with self.engine.db.sessions.begin() as s:
            # Optimistic lock: only the revision the designer edited may be replaced.
            result = s.execute(update(PackageDraft).where(
                PackageDraft.id == draft_id, PackageDraft.revision == expected_revision,
                PackageDraft.status == "open").values(**values))
            if result.rowcount != 1:
                raise _conflict(self._load(s, draft_id))
            append(s, [NewEvent(type="package_draft_saved", actor=actor.name, payload={
                "draft_id": str(draft_id), "service_id": package.service_id, "revision": expected_revision + 1,
                "content_hash": package.content_hash, "changed": changed,
                "errors": len(validation.errors)})], at=now)
            draft = self._load(s, draft_id)
            s.refresh(draft)
            return self._view(draft, package, validation)

    @staticmethod
    def _load(s: Session, draft_id: uuid.UUID, *, lock: bool = False) -> PackageDraft:
        stmt = select(PackageDraft).options(undefer(PackageDraft.files)).where(PackageDraft.id == draft_id)
        draft = s.execute(stmt.with_for_update() if lock else stmt).scalar_one_or_none()
        if draft is None:
            raise NotFound(f"draft {draft_id} not found", user_message="Der Entwurf wurde nicht gefunden.")
        return draft

    @staticmethod
    def _require_open(draft: PackageDraft) -> None:
        if draft.status != "open":
            state = "veröffentlicht" if draft.status == "published" else "verworfen"
            raise Conflict(f"draft {draft.id} is {draft.status}",
                           user_message=f"Der Entwurf wurde bereits {state} und kann nicht mehr geändert werden.")

    @staticmethod
    def _view(draft: PackageDraft, package: PackageFiles, validation: Validation) -> DraftView:
        return DraftView(info=_info(draft, validation), package=package, validation=validation)


def latest_published(s: Session, service_id: str) -> PackageVersion | None:
    """The newest published version of a service with its files loaded, or None."""
    return s.execute(
        select(PackageVersion).options(undefer(PackageVersion.files))
        .where(PackageVersion.service_id == service_id, PackageVersion.status == "published")
        .order_by(PackageVersion.version_no.desc()).limit(1)
    ).scalar_one_or_none()


def _info(d: PackageDraft, validation: Validation | None = None) -> DraftInfo:
    problems = list(validation.problems) if validation is not None else [problem_from_dict(p) for p in d.problems or []]
    errors = sum(1 for p in problems if p.severity == "error")
    return DraftInfo(id=d.id, service_id=d.service_id, status=d.status, revision=d.revision,
                     content_hash=d.content_hash, base_version_id=d.base_version_id,
                     published_version_id=d.published_version_id, errors=errors, warnings=len(problems) - errors,
                     change_note=d.change_note, created_at=d.created_at, created_by=d.created_by,
                     updated_at=d.updated_at, updated_by=d.updated_by)


def _conflict(draft: PackageDraft) -> Conflict:
    return Conflict(f"draft {draft.id} is at revision {draft.revision}",
                    user_message=f"Der Entwurf wurde inzwischen von {draft.updated_by} gespeichert (Stand "
                                 f"{draft.revision}). Bitte laden Sie ihn neu und übernehmen Sie Ihre Änderungen.")


def _check_paths(files: Mapping[str, str], *, deleting: list[str] | None = None) -> None:
    errors: dict[str, list[str]] = {}
    for path, text in files.items():
        clean = safe_relative_path(path) if isinstance(path, str) else None
        if clean is None or clean != path:
            errors[str(path)] = ["Ungültiger Dateipfad: relativ, ohne „..“, mit „/“ getrennt."]
        elif any(part.startswith((".", "__")) for part in PurePosixPath(path).parts):
            errors[path] = ["Versteckte Dateien gehören nicht in ein Verfahrenspaket."]
        elif PurePosixPath(path).suffix.lower() not in TEXT_SUFFIXES:
            errors[path] = ["Dieser Dateityp gehört nicht in ein Verfahrenspaket (erlaubt: "
                            + ", ".join(sorted(TEXT_SUFFIXES)) + ")."]
        elif not isinstance(text, str):
            errors[path] = ["Der Inhalt muss Text sein."]
        elif len(text.encode("utf-8")) > MAX_FILE_BYTES:
            errors[path] = [f"Die Datei ist zu groß (höchstens {MAX_FILE_BYTES // (1024 * 1024)} MB)."]
    for path in deleting or []:
        if path == MANIFEST:
            errors[path] = ["service.toml kann nicht gelöscht werden."]
    if errors:
        raise InputInvalid(f"invalid draft files: {sorted(errors)}", errors=errors,
                           user_message="Einige Dateien können so nicht gespeichert werden.")


def _check_totals(files: Mapping[str, str]) -> None:
    total = sum(len(t.encode("utf-8")) for t in files.values())
    if len(files) > MAX_FILES or total > MAX_TOTAL_BYTES:
        raise InputInvalid(f"draft too large: {len(files)} files, {total} bytes", errors={"": [
            f"Ein Verfahrenspaket hat höchstens {MAX_FILES} Dateien und "
            f"{MAX_TOTAL_BYTES // (1024 * 1024)} MB."]})
