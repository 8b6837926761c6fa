"""Tables of the identity package: users, their authorities, API tokens, failed logins, drafts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base


class User(Base):
    """A person who logs in: clerk (Sachbearbeiter), designer, auditor or admin."""

    __tablename__ = "app_user"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    """Login name (lower case); written into every audit event the user causes."""
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    """argon2id hash (PHC string)."""
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_nonce: Mapped[str] = mapped_column(String(32))
    """Part of the login session id: changing the password or disabling the user ends every session."""
    created_at: Mapped[datetime]
    password_changed_at: Mapped[datetime]


class UserAuthority(Base):
    """Membership: the user works for this authority and sees its cases."""

    __tablename__ = "user_authority"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    authority_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("authority.id"), primary_key=True)


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 is stored (the token has 256 random bits)."""

    __tablename__ = "api_token"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class LoginFailure(Base):
    """One failed login, counted per user name and per client address for throttling."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200))
    """``user:<name>`` or ``ip:<address>``."""
    at: Mapped[datetime]


class TaskDraft(Base):
    """What a clerk typed into a ready task and saved to continue later (posted text, not validated)."""

    __tablename__ = "task_draft"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_by: Mapped[str] = mapped_column(String(100))
    saved_at: Mapped[datetime]
