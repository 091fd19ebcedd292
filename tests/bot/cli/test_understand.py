"""bot.cli.understand: `flask understand "texto"` prints one JSON object."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from bot.cli.understand import understand_command

NOW = "2025-12-10T09:00:00-03:00"
KEYS = {"intent", "option", "when", "at", "yes_no", "command", "cpf_valid", "day_conflict"}


def _run(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(understand_command, list(args))
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    printed: dict[str, Any] = json.loads(lines[0])
    assert set(printed) == KEYS
    return printed


def test_the_command_is_named_understand() -> None:
    assert understand_command.name == "understand"


def test_an_exact_moment() -> None:
    assert _run("amanhã às 14h", "--now", NOW) == {
        "intent": "other",
        "option": None,
        "when": {"start": "2025-12-11T00:00:00-03:00", "end": "2025-12-12T00:00:00-03:00"},
        "at": "2025-12-11T14:00:00-03:00",
        "yes_no": None,
        "command": None,
        "cpf_valid": None,
        "day_conflict": None,
    }


def test_a_bound_and_an_intent() -> None:
    printed = _run("tem vaga amanhã depois das 18h?", "--now", NOW)
    assert printed["intent"] == "book"
    assert printed["when"] == {
        "start": "2025-12-11T18:00:00-03:00",
        "end": "2025-12-12T00:00:00-03:00",
    }
    assert printed["at"] is None


@pytest.mark.parametrize(
    ("text", "option"),
    [("2", "Bradesco Saúde"), ("bradeco", "Bradesco Saúde"), ("unimed", "Unimed"), ("9", None)],
)
def test_option_text_is_printed(text: str, option: str | None) -> None:
    printed = _run(text, "--options", "Unimed|Bradesco Saúde|Particular", "--now", NOW)
    assert printed["option"] == option


def test_ambiguous_options_pick_nothing() -> None:
    printed = _run("sao paulo", "--options", "São Paulo - Paulista | São Paulo - Centro")
    assert printed["option"] is None


def test_non_ascii_is_printed_as_is() -> None:
    result = CliRunner().invoke(understand_command, ["2", "--options", "Saúde|Clínica"])
    assert "Clínica" in result.output


@pytest.mark.parametrize(("text", "answer"), [("sim", True), ("👍", True), ("nops", False)])
def test_yes_no(text: str, answer: bool) -> None:
    assert _run(text)["yes_no"] is answer


def test_commands_and_cpf() -> None:
    assert _run("voltar")["command"] == "back"
    assert _run("529.982.247-25")["cpf_valid"] is True
    assert _run("529.982.247-24")["cpf_valid"] is False
    assert _run("oi")["cpf_valid"] is None


def test_zone_and_naive_now() -> None:
    printed = _run("amanhã às 14h", "--tz", "America/Manaus", "--now", "2025-12-10T09:00")
    assert printed["at"] == "2025-12-11T14:00:00-04:00"


def test_aware_now_is_moved_into_the_zone() -> None:
    # 03:30 UTC on the 11th is still the 10th in Manaus: "amanhã" is the 11th there.
    printed = _run("amanhã", "--tz", "America/Manaus", "--now", "2025-12-11T03:30:00+00:00")
    assert printed["when"]["start"] == "2025-12-11T00:00:00-04:00"


def test_now_defaults_to_the_current_time_in_the_zone() -> None:
    zone = ZoneInfo("America/Sao_Paulo")
    before = datetime.now(zone).date().isoformat()
    printed = _run("hoje", "--tz", "America/Sao_Paulo")
    after = datetime.now(zone).date().isoformat()
    # Around midnight the clock may tick between the readings; either day is then right.
    assert printed["when"]["start"][:10] in {before, after}


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["oi", "--now", "ontem"], "'--now'"),
        (["oi", "--now", "2025-13-40"], "'--now'"),
        (["oi", "--tz", "Mars/Olympus"], "'--tz'"),
        (["oi", "--tz", "America"], "'--tz'"),
        (["oi", "--tz", "../etc/passwd"], "'--tz'"),
    ],
)
def test_bad_options_are_click_errors_naming_the_option(args: list[str], option: str) -> None:
    result = CliRunner().invoke(understand_command, args)
    assert result.exit_code == 2
    assert option in result.output
    assert "Traceback" not in result.output


def test_text_is_required() -> None:
    assert CliRunner().invoke(understand_command, []).exit_code == 2


def test_a_weekday_that_disagrees_with_its_date_is_printed_and_picks_no_day() -> None:
    printed = _run("sexta, 16/12 às 10h", "--now", NOW)
    assert (printed["when"], printed["at"]) == (None, None)
    assert printed["day_conflict"] == ["2025-12-16", "2025-12-12"]
