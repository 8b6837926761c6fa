"""Who is acting: a clerk, designer, auditor, admin, the worker or the CLI."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from engine.errors import Forbidden, NotFound

ROLES = ("clerk", "designer", "auditor", "admin")


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    name: str
    """Login name; written into every audit event."""
    roles: frozenset[str] = field(default_factory=frozenset)
    authority_ids: frozenset[uuid.UUID] | None = None
    """Authorities whose cases this actor may see; ``None`` = all (system, CLI administration)."""
    display_name: str = ""

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(name=name, roles=frozenset(ROLES), authority_ids=None, display_name="System")

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def require_role(self, *roles: str) -> None:
        if not self.has_role(*roles):
            raise Forbidden(f"{self.name} lacks role {roles}", user_message="Dafür fehlt Ihnen die Berechtigung.")

    def may_see(self, authority_id: uuid.UUID) -> bool:
        return self.authority_ids is None or authority_id in self.authority_ids

    def require_authority(self, authority_id: uuid.UUID) -> None:
        # Not found rather than forbidden: a clerk of another Amt must not learn the case exists.
        if not self.may_see(authority_id):
            raise NotFound(f"{self.name} may not see authority {authority_id}")
