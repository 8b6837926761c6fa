"""The Alembic migrations produce exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.store.db import connect
from engine.store.models import Base
from engine.store.tables import import_all_models


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    import_all_models()
    db = connect(db_url)
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        db.dispose()
    assert diff == [], "models and migrations differ; add a migration:\n" + "\n".join(map(str, diff))
