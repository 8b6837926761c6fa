"""Reading authorities: as plain data, and which one is locally competent for a municipality."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store.models import Authority


def authority_data(a: Authority) -> dict[str, Any]:
    """The authority as plain data (what processes see as ``behoerde`` and operations return)."""
    return {
        "id": str(a.id),
        "key": a.key,
        "name": a.name,
        "kind": a.kind,
        "ags": a.ags,
        "ars": a.ars,
        "verband": a.verband,
        "dvdv_kennung": a.dvdv_kennung,
        "roles": list(a.roles or []),
        "address": dict(a.address or {}),
        "email": a.email,
        "municipalities": [dict(m) for m in a.municipalities or []],
        "settings": dict(a.settings or {}),
    }


def competent_for(s: Session, ags: str, role: str | None = None) -> Authority | None:
    """The authority whose area contains the municipality ``ags`` (rule L2: dwelling → authority)."""
    for a in s.execute(select(Authority).order_by(Authority.key)).scalars():
        if role is not None and role not in (a.roles or []):
            continue
        if a.ags == ags or any(m.get("ags") == ags for m in a.municipalities or []):
            return a
    return None
