"""The conversation as a state machine: one state per question the bot asks.

Each state is a `Step`: the question asked on entering it and the handler that reads the
patient's answer, both registered by the step module of its group (`flows.steps.menu`,
`booking`, `slots`, `manage`, `identity`, `waitlist`) with `@ConversationFlow.<state>.asks` and
`.reads`. The handler acts through the turn's services and sends the event that names the
outcome; guards read the context, which the handler has just updated.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import reduce
from types import SimpleNamespace
from typing import Any

from statemachine import State, StateMachine

from flows.turn import Turn

Question = Callable[[Turn], None]
Answer = Callable[["ConversationFlow", Turn], None]


class Step(State):
    """A state of the conversation: its question, the handler of its answer, and how the
    escapes that work from any step ("cancelar", a reminder's answer) treat it."""

    def __init__(
        self,
        name: str,
        *,
        resting: bool = False,
        cancel_is_answer: bool = False,
        initial: bool = False,
        value: str | None = None,
    ) -> None:
        super().__init__(name, value=value, initial=initial)
        # Nothing is in progress here: waiting-list offers and reminders may be answered.
        self.resting = resting
        # "cancelar" is an answer to this state's question, not "drop what is in progress".
        self.cancel_is_answer = cancel_is_answer
        self.question: Question | None = None
        self.answer: Answer | None = None

    def asks(self, question: Question) -> Question:
        """Register the question asked on entering this state (a decorator)."""
        self.question = question
        return question

    def reads(self, answer: Answer) -> Answer:
        """Register what reads the patient's answer in this state (a decorator)."""
        self.answer = answer
        return answer


class ConversationFlow(StateMachine):
    """Booking, and managing booked appointments, over chat."""

    idle = Step("Idle", initial=True, resting=True, cancel_is_answer=True)  # asks nothing
    menu = Step("Menu", resting=True, cancel_is_answer=True)
    insurance = Step("Insurance")
    location = Step("Unit")
    service = Step("Service")
    slot = Step("Time slot")
    confirm_booking = Step("Confirm booking")
    # Stored as "name"; `ConversationFlow.name` is the machine's own name.
    patient_name = Step("Name", value="name")
    cpf = Step("CPF")
    appointments = Step("Appointments")
    appointment_action = Step("Appointment action", cancel_is_answer=True)
    confirm_action = Step("Confirm change")
    cancel_reason = Step("Cancel reason", cancel_is_answer=True)
    identify = Step("Phone or CPF")
    identify_name = Step("Confirm name")
    waitlist_period = Step("Waiting-list period")
    # "sair" with nothing in progress: stopping messages takes PARAR or a "sim" here.
    confirm_stop = Step("Confirm opt-out")

    # Every state that asks the patient something.
    _asking = (
        menu, insurance, location, service, slot, confirm_booking, patient_name, cpf, appointments,
        appointment_action, confirm_action, cancel_reason, identify, identify_name,
        waitlist_period, confirm_stop,
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
    need_name = confirm_booking.to(patient_name)
    need_cpf = confirm_booking.to(cpf) | patient_name.to(cpf)
    booked = idle.from_(confirm_booking, patient_name, cpf, idle, menu)
    slot_lost = slot.from_(confirm_booking, patient_name, cpf, idle, menu)
    ask_stop = confirm_stop.from_(idle, menu)
    join_waitlist = slot.to(waitlist_period)
    waitlist_joined = idle.from_(waitlist_period)
    # A waiting-list offer accepted by a patient we do not know yet.
    offer_needs_name = patient_name.from_(idle, menu)

    list_appointments = appointment_action.from_(
        idle, menu, cond="single_appointment"
    ) | appointments.from_(idle, menu)
    appointment_chosen = appointments.to(appointment_action)
    # "não vou poder ir" with several booked: which one? -> "a de quarta" -> "Você quer cancelar…?"
    wanted_chosen = appointments.to(confirm_action)
    # A change read from free text ("não vou conseguir") is confirmed before it is made.
    confirm_intent = appointment_action.to(confirm_action)
    intent_declined = confirm_action.to(appointment_action)
    presence_confirmed = idle.from_(appointment_action, confirm_action, menu, idle)
    start_reschedule = slot.from_(appointment_action, appointments, idle, menu)
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
        | patient_name.to(confirm_booking)
        | cpf.to(patient_name, cond="name_was_asked")
        | cpf.to(confirm_booking)
        | appointments.to(menu)
        | appointment_action.to(appointments, cond="several_appointments")
        | appointment_action.to(menu)
        | cancel_reason.to(appointment_action)
        | confirm_action.to(appointment_action)
        | identify.to(menu)
        | identify_name.to(identify)
        | waitlist_period.to(slot)
        | confirm_stop.to(menu)
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
        """The current state as stored on the conversation (its value)."""
        return self.current_state_value

    @property
    def step(self) -> Step:
        """The current state, with its question and the handler of its answer."""
        return self.states_map[self.current_state_value]  # type: ignore[return-value]

    # -- guards: the step has just stored its choice in the context -----------------------------

    def location_pending(self) -> bool:
        return self.turn.ctx.location_id is None

    def service_pending(self) -> bool:
        return self.turn.ctx.service_id is None

    def location_was_asked(self) -> bool:
        return self.location.value in self.turn.ctx.asked

    def service_was_asked(self) -> bool:
        return self.service.value in self.turn.ctx.asked

    def name_was_asked(self) -> bool:
        return self.patient_name.value in self.turn.ctx.asked

    def rescheduling(self) -> bool:
        return self.turn.ctx.mode == "reschedule"

    def single_appointment(self) -> bool:
        return len(self.turn.ctx.appointment_ids) == 1

    def several_appointments(self) -> bool:
        return len(self.turn.ctx.appointment_ids) > 1

    # -- actions ------------------------------------------------------------------------------

    def on_enter_state(self, target: State) -> None:
        """Entering a state asks its question."""
        self._ask(self.states_map[target.value])  # type: ignore[arg-type]

    def on_retry(self) -> None:
        """Asking again: the step has already said what was wrong."""
        self._ask(self.step)

    def _ask(self, step: Step) -> None:
        if step.question is None:
            if step.initial:
                return  # the initial state asks nothing
            raise LookupError(f"state {step.id!r} has no question: is flows.steps imported?")
        ctx = self.turn.ctx
        if step.value not in ctx.asked:
            ctx.asked = sorted({*ctx.asked, step.value})
        step.question(self.turn)


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
