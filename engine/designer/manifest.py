"""Writing ``service.toml`` text from data (imports and new services create manifests)."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from typing import Any

ORDER = ("id", "title", "leika_key", "entry_process", "authority_role", "description", "category", "case_title")


def render_manifest(data: Mapping[str, Any]) -> str:
    """service.toml text for ``data`` (string values; keys in the documented order, empty ones left out)."""
    keys = [k for k in ORDER if k in data] + sorted(k for k in data if k not in ORDER)
    # JSON string literals are valid TOML basic strings for everything a manifest holds.
    return "".join(f"{k} = {json.dumps(str(data[k]), ensure_ascii=False)}\n" for k in keys
                   if data[k] is not None and (data[k] != "" or k in ("id", "title")))


def with_service_id(text: str, service_id: str) -> str | None:
    """``text`` with its ``id`` set to ``service_id`` (None if the text is no valid TOML)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    if data.get("id") == service_id:
        return text
    return render_manifest({**data, "id": service_id})
