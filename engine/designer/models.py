"""The designer's table: drafts of service packages (published versions stay in ``package_version``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base


class PackageDraft(Base):
    """A service package being edited: its files, the last validation and where it came from.

    Drafts never run as real cases. Publishing copies the files into a new ``package_version``
    (or finds the identical existing one) and marks the draft ``published``.
    """

    __tablename__ = "package_draft"
    __table_args__ = (Index("ix_package_draft_service_status", "service_id", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    service_id: Mapped[str] = mapped_column(String(64))
    files: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    """{relative path: text}, the same layout as ``package_version.files`` (forms under ``forms/``)."""
    content_hash: Mapped[str] = mapped_column(String(64))
    base_version_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("package_version.id"))
    """The published version the draft was started from (None: a new service or an import)."""
    revision: Mapped[int] = mapped_column(Integer, default=1)
    """Optimistic lock: every save increments it; a save based on an older revision fails."""
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """The validation of ``content_hash`` (catalog check + bpmnlint) as plain dicts."""
    lint_note: Mapped[str] = mapped_column(Text, default="")
    """Why bpmnlint did not run (empty when it did)."""
    change_note: Mapped[str] = mapped_column(Text, default="")
    """What the designer intends to publish this as (editable until publishing)."""
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | published | discarded
    published_version_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("package_version.id"))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(100))
