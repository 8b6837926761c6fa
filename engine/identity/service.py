"""Users, memberships, login with throttling, and API tokens.

Every change is audited (``user_created``, ``user_password_changed``, ``user_disabled``,
``user_updated``, ``user_logged_in``, ``login_failed``, ``api_token_issued``,
``api_token_revoked``). Audit payloads never contain passwords or tokens.

Login throttling: failed logins are stored (``login_failure``) per user name and per client
address. While a name has :data:`MAX_FAILURES_PER_USER` failures or an address has
:data:`MAX_FAILURES_PER_ADDRESS` failures within :data:`WINDOW`, further attempts are refused
before the password is even checked (:class:`LoginThrottled`). Stored in the database, so it
holds across worker processes and restarts. Time comes from :mod:`engine.clock`.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine import clock
from engine.audit.log import NewEvent, append
from engine.errors import AmtskofferError, InputInvalid, NotFound
from engine.identity.models import ApiToken, LoginFailure, User, UserAuthority
from engine.identity.passwords import hash_password, needs_rehash, password_problems, verify_password
from engine.service_layer.actors import ROLES, Actor
from engine.store.models import Authority

if TYPE_CHECKING:
    from engine.service_layer.core import Engine

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
TOKEN_PREFIX = "ak_"
ROLE_TITLES_DE = {
    "clerk": "Sachbearbeitung",
    "designer": "Verfahrensgestaltung",
    "auditor": "Prüfung",
    "admin": "Administration",
}


class LoginFailed(AmtskofferError):
    """Wrong user name or password, or the user is disabled (deliberately not said which)."""

    user_message = "Benutzername oder Passwort ist falsch."


class LoginThrottled(AmtskofferError):
    """Too many failed logins for this user name or from this address."""

    user_message = (
        "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie 15 Minuten "
        "und versuchen Sie es dann erneut, oder wenden Sie sich an die Administration."
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class UserInfo:
    id: uuid.UUID
    name: str
    display_name: str
    roles: frozenset[str]
    authority_ids: frozenset[uuid.UUID]
    authority_keys: tuple[str, ...]
    """Keys of the member authorities, sorted."""
    active: bool
    session_nonce: str

    @property
    def session_id(self) -> str:
        """The id kept in the login session; it changes with the password, ending old sessions."""
        return f"{self.id}:{self.session_nonce}"

    def actor(self) -> Actor:
        return Actor(name=self.name, roles=self.roles, authority_ids=self.authority_ids,
                     display_name=self.display_name or self.name)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _norm(name: str) -> str:
    return name.strip().lower()


class IdentityService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- reading -----------------------------------------------------------------------------
    def _info(self, s: Session, user: User) -> UserInfo:
        rows = s.execute(
            select(Authority.id, Authority.key).join(UserAuthority, UserAuthority.authority_id == Authority.id)
            .where(UserAuthority.user_id == user.id)
        ).all()
        return UserInfo(id=user.id, name=user.name, display_name=user.display_name,
                        roles=frozenset(user.roles or []), authority_ids=frozenset(r.id for r in rows),
                        authority_keys=tuple(sorted(r.key for r in rows)), active=user.active,
                        session_nonce=user.session_nonce)

    def get(self, user_id: uuid.UUID) -> UserInfo | None:
        # One query (user + memberships): this runs on every web request.
        with self.engine.db.read() as s:
            rows = s.execute(
                select(User, Authority.id, Authority.key)
                .outerjoin(UserAuthority, UserAuthority.user_id == User.id)
                .outerjoin(Authority, Authority.id == UserAuthority.authority_id)
                .where(User.id == user_id)
            ).all()
        if not rows:
            return None
        user = rows[0][0]
        members = [(r[1], r[2]) for r in rows if r[1] is not None]
        return UserInfo(id=user.id, name=user.name, display_name=user.display_name,
                        roles=frozenset(user.roles or []), authority_ids=frozenset(i for i, _ in members),
                        authority_keys=tuple(sorted(k for _, k in members)), active=user.active,
                        session_nonce=user.session_nonce)

    def for_session(self, session_id: str) -> UserInfo | None:
        """The active user of a login session id (:attr:`UserInfo.session_id`), else None."""
        user_part, _, nonce = session_id.partition(":")
        try:
            user_id = uuid.UUID(user_part)
        except ValueError:
            return None
        info = self.get(user_id)
        if info is None or not info.active or not secrets.compare_digest(info.session_nonce, nonce):
            return None
        return info

    def by_name(self, name: str) -> UserInfo:
        with self.engine.db.read() as s:
            return self._info(s, self._user(s, name))

    def list(self) -> list[UserInfo]:
        with self.engine.db.read() as s:
            return [self._info(s, u) for u in s.execute(select(User).order_by(User.name)).scalars()]

    @staticmethod
    def _user(s: Session, name: str) -> User:
        user = s.execute(select(User).where(User.name == _norm(name))).scalar_one_or_none()
        if user is None:
            raise NotFound(f"user {name!r} not found", user_message=f"Den Benutzer „{name}“ gibt es nicht.")
        return user

    # -- changing ----------------------------------------------------------------------------
    def _authorities(self, s: Session, keys: Iterable[str]) -> list[Authority]:
        keys = list(dict.fromkeys(keys))
        found = {a.key: a for a in s.execute(select(Authority).where(Authority.key.in_(keys))).scalars()}
        missing = [k for k in keys if k not in found]
        if missing:
            raise InputInvalid(f"unknown authorities {missing}", errors={"authorities": [
                f"Die Behörde „{k}“ ist nicht bekannt." for k in missing]},
                user_message="Bitte prüfen Sie die Behörden.")
        return [found[k] for k in keys]

    @staticmethod
    def _check(name: str, password: str | None, roles: Iterable[str], authority_keys: Iterable[str]) -> None:
        errors: dict[str, list[str]] = {}
        if not name or len(name) > 100 or not all(c.isalnum() or c in "._-@" for c in name):
            errors["name"] = ["Der Benutzername darf nur Buchstaben, Ziffern und . _ - @ enthalten "
                              "(höchstens 100 Zeichen)."]
        if password is not None and (problems := password_problems(password)):
            errors["password"] = problems
        unknown = sorted(set(roles) - set(ROLES))
        if unknown or not list(roles):
            errors["roles"] = [f"Erlaubte Rollen: {', '.join(ROLES)}" + (
                f" (unbekannt: {', '.join(unknown)})." if unknown else " (mindestens eine).")]
        if not list(authority_keys):
            errors["authorities"] = ["Jeder Benutzer gehört zu mindestens einer Behörde."]
        if errors:
            raise InputInvalid(f"invalid user data: {sorted(errors)}", errors=errors)

    def add_user(self, name: str, password: str, *, roles: Iterable[str], authorities: Iterable[str],
                 display_name: str = "", actor: Actor | None = None) -> UserInfo:
        actor = actor or Actor.system()
        name, roles, authorities = _norm(name), list(roles), list(authorities)
        self._check(name, password, roles, authorities)
        now = clock.now()
        with self.engine.db.sessions.begin() as s:
            if s.execute(select(User.id).where(User.name == name)).first() is not None:
                raise InputInvalid(f"user {name} exists", errors={"name": [f"Den Benutzer „{name}“ gibt es schon."]})
            auths = self._authorities(s, authorities)
            user = User(id=uuid.uuid4(), name=name, display_name=display_name.strip(),
                        password_hash=hash_password(password), roles=sorted(set(roles)), active=True,
                        session_nonce=secrets.token_hex(8), created_at=now, password_changed_at=now)
            s.add(user)
            s.flush()
            for a in auths:
                s.add(UserAuthority(user_id=user.id, authority_id=a.id))
            s.flush()
            append(s, [NewEvent(type="user_created", actor=actor.name, payload={
                "user": name, "roles": sorted(set(roles)), "authorities": [a.key for a in auths]})], at=now)
            return self._info(s, user)

    def update_user(self, name: str, *, roles: Iterable[str], authorities: Iterable[str],
                    display_name: str | None = None, actor: Actor | None = None) -> UserInfo:
        actor = actor or Actor.system()
        roles, authorities = list(roles), list(authorities)
        self._check(_norm(name), None, roles, authorities)
        now = clock.now()
        with self.engine.db.sessions.begin() as s:
            user = self._user(s, name)
            auths = self._authorities(s, authorities)
            before = self._info(s, user)
            user.roles = sorted(set(roles))
            if display_name is not None:
                user.display_name = display_name.strip()
            s.execute(delete(UserAuthority).where(UserAuthority.user_id == user.id))
            for a in auths:
                s.add(UserAuthority(user_id=user.id, authority_id=a.id))
            s.flush()
            append(s, [NewEvent(type="user_updated", actor=actor.name, payload={
                "user": user.name, "roles": {"before": sorted(before.roles), "after": user.roles},
                "authorities": {"before": list(before.authority_keys), "after": [a.key for a in auths]}})], at=now)
            return self._info(s, user)

    def set_password(self, name: str, password: str, *, actor: Actor | None = None) -> None:
        actor = actor or Actor.system()
        if problems := password_problems(password):
            raise InputInvalid("password rejected", errors={"password": problems})
        now = clock.now()
        with self.engine.db.sessions.begin() as s:
            user = self._user(s, name)
            user.password_hash = hash_password(password)
            user.password_changed_at = now
            user.session_nonce = secrets.token_hex(8)
            append(s, [NewEvent(type="user_password_changed", actor=actor.name, payload={"user": user.name})],
                   at=now)

    def set_active(self, name: str, active: bool, *, actor: Actor | None = None) -> None:
        """Disable (or enable) a user; disabling ends the user's sessions and API tokens stop working."""
        actor = actor or Actor.system()
        now = clock.now()
        with self.engine.db.sessions.begin() as s:
            user = self._user(s, name)
            if user.active == active:
                return
            user.active = active
            user.session_nonce = secrets.token_hex(8)
            append(s, [NewEvent(type="user_enabled" if active else "user_disabled", actor=actor.name,
                                payload={"user": user.name})], at=now)

    # -- login -------------------------------------------------------------------------------
    def authenticate(self, name: str, password: str, *, address: str = "") -> UserInfo:
        """The user if ``password`` is right; raises :class:`LoginThrottled` or :class:`LoginFailed`."""
        name = _norm(name)
        now = clock.now()
        keys = {"user": f"user:{name[:150]}", "ip": f"ip:{address[:150]}"}
        info: UserInfo | None = None
        with self.engine.db.sessions.begin() as s:
            since = now - WINDOW
            s.execute(delete(LoginFailure).where(LoginFailure.key.in_(keys.values()), LoginFailure.at < since))
            counts = dict(s.execute(
                select(LoginFailure.key, func.count()).where(LoginFailure.key.in_(keys.values()))
                .group_by(LoginFailure.key)
            ).all())
            throttled = (counts.get(keys["user"], 0) >= MAX_FAILURES_PER_USER
                         or (address and counts.get(keys["ip"], 0) >= MAX_FAILURES_PER_ADDRESS))
            if not throttled:
                user = s.execute(select(User).where(User.name == name)).scalar_one_or_none()
                ok = verify_password(user.password_hash if user is not None else None, password)
                if ok and user is not None and user.active:
                    if needs_rehash(user.password_hash):
                        user.password_hash = hash_password(password)
                    s.execute(delete(LoginFailure).where(LoginFailure.key == keys["user"]))
                    append(s, [NewEvent(type="user_logged_in", actor=user.name, payload={"address": address})],
                           at=now)
                    info = self._info(s, user)
                else:
                    s.add_all([LoginFailure(key=k, at=now) for k in keys.values() if k != "ip:"])
                    append(s, [NewEvent(type="login_failed", actor=name[:100] or "-",
                                        payload={"address": address})], at=now)
        if throttled:
            raise LoginThrottled(f"login for {name!r} from {address!r} throttled")
        if info is None:
            raise LoginFailed(f"login for {name!r} failed")
        return info

    # -- API tokens --------------------------------------------------------------------------
    def issue_token(self, name: str, label: str = "", *, actor: Actor | None = None) -> str:
        """A new API token for user ``name``; the plain token is returned once and never stored."""
        actor = actor or Actor.system()
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = clock.now()
        with self.engine.db.sessions.begin() as s:
            user = self._user(s, name)
            row = ApiToken(id=uuid.uuid4(), user_id=user.id, label=label[:100], token_hash=_token_hash(token),
                           created_at=now)
            s.add(row)
            s.flush()
            append(s, [NewEvent(type="api_token_issued", actor=actor.name,
                                payload={"user": user.name, "token_id": str(row.id), "label": label[:100]})], at=now)
        return token

    def revoke_tokens(self, name: str, *, actor: Actor | None = None) -> int:
        actor = actor or Actor.system()
        now = clock.now()
        with self.engine.db.sessions.begin() as s:
            user = self._user(s, name)
            rows = list(s.execute(select(ApiToken).where(ApiToken.user_id == user.id,
                                                         ApiToken.revoked_at.is_(None))).scalars())
            for row in rows:
                row.revoked_at = now
            if rows:
                append(s, [NewEvent(type="api_token_revoked", actor=actor.name,
                                    payload={"user": user.name, "tokens": len(rows)})], at=now)
            return len(rows)

    def for_token(self, token: str) -> UserInfo | None:
        """The active user owning the unrevoked token ``token``, else None."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        with self.engine.db.read() as s:
            row = s.execute(select(ApiToken).where(ApiToken.token_hash == _token_hash(token),
                                                   ApiToken.revoked_at.is_(None))).scalar_one_or_none()
            if row is None:
                return None
            user = s.get(User, row.user_id)
            if user is None or not user.active:
                return None
            return self._info(s, user)
