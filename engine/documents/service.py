"""Reading the documents of a case (list, download) with the caller's authority scope."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import defer

from engine import clock
from engine.audit.log import NewEvent, append
from engine.errors import NotFound
from engine.service_layer.actors import Actor
from engine.store.models import Case, Document

if TYPE_CHECKING:
    from engine.service_layer.core import Engine


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentInfo:
    id: uuid.UUID
    case_id: uuid.UUID
    kind: str
    title: str
    filename: str
    media_type: str
    sha256: str
    size: int
    created_at: datetime


class DocumentService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _case(self, s: object, case_id: uuid.UUID, actor: Actor) -> Case:
        case = s.get(Case, case_id)  # type: ignore[attr-defined]
        if case is None:
            raise NotFound(f"case {case_id} not found", user_message="Der Vorgang wurde nicht gefunden.")
        actor.require_authority(case.authority_id)
        return case

    def for_case(self, case_id: uuid.UUID, actor: Actor) -> list[DocumentInfo]:
        """The case's documents, newest first."""
        with self.engine.db.read() as s:
            self._case(s, case_id, actor)
            rows = s.execute(select(Document).options(defer(Document.content))
                             .where(Document.case_id == case_id).order_by(Document.created_at.desc())).scalars()
            return [self._info(d, None) for d in rows]

    def get(self, case_id: uuid.UUID, document_id: uuid.UUID, actor: Actor) -> tuple[DocumentInfo, bytes]:
        """A document's content; downloading it is a read of the case and is logged as one."""
        with self.engine.db.read() as s:
            self._case(s, case_id, actor)
            doc = s.get(Document, document_id)
            if doc is None or doc.case_id != case_id:
                raise NotFound(f"document {document_id} of case {case_id} not found",
                               user_message="Das Dokument wurde nicht gefunden.")
            result = self._info(doc, len(doc.content)), bytes(doc.content)
        with self.engine.db.sessions.begin() as s:
            append(s, [NewEvent(type="case_read", actor=actor.name, case_id=case_id,
                                payload={"dokument": str(document_id), "datei": result[0].filename})], at=clock.now())
        return result

    @staticmethod
    def _info(d: Document, size: int | None) -> DocumentInfo:
        return DocumentInfo(id=d.id, case_id=d.case_id, kind=d.kind, title=d.title, filename=d.filename,
                            media_type=d.media_type, sha256=d.sha256, size=size if size is not None else -1,
                            created_at=d.created_at)
