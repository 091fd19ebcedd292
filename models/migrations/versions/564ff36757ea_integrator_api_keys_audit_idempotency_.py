"""integrator API: keys, audit, idempotency, webhooks

Revision ID: 564ff36757ea
Revises: 124c9024d418
Create Date: 2026-11-22
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '564ff36757ea'
down_revision: str | None = '124c9024d418'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('apikey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('live', 'test', 'admin', name='keykind'), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('rate_limit', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_apikey_clinic_id_clinic')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apikey')),
    sa.UniqueConstraint('hash', name=op.f('uq_apikey_hash'))
    )
    with op.batch_alter_table('apikey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apikey_clinic_id'), ['clinic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apikey_prefix'), ['prefix'], unique=False)

    op.create_table('auditevent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('key_prefix', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('resource', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('resource_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_auditevent_clinic_id_clinic')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auditevent'))
    )
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auditevent_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditevent_clinic_id'), ['clinic_id'], unique=False)

    op.create_table('webhookendpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('secret', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_webhookendpoint_clinic_id_clinic')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhookendpoint'))
    )
    with op.batch_alter_table('webhookendpoint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhookendpoint_clinic_id'), ['clinic_id'], unique=False)

    op.create_table('idempotencyrecord',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('api_key_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['api_key_id'], ['apikey.id'], name=op.f('fk_idempotencyrecord_api_key_id_apikey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotencyrecord')),
    sa.UniqueConstraint('api_key_id', 'key', name=op.f('uq_idempotencyrecord_api_key_id_key'))
    )
    with op.batch_alter_table('idempotencyrecord', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotencyrecord_api_key_id'), ['api_key_id'], unique=False)

    op.create_table('webhookdelivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('event_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('delivered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_webhookdelivery_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhookendpoint.id'], name=op.f('fk_webhookdelivery_endpoint_id_webhookendpoint')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhookdelivery'))
    )
    with op.batch_alter_table('webhookdelivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhookdelivery_clinic_id'), ['clinic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhookdelivery_endpoint_id'), ['endpoint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhookdelivery_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhookdelivery_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhookdelivery_status'), ['status'], unique=False)

    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(), nullable=True))

    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    with op.batch_alter_table('clinic', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sandbox_of_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_clinic_sandbox_of_id_clinic'), 'clinic', ['sandbox_of_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('clinic', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_clinic_sandbox_of_id_clinic'), type_='foreignkey')
        batch_op.drop_column('sandbox_of_id')

    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('description')

    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_column('notes')

    with op.batch_alter_table('webhookdelivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhookdelivery_status'))
        batch_op.drop_index(batch_op.f('ix_webhookdelivery_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_webhookdelivery_event_id'))
        batch_op.drop_index(batch_op.f('ix_webhookdelivery_endpoint_id'))
        batch_op.drop_index(batch_op.f('ix_webhookdelivery_clinic_id'))

    op.drop_table('webhookdelivery')
    with op.batch_alter_table('idempotencyrecord', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotencyrecord_api_key_id'))

    op.drop_table('idempotencyrecord')
    with op.batch_alter_table('webhookendpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhookendpoint_clinic_id'))

    op.drop_table('webhookendpoint')
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditevent_clinic_id'))
        batch_op.drop_index(batch_op.f('ix_auditevent_at'))

    op.drop_table('auditevent')
    with op.batch_alter_table('apikey', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apikey_prefix'))
        batch_op.drop_index(batch_op.f('ix_apikey_clinic_id'))

    op.drop_table('apikey')
