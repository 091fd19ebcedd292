"""`flask diagram [--readme README.md]`: the conversation machine as a mermaid diagram."""

from __future__ import annotations

from pathlib import Path

import click

from flows.machine import ConversationFlow

DIAGRAM_START = "<!-- state-diagram:start -->"
DIAGRAM_END = "<!-- state-diagram:end -->"


@click.command("diagram")
@click.option(
    "--readme",
    type=click.Path(dir_okay=False, exists=True),
    help="Rewrite the diagram between the state-diagram markers of this file.",
)
def diagram_command(readme: str | None) -> None:
    """Print the conversation's state diagram (mermaid), or refresh it in the README."""
    mermaid = state_diagram()
    if readme is None:
        click.echo(mermaid)
        return
    path = Path(readme)
    text = path.read_text(encoding="utf-8")
    if DIAGRAM_START not in text or DIAGRAM_END not in text:
        raise click.ClickException(f"{readme} has no {DIAGRAM_START} ... {DIAGRAM_END} block")
    head, rest = text.split(DIAGRAM_START, 1)
    _, tail = rest.split(DIAGRAM_END, 1)
    block = f"{DIAGRAM_START}\n```mermaid\n{mermaid}\n```\n{DIAGRAM_END}"
    path.write_text(head + block + tail, encoding="utf-8")
    click.echo(f"diagram updated in {readme}")


def state_diagram() -> str:
    """The conversation machine as a mermaid state diagram."""
    return format(ConversationFlow, "mermaid").strip()  # type: ignore[arg-type]
