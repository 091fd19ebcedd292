"""`flask slots generate`: create the slots that follow from working hours (run daily)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlmodel import select

from bot.cli import deps
from bot.domain.scheduling.generation import generate_slots
from models import Clinic


@click.group("slots")
def slots_group() -> None:
    """Bookable slots."""


@slots_group.command("generate")
@click.option("--days", default=30, show_default=True, help="How many days ahead.")
@with_appcontext
def slots_generate(days: int) -> None:
    """Create missing slots from working hours for every clinic (safe to run daily)."""
    today = deps.clock().now().date()
    with deps.session() as session:
        clinic_ids = session.exec(select(Clinic.id)).all()
        created = sum(
            generate_slots(session, clinic_id=cid, start=today, days=days) for cid in clinic_ids
        )
        session.commit()
    click.echo(f"{created} slots created")
