"""The designer's workspace as one service-layer object: ``DesignerService(engine)``.

It composes the parts of :mod:`engine.designer` for the web pages and the CLI:

- ``drafts`` (:class:`~engine.designer.drafts.DraftService`): create, save (validated), publish;
- ``sandbox`` (:class:`~engine.designer.sandbox.SandboxService`): step through a draft;
- published versions: files, element diff between two versions or a draft and its base;
- import and export: zip and spiff-arena folders (imports become drafts, never published
  directly; publishing is a separate, checked step);
- tests: a draft's scenarios and spiff-arena unit tests.

Every method that changes something or reads a draft requires the role designer or admin.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import undefer

from engine.catalog.package import PackageFiles
from engine.designer.archive import ImportedPackage, export_zip, import_zip
from engine.designer.bpmnlint import BpmnLinter
from engine.designer.diff import PackageDiff, diff_packages
from engine.designer.drafts import DESIGN_ROLES, DraftService, DraftView, latest_published
from engine.designer.sandbox import SandboxService
from engine.designer.spiff_arena import SpiffFolder, export_spiff, import_spiff
from engine.designer.testing import PackageTestReport, run_package_tests
from engine.errors import NotFound
from engine.service_layer.actors import Actor
from engine.service_layer.views import CaseView
from engine.store.models import PackageVersion

if TYPE_CHECKING:
    from engine.service_layer.core import Engine


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportOutcome:
    draft: DraftView
    notes: tuple[str, ...]
    """What the import left out or assumed (German)."""


class DesignerService:
    def __init__(self, engine: Engine, *, linter: BpmnLinter | Literal["auto"] | None = "auto",
                 sandbox: SandboxService | None = None) -> None:
        self.engine = engine
        self.linter = BpmnLinter() if linter == "auto" else linter
        self.drafts = DraftService(engine, linter=self.linter)
        self.sandbox = sandbox or SandboxService(engine)

    # -- published versions ------------------------------------------------------------------------
    def version(self, service_id: str, version_no: int | None = None) -> PackageFiles:
        """The files of a stored version (the newest published one if ``version_no`` is None)."""
        with self.engine.db.read() as s:
            if version_no is None:
                pv = latest_published(s, service_id)
            else:
                pv = s.execute(select(PackageVersion).options(undefer(PackageVersion.files)).where(
                    PackageVersion.service_id == service_id, PackageVersion.version_no == version_no)
                ).scalar_one_or_none()
            if pv is None:
                which = f"Version {version_no}" if version_no is not None else "eine veröffentlichte Version"
                raise NotFound(f"{service_id} v{version_no} not found",
                               user_message=f"Vom Verfahren „{service_id}“ gibt es {which} nicht.")
            return PackageFiles(pv.service_id, dict(pv.files))

    def diff_versions(self, service_id: str, old_no: int, new_no: int) -> PackageDiff:
        """Element diff from version ``old_no`` to ``new_no``."""
        return diff_packages(self.version(service_id, old_no), self.version(service_id, new_no))

    def diff_draft(self, draft_id: uuid.UUID, actor: Actor, *, against_version_no: int | None = None) -> PackageDiff:
        """Element diff from the draft's base (or ``against_version_no``, else the newest) to the draft."""
        draft = self.drafts.get(draft_id, actor)
        service_id = draft.info.service_id
        if against_version_no is None and draft.info.base_version_id is not None:
            with self.engine.db.read() as s:
                pv = s.get(PackageVersion, draft.info.base_version_id)
                against_version_no = pv.version_no if pv is not None else None
        try:
            base = self.version(service_id, against_version_no)
        except NotFound:
            base = PackageFiles(service_id, {})
        return diff_packages(base, draft.package)

    # -- import and export --------------------------------------------------------------------------
    def export_zip(self, service_id: str, version_no: int | None = None) -> bytes:
        return export_zip(self.version(service_id, version_no))

    def export_spiff(self, service_id: str, version_no: int | None = None) -> SpiffFolder:
        return export_spiff(self.version(service_id, version_no))

    def import_zip(self, data: bytes, actor: Actor, *, service_id: str | None = None) -> ImportOutcome:
        """A zip as a new draft (validated, not published)."""
        actor.require_role(*DESIGN_ROLES)
        return self._as_draft(import_zip(data, service_id=service_id), actor, "zip")

    def import_spiff(self, folder: SpiffFolder, actor: Actor, *, service_id: str | None = None,
                     leika_key: str | None = None, authority_role: str | None = None) -> ImportOutcome:
        """A spiff-arena model folder as a new draft (validated, not published)."""
        actor.require_role(*DESIGN_ROLES)
        imported = import_spiff(folder, service_id=service_id, leika_key=leika_key, authority_role=authority_role)
        return self._as_draft(imported, actor, "spiff-arena")

    def _as_draft(self, imported: ImportedPackage, actor: Actor, source: str) -> ImportOutcome:
        pkg = imported.package
        draft = self.drafts.create(pkg.service_id, actor, files=pkg.files, source=source,
                                   change_note=f"Import ({source})")
        return ImportOutcome(draft=draft, notes=imported.notes)

    def discard(self, draft_id: uuid.UUID, actor: Actor) -> None:
        """Discard the draft and delete its sandbox."""
        self.drafts.discard(draft_id, actor)
        self.sandbox.reset(draft_id)

    # -- tests --------------------------------------------------------------------------------------
    def test_draft(self, draft_id: uuid.UUID, actor: Actor, *, only: Iterable[str] | None = None,
                   today: date | None = None) -> PackageTestReport:
        """Run the draft's scenarios and spiff-arena unit tests (see :mod:`engine.designer.testing`)."""
        package = self.drafts.get(draft_id, actor).package
        return run_package_tests(package, settings=self.engine.settings, registry=self.engine.registry, only=only,
                                 today=today)

    # -- sandbox ------------------------------------------------------------------------------------
    def sandbox_start(self, draft_id: uuid.UUID, authority: str, actor: Actor,
                      data: Mapping[str, Any] | None = None) -> CaseView:
        """Start a sandbox case of the draft as it is now (see :mod:`engine.designer.sandbox`)."""
        package = self.drafts.get(draft_id, actor).package
        return self.sandbox.start(draft_id, package, authority, actor, data)

    def close(self) -> None:
        self.sandbox.close()
