"""Alembic environment: runs on the engine handed over by models.migrate."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)

config = context.config
engine = config.attributes["engine"]


def _sqlite_foreign_keys(connection, on: bool) -> None:
    """Batch migrations rebuild SQLite tables (copy, drop, rename): dropping a parent with foreign
    keys on would delete or refuse its children's rows. The pragma only acts outside a
    transaction, hence the raw driver connection before Alembic begins one."""
    if connection.dialect.name == "sqlite":
        connection.connection.dbapi_connection.execute(f"PRAGMA foreign_keys={int(on)}")


with engine.connect() as connection:
    _sqlite_foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=SQLModel.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    finally:
        _sqlite_foreign_keys(connection, on=True)
