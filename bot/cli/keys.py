"""`flask --app app keys ...`: create (shown once), list and revoke API keys."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from bot.api import keys
from bot.cli import deps
from bot.demo import load_sandbox
from models import Clinic, KeyKind


@click.group("keys")
def keys_group() -> None:
    """API keys for integrators."""


@keys_group.command("create")
@click.option("--clinic", "clinic_id", type=int, help="The clinic the key works on.")
@click.option("--name", required=True, help='Who uses it, e.g. "ERP".')
@click.option("--sandbox", is_flag=True, help="An agd_test_ key on the clinic's sandbox.")
@click.option("--admin", is_flag=True, help="An agd_admin_ key for every clinic.")
@click.option("--rate-limit", type=click.IntRange(min=1), help="Requests per minute (default 60).")
@with_appcontext
def create_command(
    clinic_id: int | None, name: str, sandbox: bool, admin: bool, rate_limit: int | None
) -> None:
    """Create a key and print it once: only its hash is kept."""
    if sandbox and admin:
        raise click.UsageError("a key is either --sandbox or --admin")
    if not admin and clinic_id is None:
        raise click.UsageError("--clinic is required (or --admin for every clinic)")
    now = current_app.extensions["agendai.clock"].now()
    with deps.session() as session:
        kind = KeyKind.admin if admin else KeyKind.test if sandbox else KeyKind.live
        if sandbox:
            clinic = session.get(Clinic, clinic_id)
            if clinic is None or clinic.sandbox_of_id is not None:
                raise click.UsageError(f"no clinic with id {clinic_id}")
            clinic_id = load_sandbox(session, of=clinic, today=now.date(), now=now).id
        try:
            row, key = keys.create(
                session,
                clinic_id=None if admin else clinic_id,
                name=name,
                kind=kind,
                now=now,
                rate_limit=rate_limit,
            )
        except keys.InvalidKeyRequest as exc:
            raise click.UsageError(str(exc)) from None
        click.echo(key)
        where = "every clinic" if admin else f"clinic {row.clinic_id}"
        click.echo(
            f"{row.kind.value} key {row.prefix}… for {where}: store it now, it is not shown again",
            err=True,
        )


@keys_group.command("list")
@click.option(
    "--clinic", "clinic_id", type=int, help="Only this clinic's keys (and its sandbox's)."
)
@with_appcontext
def list_command(clinic_id: int | None) -> None:
    """Every key: prefix, kind, clinic, name, last use, revoked."""
    with deps.session() as session:
        rows = keys.listing(session, clinic_id=clinic_id)
        if not rows:
            click.echo("no keys")
        for row in rows:
            last = row.last_used_at.isoformat(timespec="minutes") if row.last_used_at else "never"
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            clinic = row.clinic_id if row.clinic_id is not None else "*"
            click.echo(
                f"{row.prefix}  {row.kind.value:5}  clinic {clinic}  {row.name}  "
                f"last used {last}  {state}"
            )


@keys_group.command("revoke")
@click.argument("prefix")
@with_appcontext
def revoke_command(prefix: str) -> None:
    """Revoke the key listed with PREFIX; it stops working at once."""
    now = current_app.extensions["agendai.clock"].now()
    with deps.session() as session:
        try:
            row = keys.revoke(session, prefix=prefix, now=now)
        except keys.InvalidKeyRequest as exc:
            raise click.UsageError(str(exc)) from None
        click.echo(f"revoked {row.prefix} ({row.name})")
