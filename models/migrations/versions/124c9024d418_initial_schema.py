"""initial schema

Revision ID: 124c9024d418
Revises: 
Create Date: 2026-11-22 01:33:31.901263
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '124c9024d418'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('clinic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clinic'))
    )
    with op.batch_alter_table('clinic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clinic_slug'), ['slug'], unique=True)

    op.create_table('clinicnumber',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_clinicnumber_clinic_id_clinic')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clinicnumber'))
    )
    with op.batch_alter_table('clinicnumber', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clinicnumber_clinic_id'), ['clinic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clinicnumber_number'), ['number'], unique=True)

    op.create_table('healthinsurance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('self_pay', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_healthinsurance_clinic_id_clinic')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_healthinsurance'))
    )
    with op.batch_alter_table('healthinsurance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_healthinsurance_clinic_id'), ['clinic_id'], unique=False)

    op.create_table('location',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_location_clinic_id_clinic')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_location'))
    )
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_location_clinic_id'), ['clinic_id'], unique=False)

    op.create_table('professional',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_professional_clinic_id_clinic')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_professional'))
    )
    with op.batch_alter_table('professional', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_professional_clinic_id'), ['clinic_id'], unique=False)

    op.create_table('service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('price_cents', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_service_clinic_id_clinic')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service'))
    )
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_clinic_id'), ['clinic_id'], unique=False)

    op.create_table('client',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('cpf', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('birthday', sa.Date(), nullable=True),
    sa.Column('image', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('health_insurance_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_client_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['health_insurance_id'], ['healthinsurance.id'], name=op.f('fk_client_health_insurance_id_healthinsurance')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_client_location_id_location')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client'))
    )
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_clinic_id'), ['clinic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_cpf'), ['cpf'], unique=False)

    op.create_table('insurancelocation',
    sa.Column('insurance_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['insurance_id'], ['healthinsurance.id'], name=op.f('fk_insurancelocation_insurance_id_healthinsurance')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_insurancelocation_location_id_location')),
    sa.PrimaryKeyConstraint('insurance_id', 'location_id', name=op.f('pk_insurancelocation'))
    )
    op.create_table('insuranceservice',
    sa.Column('insurance_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['insurance_id'], ['healthinsurance.id'], name=op.f('fk_insuranceservice_insurance_id_healthinsurance')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_insuranceservice_service_id_service')),
    sa.PrimaryKeyConstraint('insurance_id', 'service_id', name=op.f('pk_insuranceservice'))
    )
    op.create_table('professionalservice',
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['professional_id'], ['professional.id'], name=op.f('fk_professionalservice_professional_id_professional')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_professionalservice_service_id_service')),
    sa.PrimaryKeyConstraint('professional_id', 'service_id', name=op.f('pk_professionalservice'))
    )
    op.create_table('scheduleexception',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_scheduleexception_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_scheduleexception_location_id_location')),
    sa.ForeignKeyConstraint(['professional_id'], ['professional.id'], name=op.f('fk_scheduleexception_professional_id_professional')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduleexception'))
    )
    with op.batch_alter_table('scheduleexception', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheduleexception_clinic_id'), ['clinic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scheduleexception_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_scheduleexception_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scheduleexception_professional_id'), ['professional_id'], unique=False)

    op.create_table('slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.Column('start', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('end', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_slot_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_slot_location_id_location')),
    sa.ForeignKeyConstraint(['professional_id'], ['professional.id'], name=op.f('fk_slot_professional_id_professional')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_slot_service_id_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slot')),
    sa.UniqueConstraint('professional_id', 'location_id', 'start', name=op.f('uq_slot_professional_id_location_id_start'))
    )
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slot_clinic_id'), ['clinic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_slot_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_slot_professional_id'), ['professional_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_slot_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_slot_start'), ['start'], unique=False)

    op.create_table('workinghours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start', sa.Time(), nullable=False),
    sa.Column('end', sa.Time(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_workinghours_location_id_location')),
    sa.ForeignKeyConstraint(['professional_id'], ['professional.id'], name=op.f('fk_workinghours_professional_id_professional')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workinghours'))
    )
    with op.batch_alter_table('workinghours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workinghours_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workinghours_professional_id'), ['professional_id'], unique=False)

    op.create_table('appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('insurance_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('scheduled', 'confirmed', 'completed', 'no_show', 'cancelled', name='appointmentstatus'), nullable=False),
    sa.Column('start', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('end', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('cancel_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_appointment_client_id_client')),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_appointment_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['insurance_id'], ['healthinsurance.id'], name=op.f('fk_appointment_insurance_id_healthinsurance')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_appointment_service_id_service')),
    sa.ForeignKeyConstraint(['slot_id'], ['slot.id'], name=op.f('fk_appointment_slot_id_slot')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment'))
    )
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_clinic_id'), ['clinic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_insurance_id'), ['insurance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_slot_id'), ['slot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_start'), ['start'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_status'), ['status'], unique=False)

    op.create_table('clientphone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_clientphone_client_id_client')),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_clientphone_clinic_id_clinic')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clientphone')),
    sa.UniqueConstraint('clinic_id', 'key', name=op.f('uq_clientphone_clinic_id_key'))
    )
    with op.batch_alter_table('clientphone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clientphone_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clientphone_clinic_id'), ['clinic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clientphone_key'), ['key'], unique=False)

    op.create_table('conversation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('clinic_address', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('profile_name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('context', sa.JSON(), nullable=False),
    sa.Column('last_inbound_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('handoff_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('opted_out_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_conversation_client_id_client')),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_conversation_clinic_id_clinic')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation')),
    sa.UniqueConstraint('clinic_id', 'address', name=op.f('uq_conversation_clinic_id_address'))
    )
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversation_clinic_id'), ['clinic_id'], unique=False)

    op.create_table('appointmentevent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor', sa.Enum('client', 'professional', 'operator', 'system', 'api_key', name='actor'), nullable=False),
    sa.Column('actor_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('from_status', sa.Enum('scheduled', 'confirmed', 'completed', 'no_show', 'cancelled', name='appointmentstatus'), nullable=True),
    sa.Column('to_status', sa.Enum('scheduled', 'confirmed', 'completed', 'no_show', 'cancelled', name='appointmentstatus'), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_appointmentevent_appointment_id_appointment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointmentevent'))
    )
    with op.batch_alter_table('appointmentevent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointmentevent_appointment_id'), ['appointment_id'], unique=False)

    op.create_table('consentchange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('opted_in', sa.Boolean(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_consentchange_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_consentchange_conversation_id_conversation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consentchange'))
    )
    with op.batch_alter_table('consentchange', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consentchange_clinic_id'), ['clinic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consentchange_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=True),
    sa.Column('conversation_id', sa.Integer(), nullable=True),
    sa.Column('direction', sa.Enum('inbound', 'outbound', name='direction'), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('provider_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('reply_to_id', sa.Integer(), nullable=True),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('error_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_message_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_message_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_message_conversation_id_conversation')),
    sa.ForeignKeyConstraint(['reply_to_id'], ['message.id'], name=op.f('fk_message_reply_to_id_message')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message')),
    sa.UniqueConstraint('provider', 'provider_id', name=op.f('uq_message_provider_provider_id'))
    )
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_clinic_id'), ['clinic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_reply_to_id'), ['reply_to_id'], unique=False)

    op.create_table('slothold',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_slothold_conversation_id_conversation')),
    sa.ForeignKeyConstraint(['slot_id'], ['slot.id'], name=op.f('fk_slothold_slot_id_slot')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slothold')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('slothold', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slothold_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_slothold_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_slothold_slot_id'), ['slot_id'], unique=False)

    op.create_table('waitlistentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('insurance_id', sa.Integer(), nullable=True),
    sa.Column('part_of_day', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('offered_slot_id', sa.Integer(), nullable=True),
    sa.Column('offer_expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_waitlistentry_client_id_client')),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_waitlistentry_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_waitlistentry_conversation_id_conversation')),
    sa.ForeignKeyConstraint(['insurance_id'], ['healthinsurance.id'], name=op.f('fk_waitlistentry_insurance_id_healthinsurance')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_waitlistentry_location_id_location')),
    sa.ForeignKeyConstraint(['offered_slot_id'], ['slot.id'], name=op.f('fk_waitlistentry_offered_slot_id_slot')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_waitlistentry_service_id_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlistentry'))
    )
    with op.batch_alter_table('waitlistentry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waitlistentry_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlistentry_clinic_id'), ['clinic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlistentry_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlistentry_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlistentry_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlistentry_status'), ['status'], unique=False)

    op.create_table('reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('due_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('claimed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_reminder_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_reminder_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], name=op.f('fk_reminder_message_id_message')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder')),
    sa.UniqueConstraint('appointment_id', 'kind', name=op.f('uq_reminder_appointment_id_kind'))
    )
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_clinic_id'), ['clinic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_message_id'), ['message_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_message_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_clinic_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_appointment_id'))

    op.drop_table('reminder')
    with op.batch_alter_table('waitlistentry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waitlistentry_status'))
        batch_op.drop_index(batch_op.f('ix_waitlistentry_service_id'))
        batch_op.drop_index(batch_op.f('ix_waitlistentry_location_id'))
        batch_op.drop_index(batch_op.f('ix_waitlistentry_conversation_id'))
        batch_op.drop_index(batch_op.f('ix_waitlistentry_clinic_id'))
        batch_op.drop_index(batch_op.f('ix_waitlistentry_client_id'))

    op.drop_table('waitlistentry')
    with op.batch_alter_table('slothold', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slothold_slot_id'))
        batch_op.drop_index(batch_op.f('ix_slothold_expires_at'))
        batch_op.drop_index(batch_op.f('ix_slothold_conversation_id'))

    op.drop_table('slothold')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_reply_to_id'))
        batch_op.drop_index(batch_op.f('ix_message_provider_id'))
        batch_op.drop_index(batch_op.f('ix_message_conversation_id'))
        batch_op.drop_index(batch_op.f('ix_message_clinic_id'))
        batch_op.drop_index(batch_op.f('ix_message_appointment_id'))

    op.drop_table('message')
    with op.batch_alter_table('consentchange', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consentchange_conversation_id'))
        batch_op.drop_index(batch_op.f('ix_consentchange_clinic_id'))

    op.drop_table('consentchange')
    with op.batch_alter_table('appointmentevent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointmentevent_appointment_id'))

    op.drop_table('appointmentevent')
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_clinic_id'))
        batch_op.drop_index(batch_op.f('ix_conversation_client_id'))

    op.drop_table('conversation')
    with op.batch_alter_table('clientphone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clientphone_key'))
        batch_op.drop_index(batch_op.f('ix_clientphone_clinic_id'))
        batch_op.drop_index(batch_op.f('ix_clientphone_client_id'))

    op.drop_table('clientphone')
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_status'))
        batch_op.drop_index(batch_op.f('ix_appointment_start'))
        batch_op.drop_index(batch_op.f('ix_appointment_slot_id'))
        batch_op.drop_index(batch_op.f('ix_appointment_service_id'))
        batch_op.drop_index(batch_op.f('ix_appointment_insurance_id'))
        batch_op.drop_index(batch_op.f('ix_appointment_clinic_id'))
        batch_op.drop_index(batch_op.f('ix_appointment_client_id'))

    op.drop_table('appointment')
    with op.batch_alter_table('workinghours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workinghours_professional_id'))
        batch_op.drop_index(batch_op.f('ix_workinghours_location_id'))

    op.drop_table('workinghours')
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slot_start'))
        batch_op.drop_index(batch_op.f('ix_slot_service_id'))
        batch_op.drop_index(batch_op.f('ix_slot_professional_id'))
        batch_op.drop_index(batch_op.f('ix_slot_location_id'))
        batch_op.drop_index(batch_op.f('ix_slot_clinic_id'))

    op.drop_table('slot')
    with op.batch_alter_table('scheduleexception', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scheduleexception_professional_id'))
        batch_op.drop_index(batch_op.f('ix_scheduleexception_location_id'))
        batch_op.drop_index(batch_op.f('ix_scheduleexception_day'))
        batch_op.drop_index(batch_op.f('ix_scheduleexception_clinic_id'))

    op.drop_table('scheduleexception')
    op.drop_table('professionalservice')
    op.drop_table('insuranceservice')
    op.drop_table('insurancelocation')
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_cpf'))
        batch_op.drop_index(batch_op.f('ix_client_clinic_id'))

    op.drop_table('client')
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_clinic_id'))

    op.drop_table('service')
    with op.batch_alter_table('professional', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_professional_clinic_id'))

    op.drop_table('professional')
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_location_clinic_id'))

    op.drop_table('location')
    with op.batch_alter_table('healthinsurance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_healthinsurance_clinic_id'))

    op.drop_table('healthinsurance')
    with op.batch_alter_table('clinicnumber', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clinicnumber_number'))
        batch_op.drop_index(batch_op.f('ix_clinicnumber_clinic_id'))

    op.drop_table('clinicnumber')
    with op.batch_alter_table('clinic', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clinic_slug'))

    op.drop_table('clinic')
