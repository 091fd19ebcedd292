"""bot.cli: the flask commands, through Flask's CLI test runner on real SQLite files."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import select

from flows.machine import ConversationFlow
from models import Clinic, Conversation, Direction, Message, Slot, new_session


def invoke(app: Flask, *args: str, **kwargs: Any) -> str:
    """Run `flask --app app <args>`; the command must succeed. Its output."""
    result = app.test_cli_runner().invoke(args=list(args), **kwargs)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def engine_of(app: Flask) -> Engine:
    return app.extensions["agendai.engine"]


def scalar(app: Flask, query: Any) -> Any:
    with new_session(engine_of(app)) as session:
        return session.exec(query).one()


def clinics_named(app: Flask, name: str) -> int:
    return scalar(app, select(func.count()).select_from(Clinic).where(Clinic.name == name))


def slots(app: Flask) -> int:
    return scalar(app, select(func.count()).select_from(Slot))


@pytest.fixture
def fresh_app(make_app: Callable[[str], Flask], tmp_path: Path) -> Flask:
    """An app on a new, empty SQLite file (no schema yet)."""
    return make_app(f"sqlite:///{tmp_path / 'fresh.db'}")


def tables(app: Flask) -> set[str]:
    return set(inspect(engine_of(app)).get_table_names())


# -- demo, db upgrade, setup --------------------------------------------------------------------


def test_demo_twice_loads_one_demo_clinic(fresh_app: Flask) -> None:
    invoke(fresh_app, "db", "upgrade")
    first = invoke(fresh_app, "demo")
    loaded = slots(fresh_app)
    second = invoke(fresh_app, "demo")

    assert "Clínica Demo" in first
    assert second == first  # the same clinic, same id
    assert clinics_named(fresh_app, "Clínica Demo") == 1
    assert loaded > 0
    assert slots(fresh_app) == loaded


def test_db_upgrade_creates_the_schema_on_an_empty_file_and_is_then_a_no_op(
    fresh_app: Flask, tmp_path: Path
) -> None:
    assert tables(fresh_app) == set()

    invoke(fresh_app, "db", "upgrade")

    assert (tmp_path / "fresh.db").exists()
    created = tables(fresh_app)
    assert {"appointment", "clinic", "conversation", "message", "alembic_version"} <= created
    with engine_of(fresh_app).connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert len(version) == 1
    invoke(fresh_app, "demo")  # data that a second upgrade must leave alone

    output = invoke(fresh_app, "db", "upgrade")

    assert "up to date" in output
    assert tables(fresh_app) == created
    with engine_of(fresh_app).connect() as connection:
        again = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert again == version
    assert clinics_named(fresh_app, "Clínica Demo") == 1


def test_setup_on_a_fresh_database_loads_the_demo_and_says_how_to_chat(fresh_app: Flask) -> None:
    output = invoke(fresh_app, "setup")

    assert "flask --app app chat" in output
    assert "appointment" in tables(fresh_app)
    assert clinics_named(fresh_app, "Clínica Demo") == 1
    invoke(fresh_app, "setup")  # and a second run keeps the one clinic
    assert clinics_named(fresh_app, "Clínica Demo") == 1


# -- chat ---------------------------------------------------------------------------------------


def test_chat_as_a_known_patient_greets_her_and_shows_the_menu(app: Flask) -> None:
    output = invoke(app, "chat", "--phone", "+5511987654321", input="oi\nmenu\n")

    assert "Maria" in output
    assert output.count("Agendar consulta") == 2  # once after "oi", again after "menu"
    assert "5511987654321" not in output  # the number is masked on screen too
    with new_session(engine_of(app)) as session:
        [conversation] = session.exec(select(Conversation)).all()
    assert conversation.address == "whatsapp:+5511987654321"
    assert conversation.state == "menu"


def test_chat_shows_whatsapp_bold_as_terminal_bold(app: Flask) -> None:
    plain = invoke(app, "chat", input="oi\n")
    colored = invoke(app, "chat", input="oi\n", color=True)

    assert "Clínica Demo" in plain
    assert "*Clínica Demo*" not in plain
    assert "\x1b[1mClínica Demo" in colored  # ANSI bold where WhatsApp had *...*


def test_chat_now_replays_a_conversation_at_another_time(app: Flask) -> None:
    # A Friday night in Manaus, two days after the clock of the other tests.
    start = datetime(2025, 12, 12, 22, 30, tzinfo=ZoneInfo("America/Manaus"))
    invoke(app, "chat", "--now", start.isoformat(), input="oi\n")

    with new_session(engine_of(app)) as session:
        stored = session.exec(select(Message).where(Message.direction == Direction.inbound)).one()
    written = stored.created_at.replace(tzinfo=stored.created_at.tzinfo or UTC)
    assert timedelta(0) <= written - start < timedelta(minutes=1)


@pytest.mark.parametrize("given", ["2025-12-12T22:30:00", "sexta às 22h"])
def test_chat_now_needs_an_instant_with_its_offset(app: Flask, given: str) -> None:
    result = app.test_cli_runner().invoke(args=["chat", "--now", given], input="oi\n")
    assert result.exit_code == 2
    assert "--now" in result.output
    with new_session(engine_of(app)) as session:
        assert session.exec(select(Message)).first() is None


# -- handoff ------------------------------------------------------------------------------------


def test_handoff_list_and_release_round_trip(app: Flask, patient: Callable[..., Any]) -> None:
    maria = patient("+5582912345678")
    assert invoke(app, "handoff", "list").strip() == "no conversation is waiting for a human"
    maria.says("oi")
    maria.says("atendente")
    assert maria.says("alô?") == ""  # an operator owns the conversation now

    listed = invoke(app, "handoff", "list")

    with new_session(engine_of(app)) as session:
        conversation = session.exec(select(Conversation)).one()
    assert conversation.handoff_at is not None
    assert re.match(rf"^{conversation.id}\t", listed)
    assert "whatsapp:+55" in listed
    assert "5582912345678" not in listed  # never a full phone number on screen

    released = invoke(app, "handoff", "release", str(conversation.id))

    assert f"conversation {conversation.id}" in released
    assert invoke(app, "handoff", "list").strip() == "no conversation is waiting for a human"
    with new_session(engine_of(app)) as session:
        after = session.get(Conversation, conversation.id)
    assert after is not None
    assert after.handoff_at is None
    assert maria.says("oi")  # the bot answers again


def test_handoff_release_of_an_unknown_conversation_fails(app: Flask) -> None:
    result: Any = app.test_cli_runner().invoke(args=["handoff", "release", "999"])
    assert result.exit_code != 0
    assert "no conversation 999" in result.output


# -- slots, diagram -----------------------------------------------------------------------------


def created(output: str) -> int:
    match = re.search(r"(\d+) slots created", output)
    assert match, output
    return int(match.group(1))


def test_slots_generate_fills_the_missing_day_once(app: Flask) -> None:
    before = slots(app)  # the demo generated 30 days

    first = created(invoke(app, "slots", "generate", "--days", "31"))
    second = created(invoke(app, "slots", "generate", "--days", "31"))

    assert first > 0
    assert slots(app) == before + first
    assert second == 0
    assert slots(app) == before + first


def test_diagram_prints_every_state_as_mermaid(app: Flask) -> None:
    output = invoke(app, "diagram")

    assert output.lstrip().startswith("stateDiagram")
    ids = [state.id for state in ConversationFlow.states]
    assert len(ids) >= 10
    for state_id in ids:
        assert re.search(rf" as {state_id}$", output, re.MULTILINE), state_id
