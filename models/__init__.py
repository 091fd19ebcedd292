"""SQLModel tables and the database session. No Flask, no business rules."""

from models.api import (
    ApiKey,
    AuditEvent,
    IdempotencyRecord,
    KeyKind,
    WebhookDelivery,
    WebhookEndpoint,
)
from models.appointment import (
    OPEN_STATUSES,
    Actor,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    SlotHold,
)
from models.client import Client, ClientPhone
from models.clinic import (
    Clinic,
    ClinicNumber,
    HealthInsurance,
    InsuranceLocation,
    InsuranceService,
    Location,
    Professional,
    ProfessionalService,
    ScheduleException,
    Service,
    Slot,
    WorkingHours,
)
from models.conversation import Conversation, Direction, Message
from models.db import make_engine, new_session
from models.reminder import ConsentChange, Reminder, ReminderStatus
from models.waitlist import WaitlistEntry, WaitlistStatus

__all__ = [
    "OPEN_STATUSES",
    "Actor",
    "ApiKey",
    "Appointment",
    "AppointmentEvent",
    "AppointmentStatus",
    "AuditEvent",
    "Client",
    "ClientPhone",
    "Clinic",
    "ClinicNumber",
    "ConsentChange",
    "Conversation",
    "Direction",
    "HealthInsurance",
    "IdempotencyRecord",
    "InsuranceLocation",
    "InsuranceService",
    "KeyKind",
    "Location",
    "Message",
    "Professional",
    "ProfessionalService",
    "Reminder",
    "ReminderStatus",
    "ScheduleException",
    "Service",
    "Slot",
    "SlotHold",
    "WaitlistEntry",
    "WaitlistStatus",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WorkingHours",
    "make_engine",
    "new_session",
]
