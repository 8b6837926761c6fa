"""Publishing and finding service packages.

Packages on disk are the designers' source of truth during development; ``sync_from_disk``
publishes every package whose content changed (and that passes the check) as a new version.
Cases are pinned to the version they started with and always run from the files stored in
the database, never from disk.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import clock
from engine.audit.log import NewEvent, append
from engine.catalog.check import check_package
from engine.catalog.compiled import CompiledPackage
from engine.catalog.package import Manifest, PackageFiles, discover, parse_manifest, read_from_disk
from engine.catalog.problems import Problem
from engine.errors import DesignError, NotFound
from engine.service_layer.actors import Actor
from engine.store.models import Authority, PackageVersion

if TYPE_CHECKING:
    from engine.service_layer.core import Engine


@dataclass(frozen=True, slots=True)
class SyncResult:
    service_id: str
    action: str  # published | unchanged | rejected
    version_no: int | None
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    service_id: str
    title: str
    description: str
    category: str
    leika_key: str
    authority_role: str
    version_id: uuid.UUID
    version_no: int


class CatalogService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- checking and publishing -------------------------------------------------------------
    def check(self, files: PackageFiles) -> list[Problem]:
        return check_package(files, self.engine.registry, self.engine.settings)

    def check_disk(self, service_id: str) -> list[Problem]:
        return self.check(read_from_disk(service_id, self.engine.settings))

    def publish(self, files: PackageFiles, actor: Actor, change_note: str = "", *,
                session: Session | None = None) -> PackageVersion:
        """Store ``files`` as the newest published version; refuses packages with errors."""
        problems = [p for p in self.check(files) if p.severity == "error"]
        if problems:
            raise DesignError(
                f"package {files.service_id} has {len(problems)} problems; first: {problems[0]}",
                user_message=f"Das Verfahren hat {len(problems)} Fehler und kann nicht veröffentlicht werden. "
                f"Erster Fehler: {problems[0].location()}: {problems[0].user_message}",
                problems=problems,
            )
        if session is not None:
            return self._publish(session, files, actor, change_note)
        with self.engine.db.sessions.begin() as s:
            return self._publish(s, files, actor, change_note)

    def _publish(self, s: Session, files: PackageFiles, actor: Actor, change_note: str) -> PackageVersion:
        manifest, _ = parse_manifest(files)
        assert manifest is not None
        now = clock.now()
        existing = s.execute(
            select(PackageVersion).where(
                PackageVersion.service_id == files.service_id, PackageVersion.content_hash == files.content_hash
            )
        ).scalar_one_or_none()
        if existing is not None:
            if existing.status != "published":
                existing.status = "published"
                existing.published_at, existing.published_by = now, actor.name
                existing.change_note = change_note or existing.change_note
                append(s, [NewEvent(type="package_published", actor=actor.name, payload=_pv_payload(existing))],
                       at=now)
            return existing
        last = s.execute(
            select(func.max(PackageVersion.version_no)).where(PackageVersion.service_id == files.service_id)
        ).scalar()
        pv = PackageVersion(
            id=uuid.uuid4(),
            service_id=files.service_id,
            version_no=(last or 0) + 1,
            content_hash=files.content_hash,
            manifest=_manifest_dict(manifest),
            files=dict(files.files),
            status="published",
            change_note=change_note,
            created_at=now,
            created_by=actor.name,
            published_at=now,
            published_by=actor.name,
        )
        s.add(pv)
        s.flush()
        append(s, [NewEvent(type="package_published", actor=actor.name, payload=_pv_payload(pv))], at=now)
        return pv

    def sync_from_disk(self, actor: Actor | None = None) -> list[SyncResult]:
        actor = actor or Actor.system()
        results = []
        for service_id in discover(self.engine.settings):
            files = read_from_disk(service_id, self.engine.settings)
            with self.engine.db.sessions.begin() as s:
                current = self._latest(s, service_id)
                if current is not None and current.content_hash == files.content_hash:
                    results.append(SyncResult(service_id, "unchanged", current.version_no))
                    continue
                problems = [p for p in self.check(files) if p.severity == "error"]
                if problems:
                    results.append(SyncResult(service_id, "rejected", None, tuple(problems)))
                    continue
                pv = self._publish(s, files, actor, "Aus dem Verfahrensordner übernommen")
                results.append(SyncResult(service_id, "published", pv.version_no))
        return results

    # -- reading ----------------------------------------------------------------------------
    @staticmethod
    def _latest(s: Session, service_id: str) -> PackageVersion | None:
        return s.execute(
            select(PackageVersion)
            .where(PackageVersion.service_id == service_id, PackageVersion.status == "published")
            .order_by(PackageVersion.version_no.desc())
            .limit(1)
        ).scalar_one_or_none()

    def latest(self, s: Session, service_id: str) -> PackageVersion:
        pv = self._latest(s, service_id)
        if pv is None:
            raise NotFound(f"no published version of {service_id}",
                           user_message=f"Das Verfahren „{service_id}“ ist nicht veröffentlicht.")
        return pv

    def compiled(self, s: Session, version_id: uuid.UUID) -> CompiledPackage:
        """The compiled package of a stored version (cached by version id: versions never change)."""
        hit = self.engine.packages.by_version(version_id)
        if hit is not None:
            return hit
        pv = s.get(PackageVersion, version_id)
        if pv is None:
            raise NotFound(f"package version {version_id} not found")
        compiled = self.engine.packages.get(PackageFiles(pv.service_id, pv.files), pv.id)
        compiled = compiled.for_version(pv.id, pv.version_no)
        self.engine.packages.remember(compiled)
        return compiled

    def services_for(self, s: Session, authority: Authority | None = None) -> list[ServiceInfo]:
        """The newest published version of every service (that ``authority`` may run)."""
        newest = (
            select(PackageVersion.service_id, func.max(PackageVersion.version_no).label("v"))
            .where(PackageVersion.status == "published")
            .group_by(PackageVersion.service_id)
            .subquery()
        )
        rows = s.execute(
            select(PackageVersion).join(
                newest,
                (PackageVersion.service_id == newest.c.service_id) & (PackageVersion.version_no == newest.c.v),
            )
        ).scalars()
        out = []
        for pv in rows:
            m = pv.manifest
            if authority is not None and m["authority_role"] not in (authority.roles or []):
                continue
            out.append(ServiceInfo(pv.service_id, m["title"], m.get("description", ""), m.get("category", ""),
                                   m["leika_key"], m["authority_role"], pv.id, pv.version_no))
        return sorted(out, key=lambda i: (i.category, i.title))

    def versions(self, s: Session, service_id: str) -> list[PackageVersion]:
        return list(
            s.execute(
                select(PackageVersion).where(PackageVersion.service_id == service_id)
                .order_by(PackageVersion.version_no.desc())
            ).scalars()
        )


def _manifest_dict(m: Manifest) -> dict[str, str]:
    return {
        "id": m.id, "title": m.title, "leika_key": m.leika_key, "entry_process": m.entry_process,
        "authority_role": m.authority_role, "description": m.description, "category": m.category,
        "case_title": m.case_title,
    }


def _pv_payload(pv: PackageVersion) -> dict[str, object]:
    return {"service_id": pv.service_id, "version_no": pv.version_no, "content_hash": pv.content_hash,
            "version_id": str(pv.id), "change_note": pv.change_note}
