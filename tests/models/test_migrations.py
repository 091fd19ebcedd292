"""The Alembic migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from models import make_engine
from models.migrate import upgrade


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """An empty database on each engine."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    return request.getfixturevalue("pg_blank_url")


def test_migrations_match_the_models(fresh_url: str):
    engine = make_engine(fresh_url)
    upgrade(engine)
    upgrade(engine)  # a second run is a no-op
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}),
            SQLModel.metadata,
        )
    engine.dispose()
    assert differences == [], "run models.migrate.revision() to add a migration"


def test_migrations_create_every_table(fresh_url: str):
    engine = make_engine(fresh_url)
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert set(SQLModel.metadata.tables) <= tables


def test_sqlite_upgrade_keeps_the_rows_and_never_reuses_an_id_again(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "90347297f614")  # before AUTOINCREMENT
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO clinic (id, name, slug, settings, texts)"
                " VALUES (1, 'A', 'a', '{}', '{}')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO location (id, clinic_id, name, address, timezone, active)"
                " VALUES (1, 1, 'U', '', 'UTC', 1)"
            )
        )
    upgrade(engine)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT clinic_id FROM location")).scalar_one() == 1
        assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
        connection.execute(
            text("INSERT INTO clinic (name, slug, settings, texts) VALUES ('B', 'b', '{}', '{}')")
        )
        connection.execute(text("DELETE FROM clinic WHERE id = 2"))
        connection.execute(
            text("INSERT INTO clinic (name, slug, settings, texts) VALUES ('C', 'c', '{}', '{}')")
        )
        ids = connection.execute(text("SELECT id FROM clinic ORDER BY id")).scalars().all()
        foreign_keys = connection.execute(text("PRAGMA foreign_keys")).scalar_one()
    engine.dispose()
    assert ids == [1, 3]
    assert foreign_keys == 1
