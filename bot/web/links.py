"""Signed links a patient opens in a browser to cancel or reschedule an appointment (pt-BR pages).

GET only shows; POST acts, so a link preview (WhatsApp, an e-mail scanner) never cancels anything.
There is no CSRF token: the signed token in the URL is the credential, and a POST can act only on
the one appointment it names. Tokens: link_tokens.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, make_response, render_template, request

from bot.core.texts import Texts
from bot.domain.scheduling import (
    AppointmentDetails,
    InvalidTransition,
    NotFound,
    Scheduling,
    SchedulingError,
    SlotNotFound,
    scheduling_for,
)
from bot.web.db import clock, db
from bot.web.link_tokens import names, read_token, secret_key
from models import OPEN_STATUSES, Actor, Appointment, Clinic

bp = Blueprint("links", __name__, url_prefix="/a", template_folder="templates")

SLOTS_SHOWN = 8
# AppointmentEvent.actor_ref of changes made through these pages.
LINK_REF = "link"


@dataclass
class _Link:
    """An appointment reached through a valid token, still open to change."""

    clinic_id: int
    details: AppointmentDetails
    texts: Texts
    scheduling: Scheduling

    def when(self, moment: Any) -> str:
        """A moment as the patient reads it: "qui, 11/12 às 14:00" in the unit's zone."""
        return self.texts.datetime(moment.astimezone(ZoneInfo(self.details.timezone)))

    def summary(self) -> dict[str, str]:
        details = self.details
        return {
            "service": self.texts(
                "link_summary_service", service=details.service, professional=details.professional
            ),
            "when": self.when(details.start),
            "place": self.texts(
                "link_summary_place", location=details.location, address=details.address
            ),
        }


def _page(template: str, texts: Texts, status: int = 200, **context: Any) -> Response:
    response = make_response(
        render_template(f"links/{template}.html", title=texts("link_page_title"), **context),
        status,
    )
    # The token in the URL is a credential: keep it out of caches and other sites' logs.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _not_found(texts: Texts) -> Response:
    return _page(
        "base",
        texts,
        404,
        heading=texts("link_not_found_heading"),
        message=texts("link_not_found"),
    )


def _open(token: str, action: str) -> _Link | Response:
    """The appointment a token names, or the page saying why it cannot be changed."""
    session, now = db(), clock().now()
    found = read_token(secret_key(), action, token, now=now)
    clinic = session.get(Clinic, found.clinic_id) if found else None
    if found is None or clinic is None:
        return _not_found(Texts())
    if not names(found, session.get(Appointment, found.appointment_id)):
        return _not_found(Texts(clinic.texts))  # deleted, or another row under its id
    texts = Texts(clinic.texts)
    schedule = scheduling_for(session, clinic, clock())
    try:
        details = schedule.details(clinic_id=found.clinic_id, appointment_id=found.appointment_id)
    except NotFound:  # deleted since the link was sent
        return _not_found(texts)
    link = _Link(clinic_id=found.clinic_id, details=details, texts=texts, scheduling=schedule)
    if details.status not in OPEN_STATUSES or details.start <= now:
        return _closed(link)
    return link


def _closed(link: _Link) -> Response:
    texts, status = link.texts, link.details.status
    message = (
        texts("link_started")
        if status in OPEN_STATUSES
        else texts("link_closed", status=texts(f"link_status_{status}"))
    )
    code = 409 if request.method == "POST" else 200
    heading = texts("link_closed_heading")
    return _page("base", texts, code, heading=heading, summary=link.summary(), message=message)


@bp.get("/cancel/<token>")
def cancel_page(token: str) -> Response:
    """The appointment and a button to cancel it."""
    link = _open(token, "cancel")
    if isinstance(link, Response):
        return link
    texts = link.texts
    return _page(
        "cancel",
        texts,
        heading=texts("link_cancel_heading"),
        summary=link.summary(),
        question=texts("link_cancel_question"),
        reason_label=texts("link_cancel_reason_label"),
        button=texts("link_cancel_button"),
    )


@bp.post("/cancel/<token>")
def cancel(token: str) -> Response:
    """Cancel the appointment (the patient did it), with the reason typed, if any."""
    link = _open(token, "cancel")
    if isinstance(link, Response):
        return link
    reason = (request.form.get("reason") or "").strip()[:500] or None
    try:
        link.scheduling.cancel(
            clinic_id=link.clinic_id,
            appointment_id=link.details.id,
            reason=reason,
            actor=Actor.client,
            actor_ref=LINK_REF,
        )
    except InvalidTransition:
        db().rollback()
        return _closed(link)
    db().commit()
    texts = link.texts
    return _page(
        "base",
        texts,
        heading=texts("link_cancelled_heading"),
        message=texts("link_cancelled", when=link.when(link.details.start)),
    )


def _choices(link: _Link, status: int = 200, message: str | None = None) -> Response:
    """The next free times of the same service at the same unit, as buttons."""
    details, texts = link.details, link.texts
    found = link.scheduling.free_slots(
        clinic_id=link.clinic_id,
        location_id=details.location_id,
        service_id=details.service_id,
        start=clock().now(),
        limit=SLOTS_SHOWN + 1,
    )
    slots = [
        (
            slot.id,
            texts(
                "link_slot_option", when=link.when(slot.start), professional=slot.professional_name
            ),
        )
        for slot in found
        if slot.id != details.slot_id
    ][:SLOTS_SHOWN]
    names = {"service": details.service, "location": details.location}
    return _page(
        "reschedule",
        texts,
        status,
        heading=texts("link_reschedule_heading"),
        summary=link.summary(),
        message=message,
        intro=texts("link_reschedule_intro", **names),
        no_slots=texts("link_no_slots", **names),
        slots=slots,
    )


@bp.get("/reschedule/<token>")
def reschedule_page(token: str) -> Response:
    """The appointment and the next free times to move it to."""
    link = _open(token, "reschedule")
    return link if isinstance(link, Response) else _choices(link)


@bp.post("/reschedule/<token>")
def reschedule(token: str) -> Response:
    """Move the appointment to the chosen slot (same service, same unit)."""
    link = _open(token, "reschedule")
    if isinstance(link, Response):
        return link
    raw = (request.form.get("slot_id") or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        return _choices(link, 400)
    schedule, details = link.scheduling, link.details
    try:
        slot = schedule.slot(clinic_id=link.clinic_id, slot_id=int(raw))
        if slot.location_id != details.location_id:
            raise SlotNotFound(f"slot {raw} is at another unit")
        schedule.change(
            clinic_id=link.clinic_id,
            appointment_id=details.id,
            slot_id=slot.id,
            actor=Actor.client,
            actor_ref=LINK_REF,
        )
    except InvalidTransition:
        db().rollback()
        return _closed(link)
    except SlotNotFound:
        db().rollback()
        return _choices(link, 400)
    except SchedulingError:
        db().rollback()
        return _choices(link, 409, link.texts("link_slot_taken"))
    db().commit()
    texts = link.texts
    return _page(
        "base",
        texts,
        heading=texts("link_rescheduled_heading"),
        summary=None,
        message=texts("link_rescheduled", when=link.when(slot.start)),
    )
