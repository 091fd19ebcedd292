"""columns nothing reads: slot.service_id (never written; a slot serves every service its
professional offers that fits in it) and reminder.sent_at (the reminder's message has the time)

Revision ID: 90347297f614
Revises: 564ff36757ea
Create Date: 2026-12-06
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '90347297f614'
down_revision: str | None = '564ff36757ea'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slot_service_id'))
        batch_op.drop_constraint(batch_op.f('fk_slot_service_id_service'), type_='foreignkey')
        batch_op.drop_column('service_id')
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_column('sent_at')


def downgrade() -> None:
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_id', sa.INTEGER(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_slot_service_id_service'), 'service', ['service_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_slot_service_id'), ['service_id'], unique=False)
