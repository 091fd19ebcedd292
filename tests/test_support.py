"""tests/support.py: the PostgreSQL demo every test gets back exactly as it was loaded."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlmodel import SQLModel, select
from support import DemoOnPostgres

from models import Client, Clinic, make_engine, new_session

pytestmark = pytest.mark.postgres


def fingerprint(url: str) -> dict[str, tuple[int, str | None]]:
    """Every table's row count and a digest of its rows, and every sequence's last value."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            digest = "SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {} t"
            found = {
                table.name: connection.execute(text(digest.format(f'"{table.name}"'))).one()
                for table in SQLModel.metadata.sorted_tables
            }
            sequences = connection.execute(
                text("SELECT sequencename, last_value FROM pg_sequences")
            ).all()
    finally:
        engine.dispose()
    return {name: tuple(row) for name, row in found.items()} | {
        f"sequence {name}": (value or 0, None) for name, value in sequences
    }


def test_a_test_gets_the_demo_back_whatever_the_last_one_did(pg_demo: DemoOnPostgres) -> None:
    url = pg_demo.fresh()
    loaded = fingerprint(url)
    assert loaded["clinic"][0] == 1 and loaded["slot"][0] > 0
    engine = make_engine(url)
    with new_session(engine) as session:
        session.add(Clinic(name="Outra", slug="outra", settings={}))
        maria = session.exec(select(Client).where(Client.name == "Maria Oliveira")).one()
        maria.name = "Maria Changed"
        session.commit()
        session.execute(text("DELETE FROM appointmentevent"))
        session.commit()
    engine.dispose()
    assert fingerprint(url) != loaded

    assert pg_demo.fresh() == url

    assert fingerprint(url) == loaded
    engine = make_engine(url)
    with new_session(engine) as session:
        clinic = Clinic(name="Outra", slug="outra", settings={})
        session.add(clinic)
        session.commit()
        assert clinic.id == 2  # ids go on from the demo's, as after loading it
    engine.dispose()


def test_a_blank_database_has_no_table_and_the_next_test_gets_the_demo(
    pg_demo: DemoOnPostgres,
) -> None:
    url = pg_demo.blank()
    engine = make_engine(url)
    assert inspect(engine).get_table_names() == []
    engine.dispose()

    pg_demo.fresh()

    assert fingerprint(url)["clinic"][0] == 1
