"""The README stays true: its state diagram is the machine's, its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from bot.cli.diagram import DIAGRAM_END, DIAGRAM_START, state_diagram

README = Path(__file__).resolve().parents[1] / "README.md"


def test_state_diagram_matches_the_machine():
    text = README.read_text(encoding="utf-8")
    block = text.split(DIAGRAM_START, 1)[1].split(DIAGRAM_END, 1)[0]
    assert block.strip() == f"```mermaid\n{state_diagram()}\n```", (
        "refresh it: flask --app app diagram --readme README.md"
    )


def test_every_command_in_the_table_exists(app):
    text = README.read_text(encoding="utf-8")
    table = text.split("## Commands", 1)[1].split("##", 1)[0]
    rows = re.findall(r"^\| `([^`]+)`", table, re.MULTILINE)
    assert len(rows) >= 8
    runner = app.test_cli_runner()
    for row in rows:
        words = [word for word in row.split() if re.fullmatch(r"[a-z]+", word)]
        result = runner.invoke(args=[*words, "--help"])
        assert result.exit_code == 0, (row, result.output)
        assert "Usage:" in result.output
