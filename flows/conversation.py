"""The conversation as a state machine: one state per question the bot asks.

Entering a state asks its question (flows.prompts); what the patient answers is read by the
state's step (flows.steps), which calls scheduling and then sends the event that names the
outcome. Guards read the conversation's context, which the step has just updated.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from contextlib import contextmanager
from functools import reduce
from types import SimpleNamespace
from typing import Any

from statemachine import State, StateMachine

from flows import prompts
from flows.turn import Turn


class ConversationFlow(StateMachine):
    """Booking, and managing booked appointments, over chat."""

    idle = State("Idle", initial=True)
    menu = State("Menu")
    insurance = State("Insurance")
    location = State("Unit")
    service = State("Service")
    slot = State("Time slot")
    confirm_booking = State("Confirm booking")
    name = State("Name")
    cpf = State("CPF")
    appointments = State("Appointments")
    appointment_action = State("Appointment action")
    confirm_action = State("Confirm change")
    cancel_reason = State("Cancel reason")
    identify = State("Phone or CPF")
    identify_name = State("Confirm name")
    waitlist_period = State("Waiting-list period")

    # Every state that asks the patient something.
    _asking = (
        menu, insurance, location, service, slot, confirm_booking, name, cpf, appointments,
        appointment_action, confirm_action, cancel_reason, identify, identify_name,
        waitlist_period,
    )  # fmt: skip

    show_menu = menu.from_(idle, *_asking[1:])  # _asking[0] is the menu itself
    start_booking = insurance.from_(idle, menu, identify, identify_name)
    ask_identity = identify.from_(idle)
    check_identity = identify.to(identify_name)
    insurance_chosen = (
        insurance.to(location, cond="location_pending")
        | insurance.to(service, cond="service_pending")
        | insurance.to(slot)
    )
    location_chosen = location.to(service, cond="service_pending") | location.to(slot)
    service_chosen = service.to(slot)
    slot_held = slot.to(confirm_booking)
    # The time named when asking to book ("sexta às 16h") was free: held before the list.
    wished_slot_held = confirm_booking.from_(
        idle, menu, insurance, location, service, appointment_action, confirm_action
    )
    declined = confirm_booking.to(slot)
    need_name = confirm_booking.to(name)
    need_cpf = confirm_booking.to(cpf) | name.to(cpf)
    booked = idle.from_(confirm_booking, name, cpf, idle, menu)
    slot_lost = slot.from_(confirm_booking, name, cpf, idle, menu)
    join_waitlist = slot.to(waitlist_period)
    waitlist_joined = idle.from_(waitlist_period)
    # A waiting-list offer accepted by a patient we do not know yet.
    offer_needs_name = name.from_(idle, menu)

    list_appointments = appointment_action.from_(
        idle, menu, cond="single_appointment"
    ) | appointments.from_(idle, menu)
    appointment_chosen = appointments.to(appointment_action)
    # A change read from free text ("não vou conseguir") is confirmed before it is made.
    confirm_intent = appointment_action.to(confirm_action)
    intent_declined = confirm_action.to(appointment_action)
    presence_confirmed = idle.from_(appointment_action, confirm_action, menu, idle)
    start_reschedule = slot.from_(appointment_action, idle, menu)
    rescheduled = idle.from_(confirm_booking)
    start_cancel = cancel_reason.from_(appointment_action, confirm_action, idle, menu)
    cancelled = cancel_reason.to(idle)
    # Drop what is in progress, silently: the appointment changed meanwhile, or the patient
    # answered a reminder in the middle of something else.
    finish = idle.from_(*_asking)

    back = (
        insurance.to(menu)
        | location.to(insurance)
        | service.to(location, cond="location_was_asked")
        | service.to(insurance)
        | slot.to(appointment_action, cond="rescheduling")
        | slot.to(service, cond="service_was_asked")
        | slot.to(location, cond="location_was_asked")
        | slot.to(insurance)
        | confirm_booking.to(slot)
        | name.to(confirm_booking)
        | cpf.to(name, cond="name_was_asked")
        | cpf.to(confirm_booking)
        | appointments.to(menu)
        | appointment_action.to(appointments, cond="several_appointments")
        | appointment_action.to(menu)
        | cancel_reason.to(appointment_action)
        | confirm_action.to(appointment_action)
        | identify_name.to(identify)
        | waitlist_period.to(slot)
    )
    retry = reduce(operator.or_, [state.to.itself(internal=True) for state in _asking])

    def __init__(self) -> None:
        self.turn: Turn = None  # type: ignore[assignment]  # set for each turn by `seat`
        super().__init__(model=_Seat(), state_field="state")

    def seat(self, conversation: Any, turn: Turn | None) -> None:
        """Serve `conversation` (its `state` column) for `turn`."""
        if conversation.state not in self.states_map:
            # New, or a state renamed or removed by an upgrade: start over rather than fail.
            # (Entering the initial state asks nothing.)
            conversation.state = self.idle.value
        self.model.conversation = conversation
        self.turn = turn  # type: ignore[assignment]

    @property
    def state_id(self) -> str:
        """The id of the current state."""
        return self.current_state_value

    # -- guards: the step has just stored its choice in the context -----------------------------

    def location_pending(self) -> bool:
        return self.turn.ctx.get("location_id") is None

    def service_pending(self) -> bool:
        return self.turn.ctx.get("service_id") is None

    def location_was_asked(self) -> bool:
        return "location" in self.turn.ctx.get("asked", [])

    def service_was_asked(self) -> bool:
        return "service" in self.turn.ctx.get("asked", [])

    def name_was_asked(self) -> bool:
        return "name" in self.turn.ctx.get("asked", [])

    def rescheduling(self) -> bool:
        return self.turn.ctx.get("mode") == "reschedule"

    def single_appointment(self) -> bool:
        return len(self.turn.ctx.get("appointment_ids", [])) == 1

    def several_appointments(self) -> bool:
        return len(self.turn.ctx.get("appointment_ids", [])) > 1

    # -- actions ------------------------------------------------------------------------------

    def on_enter_state(self, target: State) -> None:
        """Entering a state asks its question."""
        prompts.ask(self.turn, target.id)

    def on_retry(self) -> None:
        """Asking again: the step has already said what was wrong."""
        prompts.ask(self.turn, self.state_id)


class _Seat:
    """A machine's model: whichever conversation the machine serves now, through its state."""

    def __init__(self) -> None:
        self.conversation: Any = SimpleNamespace(state=None)

    @property
    def state(self) -> str | None:
        return self.conversation.state

    @state.setter
    def state(self, value: str | None) -> None:
        self.conversation.state = value


# Machines not serving a turn. Building one costs far more than a turn's transitions
# (python-statemachine resolves every callback of every state and transition per instance), so
# each is built once and seated on one conversation at a time.
_free: list[ConversationFlow] = []


@contextmanager
def flow_for(conversation: Any, turn: Turn) -> Iterator[ConversationFlow]:
    """A machine serving `conversation` for this turn.

    A machine whose turn raised is dropped rather than reused: its engine may be mid-event.
    """
    try:
        flow = _free.pop()  # atomic: two threads never get the same machine
    except IndexError:
        flow = ConversationFlow()
    flow.seat(conversation, turn)
    yield flow
    flow.seat(_PARKED, None)  # keep no conversation or session alive between turns
    _free.append(flow)


_PARKED = SimpleNamespace(state=ConversationFlow.idle.value)
