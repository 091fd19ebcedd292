"""Reminders before appointments: each one claimed once, sent once, reconciled after a crash.

A pass plans what is due, claims each reminder by inserting its row (unique per appointment and
lead time) and committing, and only then sends. The outbound Message is committed as "sending"
before the transport is called, so a worker that dies mid-send leaves a trace: its stale claim is
later matched with that message and never sent blindly a second time.

What this cannot know: a worker that dies between committing the "sending" row and Twilio
receiving the request leaves a reminder that never went out, yet is reconciled as sent (at most
once, never twice); one that dies after Twilio accepted but before the SID was stored leaves a
message no status callback can find. Asking Twilio (messages to that address since the claim)
would settle both; it is not done.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.texts import Texts
from bot.core.worker import run_until_stopped
from bot.domain.clinic.settings import settings_or_default
from bot.domain.scheduling import AppointmentDetails, scheduling_for
from bot.messaging import outbound, statuses
from bot.messaging.channels.base import Reply, SendError, Transport
from bot.messaging.outbound import NotSent, OutsideWindow
from models import (
    OPEN_STATUSES,
    Appointment,
    Client,
    Clinic,
    Conversation,
    Direction,
    Message,
    Reminder,
    ReminderStatus,
)

log = logging.getLogger(__name__)

CLAIMED, SENT, FAILED, SKIPPED = (
    ReminderStatus.claimed,
    ReminderStatus.sent,
    ReminderStatus.failed,
    ReminderStatus.skipped,
)
# A claim older than this belongs to a worker that died (a send takes seconds at most).
STALE_AFTER = timedelta(minutes=5)
SYNC_WITHIN = timedelta(days=2)  # how far back a reminder follows its message's delivery status
NO_TEMPLATE = "no reminder_content_sid: free text cannot be sent outside the 24-hour window"
REFUSALS = {  # NotSent reason -> what the reminder becomes
    "handoff": (SKIPPED, "an operator owns the conversation: the bot sends nothing"),
    "opted_out": (SKIPPED, "the patient opted out of reminders"),
    "no_sender": (FAILED, "the clinic has no WhatsApp number to send from"),
}
SessionFactory = Callable[[], Session]


@dataclass
class RunReport:
    """What one pass did."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0
    reconciled: int = 0  # stale claims of dead workers taken over
    retried: int = 0  # failed messages that went out on another try

    def count(self, status: str) -> None:
        """Count one reminder that ended in `status`."""
        setattr(self, status, getattr(self, status) + 1)

    def __str__(self) -> str:
        return (
            f"{self.sent} sent, {self.failed} failed, {self.skipped} skipped "
            f"({self.reconciled} reconciled after a crash, {self.retried} retried)"
        )


@dataclass(frozen=True)
class _Plan:
    """One reminder to claim; `rearm` is (id, old due_at) of the row a reschedule made stale."""

    clinic_id: int
    appointment_id: int
    client_id: int
    kind: str
    due_at: datetime
    status: str = CLAIMED  # or SKIPPED: recorded with `note`, not sent
    note: str = ""
    rearm: tuple[int, datetime] | None = None


@dataclass
class _Pass:
    """What every step of a pass needs."""

    session: Session
    clock: Clock
    transport: Transport
    worker: str
    report: RunReport


def run_once(
    session_factory: SessionFactory,
    *,
    clock: Clock,
    transport: Transport,
    worker: str,
    should_stop: Callable[[], bool] = lambda: False,
) -> RunReport:
    """One pass over every clinic: reconcile dead workers' claims, send what is due, retry."""
    report = RunReport()
    with session_factory() as session:
        run = _Pass(session, clock, transport, worker, report)
        _reconcile_stale(run)
        for plan in _plans(session, clock.now()):
            if should_stop():
                break
            reminder_id = _claim(session, plan, worker, clock.now())
            if reminder_id is not None and plan.status == CLAIMED:
                _deliver(run, reminder_id, plan)
            elif reminder_id is not None:
                report.count(plan.status)
        report.retried = statuses.retry_failed(session, transport=transport, clock=clock)
        _follow_deliveries(session, clock.now())
    return report


def _plans(session: Session, now: datetime) -> list[_Plan]:
    """Every reminder due now and not yet claimed, in every clinic."""
    plans: list[_Plan] = []
    for clinic in session.exec(select(Clinic).order_by(col(Clinic.id))).all():
        hours = settings_or_default(clinic.settings, clinic_id=clinic.id).reminder_hours
        appointments = session.exec(
            select(Appointment)
            .where(
                Appointment.clinic_id == clinic.id,
                col(Appointment.status).in_(OPEN_STATUSES),
                Appointment.start > now,
                Appointment.start <= now + timedelta(hours=max(hours, default=0)),
            )
            .order_by(col(Appointment.start), col(Appointment.id))
        ).all()
        ids = [appointment.id for appointment in appointments]
        existing = {
            (row.appointment_id, row.kind): row
            for row in session.exec(select(Reminder).where(col(Reminder.appointment_id).in_(ids)))
        }
        for appointment in appointments:
            plans += _appointment_plans(appointment, hours, existing, now)
    session.commit()  # end the read: on SQLite every transaction holds the write lock
    return plans


def _appointment_plans(
    appointment: Appointment, hours: list[int], existing: dict, now: datetime
) -> list[_Plan]:
    """Only the nearest due lead time is sent; earlier ones still missing are recorded skipped."""
    due = [lead for lead in hours if appointment.start - timedelta(hours=lead) <= now]
    plans = []
    for lead in due:
        kind, due_at = f"{lead}h", appointment.start - timedelta(hours=lead)
        old = existing.get((appointment.id, kind))
        if old is not None and (old.status == CLAIMED or old.due_at == due_at):
            continue  # done, or in a worker's hands; a moved appointment re-arms its reminders
        status, note = CLAIMED, ""
        if lead != min(due):
            status, note = SKIPPED, f"superseded by the {min(due)}h reminder"
        elif due_at < appointment.created_at:
            status, note = SKIPPED, "booked after this reminder was due"
        rearm = None if old is None else (old.id, old.due_at)
        ids = (appointment.clinic_id, appointment.id, appointment.client_id)
        plans.append(_Plan(*ids, kind, due_at, status, note, rearm))  # type: ignore[arg-type]
    return plans


def _claim(session: Session, plan: _Plan, worker: str, now: datetime) -> int | None:
    """Insert (or re-arm) the reminder row and commit; None when another worker got there first."""
    values = {
        "clinic_id": plan.clinic_id,
        "appointment_id": plan.appointment_id,
        "kind": plan.kind,
        "due_at": plan.due_at,
        "status": plan.status,
        "note": plan.note,
        "claimed_at": now,
        "claimed_by": worker,
        "message_id": None,
    }
    if plan.rearm is None:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(Reminder).values(values).on_conflict_do_nothing()
        claimed = session.execute(statement.returning(col(Reminder.id))).scalar_one_or_none()
    else:
        old_id, old_due = plan.rearm
        result = session.execute(
            update(Reminder)
            .where(col(Reminder.id) == old_id, col(Reminder.due_at) == old_due)
            .where(col(Reminder.status) != CLAIMED)
            .values(values)
        )
        claimed = old_id if result.rowcount == 1 else None
    session.commit()
    return claimed


def _deliver(run: _Pass, reminder_id: int, plan: _Plan) -> None:
    """Send one claimed reminder and record the outcome; an unexpected error fails only this one."""
    try:
        status, note, message_id = _send(run, plan)
    except Exception:
        run.session.rollback()
        log.exception("reminder %s failed unexpectedly", reminder_id)
        status, note, message_id = FAILED, "unexpected error: see the worker's log", None
    _finish(run, reminder_id, status, note, message_id)


def _send(run: _Pass, plan: _Plan) -> tuple[str, str, int | None]:
    """Send the reminder to the patient's latest conversation: (status, note, message id)."""
    session = run.session
    session.expire_all()  # read the appointment and conversation as they are now, not at planning
    conversation = _conversation_of(session, plan.clinic_id, plan.client_id)
    if conversation is None:
        return SKIPPED, "no conversation with this patient: no WhatsApp address to write to", None
    details = scheduling_for(session, plan.clinic_id, run.clock).details(
        clinic_id=plan.clinic_id, appointment_id=plan.appointment_id
    )
    if details.status not in OPEN_STATUSES:
        return SKIPPED, f"the appointment is {details.status}", None
    if details.start <= run.clock.now():
        return SKIPPED, "the appointment has already started", None
    content = _content(session, details, plan.clinic_id, _first_name(session, plan, conversation))
    session.commit()  # end the reads before the transport is called
    try:
        message = outbound.send(
            session,
            conversation=conversation,
            transport=run.transport,
            clock=run.clock,
            appointment_id=plan.appointment_id,
            **content,
        )
    except OutsideWindow:
        return FAILED, NO_TEMPLATE, None
    except NotSent as refusal:
        return (*REFUSALS.get(refusal.reason, (SKIPPED, str(refusal))), None)
    except SendError as error:
        return FAILED, f"send failed: {error}", error.message_id
    return SENT, "", message.id


def _conversation_of(session: Session, clinic_id: int, client_id: int) -> Conversation | None:
    """The patient's most recent conversation with the clinic: reminders go to that address."""
    return session.exec(
        select(Conversation)
        .where(Conversation.clinic_id == clinic_id, Conversation.client_id == client_id)
        .order_by(
            col(Conversation.last_inbound_at).desc().nulls_last(), col(Conversation.id).desc()
        )
    ).first()


def _first_name(session: Session, plan: _Plan, conversation: Conversation) -> str:
    """The patient's first name, else their WhatsApp profile name."""
    client = session.get(Client, plan.client_id)
    name = (client.name if client else "") or conversation.profile_name or ""
    return name.split()[0] if name.split() else ""


def _content(
    session: Session, details: AppointmentDetails, clinic_id: int, name: str
) -> dict[str, Any]:
    """The clinic's template when it has one, else the numbered text, as send() keywords."""
    clinic = session.get(Clinic, clinic_id)
    assert clinic is not None
    settings = settings_or_default(clinic.settings, clinic_id=clinic_id)
    texts = Texts(clinic.texts, settings.language)
    when = texts.datetime(details.start.astimezone(ZoneInfo(details.timezone)))
    if settings.reminder_content_sid:
        variables = {"1": name, "2": when, "3": details.location}
        return {"template": (settings.reminder_content_sid, variables)}
    text = texts(
        "reminder_text",
        name=name,
        when=when,
        service=details.service,
        professional=details.professional,
        location=details.location,
        address=details.address,
    )
    options = (texts("reminder_confirm"), texts("reminder_reschedule"), texts("reminder_cancel"))
    return {"text": Reply(text, options, footer=texts("reminder_footer")).render()}


def _finish(run: _Pass, reminder_id: int, status: str, note: str, message_id: int | None) -> None:
    """Record the outcome of a reminder this worker holds, and count it."""
    run.session.execute(
        update(Reminder)
        .where(col(Reminder.id) == reminder_id, col(Reminder.status) == CLAIMED)
        .where(col(Reminder.claimed_by) == run.worker)
        .values(status=status, note=note, message_id=message_id)
    )
    run.session.commit()
    run.report.count(status)
    log.info("reminder %s %s%s", reminder_id, status, f": {note}" if note else "")


def _reconcile_stale(run: _Pass) -> None:
    """Take over the claims of dead workers: match what they sent, send what they did not."""
    session, now = run.session, run.clock.now()
    stale = session.exec(
        select(Reminder).where(
            Reminder.status == CLAIMED, col(Reminder.claimed_at) < now - STALE_AFTER
        )
    ).all()
    session.commit()
    for reminder in stale:
        since = reminder.claimed_at  # the update below refreshes the loaded row
        taken = session.execute(
            update(Reminder)
            .where(col(Reminder.id) == reminder.id, col(Reminder.status) == CLAIMED)
            .where(col(Reminder.claimed_at) < now - STALE_AFTER)
            .values(claimed_by=run.worker, claimed_at=now)
        )
        session.commit()
        if taken.rowcount != 1:
            continue  # another worker took it over
        run.report.reconciled += 1
        _resume(run, reminder, since)


def _resume(run: _Pass, reminder: Reminder, since: datetime) -> None:
    """A taken-over claim: the message its worker stored since claiming it, or a send now."""
    message = run.session.exec(
        select(Message)
        .where(
            Message.appointment_id == reminder.appointment_id,
            Message.direction == Direction.outbound,
            Message.created_at >= since,
        )
        .order_by(col(Message.id))
    ).first()
    run.session.commit()
    if message is None:  # the worker died before writing anything: nothing went out
        appointment = run.session.get(Appointment, reminder.appointment_id)
        ids = (reminder.clinic_id, reminder.appointment_id, appointment.client_id)  # type: ignore[union-attr]
        _deliver(run, reminder.id, _Plan(*ids, reminder.kind, reminder.due_at))  # type: ignore[arg-type]
        return
    if message.status in ("failed", "undelivered"):
        status, note = FAILED, f"reconciled: the message failed ({message.error_code})"
    elif message.status == "sending":
        # Twilio may or may not have accepted it; sending again could reach the patient twice.
        status, note = SENT, "reconciled: the worker stopped mid-send; not sent again"
    else:
        status, note = SENT, "reconciled: sent before the worker stopped"
    _finish(run, reminder.id, status, note, message.id)  # type: ignore[arg-type]


def _follow_deliveries(session: Session, now: datetime) -> None:
    """Keep recent reminders in step with their message: failed later, or sent on a retry."""
    rows = session.exec(
        select(Reminder, Message.status)
        .join(Message, col(Message.id) == col(Reminder.message_id))
        .where(col(Reminder.status).in_([SENT, FAILED]), Reminder.claimed_at >= now - SYNC_WITHIN)
    ).all()
    for reminder, status in rows:
        if reminder.status == SENT and status in ("failed", "undelivered"):
            reminder.status, reminder.note = FAILED, f"delivery {status}"
        elif reminder.status == FAILED and status not in ("failed", "undelivered", "sending"):
            reminder.status, reminder.note = SENT, "sent on a retry"
    session.commit()


def worker_name() -> str:
    """This process, as written in the reminders it claims."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_forever(
    session_factory: SessionFactory,
    *,
    clock: Clock,
    transport: Transport,
    interval: float,
    echo: Callable[[str], Any] = print,
) -> None:
    """A pass every `interval` seconds until SIGTERM or Ctrl-C, finishing the reminder at hand."""
    worker = worker_name()

    def one_pass(should_stop: Callable[[], bool]) -> bool:
        report = run_once(
            session_factory,
            clock=clock,
            transport=transport,
            worker=worker,
            should_stop=should_stop,
        )
        echo(f"reminders: {report}")
        return False

    run_until_stopped(one_pass, name="reminders", interval=interval, echo=echo)
