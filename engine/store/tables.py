"""Where the table definitions live: ``engine/store/models.py`` plus every ``models.py`` of a
package below ``engine/`` that uses the same ``Base`` (register, identity, …). Importing them all
makes the metadata complete for migrations and schema comparisons."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

_ENGINE = Path(__file__).resolve().parent.parent


def import_all_models() -> list[str]:
    names = []
    for info in pkgutil.walk_packages([str(_ENGINE)], prefix="engine."):
        if info.name.endswith(".models"):
            importlib.import_module(info.name)
            names.append(info.name)
    return names
