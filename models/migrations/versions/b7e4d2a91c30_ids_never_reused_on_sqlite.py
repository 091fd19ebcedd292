"""ids never reused on SQLite: every table whose ids leave the system gets AUTOINCREMENT
(SQLite hands out max(id) + 1 otherwise, so a deleted row's id named the next row); PostgreSQL
sequences never reuse, so there it is a no-op

Revision ID: b7e4d2a91c30
Revises: 90347297f614
Create Date: 2026-12-06
"""
from collections.abc import Sequence

from alembic import op


revision: str = 'b7e4d2a91c30'
down_revision: str | None = '90347297f614'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Parents before children (slothold has had AUTOINCREMENT from the start).
TABLES = (
    'clinic', 'apikey', 'auditevent', 'clinicnumber', 'healthinsurance', 'location',
    'professional', 'service', 'webhookendpoint', 'client', 'idempotencyrecord',
    'scheduleexception', 'slot', 'webhookdelivery', 'workinghours', 'appointment',
    'clientphone', 'conversation', 'appointmentevent', 'consentchange', 'message',
    'waitlistentry', 'reminder',
)


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate='always', table_kwargs={'sqlite_autoincrement': autoincrement}
        ):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
