"""Virtual WhatsApp patients booking through signed Twilio webhooks, over loopback HTTP/1.1.

A closed loop (each patient waits for its reply) measures throughput; an open loop (messages due at
fixed times whatever the replies) measures latency at a given rate. One request per connection.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import random
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote_plus

from twilio.request_validator import RequestValidator

PATH = "/webhooks/twilio"
CLINIC = "whatsapp:+14155238886"
ACCOUNT = "AC" + "b" * 32
ERROR_TEXT = "Desculpe, tive um problema"
FIRST_NAMES = ("Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio", "Gabriela", "Heitor", "Júlia")
LAST_NAMES = ("Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Costa", "Araújo")
# The bodies a patient sends when nobody reads the replies (the bare endpoint); None is the CPF.
BLIND_SCRIPT: tuple[str | None, ...] = ("oi", "1", "2", "1", "1", "3", "sim", "sim", None)
BOOKED, OFF_SCRIPT = "booked", "off-script"
# The fields every Twilio WhatsApp text carries alike, encoded once (urlencode costs as much as
# the signature).
_STATIC_BODY = (
    f"NumMedia=0&MessageType=text&SmsStatus=received&To={quote_plus(CLINIC)}&NumSegments=1"
    f"&ReferralNumMedia=0&AccountSid={ACCOUNT}&ApiVersion=2010-04-01"
)
STATIC_FIELDS = dict(parse_qsl(_STATIC_BODY))
_OPTION = re.compile(r"^(\d+) - (.*)$", re.MULTILINE)


def cpf_with_check_digits(base: int) -> str:
    """An 11-digit CPF whose last two digits follow the check-digit rule."""
    digits = [int(c) for c in f"{base:09d}"]
    for first_weight in (10, 11):
        total = sum(d * w for d, w in zip(digits, range(first_weight, 1, -1), strict=False))
        digits.append(0 if total % 11 < 2 else 11 - total % 11)
    return "".join(map(str, digits))


@dataclass
class Patient:
    """One WhatsApp user: a distinct number, profile name and CPF, and the next thing to say."""

    phone: str  # 13 digits: 55, DDD 11, a 9-digit mobile starting with 9
    name: str
    cpf: str
    next_body: str = "oi"
    step: int = 0


def messages_of(body: bytes) -> str:
    """The texts of a TwiML answer's <Message> elements, joined by blank lines."""
    return "\n\n".join(element.text or "" for element in ET.fromstring(body).iter("Message"))


def reply_to(patient: Patient, text: str, rng: random.Random) -> str:
    """What a patient who wants any free slot answers to `text` (or BOOKED / OFF_SCRIPT)."""
    if "Pronto, " in text:
        return BOOKED
    if "digite seu CPF" in text:
        return patient.cpf
    if "qual é o seu nome completo" in text:
        return patient.name
    if "Confirma o agendamento?" in text or "posso registrar seu nome" in text:
        return "sim"  # book the slot; accept the WhatsApp profile name
    options = dict(_OPTION.findall(text))
    for number, label in options.items():
        if label.strip() == "Agendar consulta":
            return number
    # Insurance, unit, service or slot (also the refreshed list after "acabou de ser reservado").
    return rng.choice(list(options)) if options else OFF_SCRIPT


def blind_reply(patient: Patient) -> str:
    """The next body of the fixed script, or BOOKED once it has all been sent."""
    patient.step += 1
    if patient.step >= len(BLIND_SCRIPT):
        return BOOKED
    return BLIND_SCRIPT[patient.step] or patient.cpf


class _Exchange(asyncio.Protocol):
    """One request on its own connection; the reply is complete when the server closes it."""

    def __init__(self, raw: bytes, reply: asyncio.Future[bytes]) -> None:
        self.raw = raw
        self.reply = reply
        self.chunks: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Send the whole request at once."""
        transport.write(self.raw)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        """Keep what arrives."""
        self.chunks.append(data)

    def connection_lost(self, exc: Exception | None) -> None:
        """The server closed (or reset) the connection: the reply is whatever arrived."""
        if not self.reply.done():
            self.reply.set_result(b"".join(self.chunks))


@dataclass
class Sample:
    """One exchange: when it was due, when the reply was complete, and how it went."""

    due: float
    done: float
    error: bool
    booked: bool
    slot_taken: bool
    off_script: bool


@dataclass
class Result:
    """What one run measured inside its window."""

    messages: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    bookings: int
    slot_taken: int
    off_script: int
    client_cpu: float  # the generator's CPU seconds per wall second during the run
    machine_busy: float  # share of all CPUs not idle during the run (/proc/stat)
    max_send_lag_ms: float  # how late the generator sent a due message, at worst

    @property
    def rate(self) -> float:
        """Messages answered per second."""
        return self.messages / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        """Latency at quantile q (nearest rank), in ms."""
        if not self.latencies_ms:
            return math.nan
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@dataclass
class Generator:
    """Builds, signs and sends webhooks for patients and records what comes back."""

    host: str
    port: int
    token: str
    blind: bool = False
    seed: int = 1
    first_patient: int = 10_000_000  # give each generator on one database its own range
    samples: list[Sample] = field(default_factory=list)
    max_lag: float = 0.0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.numbers = itertools.count(self.first_patient)
        self.validator = RequestValidator(self.token)
        self.url = f"http://{self.host}:{self.port}{PATH}"
        self.sids = itertools.count(1)
        self.run_id = f"{self.rng.getrandbits(40):010x}"

    def new_patient(self) -> Patient:
        """A patient nobody has seen yet (numbers and CPFs never repeat within a generator)."""
        n = next(self.numbers)
        name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        return Patient(phone=f"55119{n:08d}", name=name, cpf=cpf_with_check_digits(300_000_000 + n))

    def request(self, patient: Patient) -> bytes:
        """The raw, signed HTTP request carrying the patient's next message."""
        sid = f"SM{self.run_id}{next(self.sids):022d}"
        form = {
            **STATIC_FIELDS,
            "SmsMessageSid": sid,
            "SmsSid": sid,
            "MessageSid": sid,
            "ProfileName": patient.name,
            "WaId": patient.phone,
            "From": "whatsapp:+" + patient.phone,
            "Body": patient.next_body,
        }
        body = (
            f"{_STATIC_BODY}&SmsMessageSid={sid}&SmsSid={sid}&MessageSid={sid}"
            f"&ProfileName={quote_plus(patient.name)}&WaId={patient.phone}"
            f"&From=whatsapp%3A%2B{patient.phone}&Body={quote_plus(patient.next_body)}"
        ).encode()
        head = (
            f"POST {PATH} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"X-Twilio-Signature: {self.validator.compute_signature(self.url, form)}\r\n"
            "Connection: close\r\n\r\n"
        )
        return head.encode() + body

    async def post(self, raw: bytes) -> tuple[int, bytes]:
        """Send one request on a fresh connection; the status and body (status 0 on a failure)."""
        loop = asyncio.get_running_loop()
        reply: asyncio.Future[bytes] = loop.create_future()
        try:
            await loop.create_connection(lambda: _Exchange(raw, reply), self.host, self.port)
        except OSError:
            return 0, b""
        head, _, body = (await reply).partition(b"\r\n\r\n")
        return (int(head[9:12]) if head[9:12].isdigit() else 0), body

    async def exchange(self, patient: Patient, due: float) -> Patient:
        """Send the patient's next message, record the reply; the patient who speaks next."""
        loop = asyncio.get_running_loop()
        self.max_lag = max(self.max_lag, loop.time() - due)
        status, body = await self.post(self.request(patient))
        done = loop.time()
        try:
            text = messages_of(body) if status == 200 else None
        except ET.ParseError:
            text = None
        error = text is None or ERROR_TEXT in text
        if error:
            outcome = OFF_SCRIPT
        elif self.blind:
            outcome = blind_reply(patient)
        else:
            outcome = reply_to(patient, text or "", self.rng)
        taken = text is not None and "acabou de ser reservado" in text
        lost = outcome == OFF_SCRIPT and not error
        self.samples.append(Sample(due, done, error, outcome == BOOKED, taken, lost))
        if outcome in (BOOKED, OFF_SCRIPT):
            return self.new_patient()
        patient.next_body = outcome
        return patient

    def result(self, counted: list[Sample], seconds: float, meter: CpuMeter) -> Result:
        """Summarise the samples of the measurement window."""
        return Result(
            messages=len(counted),
            errors=sum(s.error for s in counted),
            seconds=seconds,
            latencies_ms=[(s.done - s.due) * 1000 for s in counted],
            bookings=sum(s.booked for s in counted),
            slot_taken=sum(s.slot_taken for s in counted),
            off_script=sum(s.off_script for s in counted),
            client_cpu=meter.client(),
            machine_busy=meter.machine(),
            max_send_lag_ms=self.max_lag * 1000,
        )


class CpuMeter:
    """CPU used since creation: by this process (per wall second) and by the whole machine."""

    def __init__(self) -> None:
        self.start = (time.monotonic(), time.process_time(), *_jiffies())

    def client(self) -> float:
        """This process's CPU seconds per wall second (1.0 = one CPU fully busy)."""
        return (time.process_time() - self.start[1]) / (time.monotonic() - self.start[0])

    def machine(self) -> float:
        """The share of all CPUs that were not idle."""
        (total0, idle0), (total1, idle1) = self.start[2:], _jiffies()
        return 1 - (idle1 - idle0) / max(1, total1 - total0)


def _jiffies() -> tuple[int, int]:
    """All CPUs' total and idle (idle + iowait) jiffies, from /proc/stat."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:9]]
    return sum(values), values[3] + values[4]


async def closed_loop(
    gen: Generator, *, concurrency: int = 16, warmup: float = 3.0, duration: float = 20.0
) -> Result:
    """C patients talk as fast as the server answers; replies completed after warm-up count."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    begin, end = start + warmup, start + warmup + duration

    async def patient_loop() -> None:
        """One virtual patient after another, until the window closes."""
        patient = gen.new_patient()
        while loop.time() < end:
            patient = await gen.exchange(patient, loop.time())

    meter = CpuMeter()
    await asyncio.gather(*(patient_loop() for _ in range(concurrency)))
    counted = [s for s in gen.samples if begin <= s.done <= end]
    return gen.result(counted, duration, meter)


async def open_loop(
    gen: Generator, *, rate: float = 80.0, warmup: float = 2.0, duration: float = 20.0
) -> Result:
    """Messages due at fixed times (latency counted from then) from a pool of patients."""
    loop = asyncio.get_running_loop()
    ready = [gen.new_patient() for _ in range(int(rate))]
    start = loop.time() + 0.05
    in_flight: set[asyncio.Task[None]] = set()

    async def speak(patient: Patient, due: float) -> None:
        """Send one due message; the patient is idle again once the reply is in."""
        ready.append(await gen.exchange(patient, due))

    meter = CpuMeter()
    for index in range(int((warmup + duration) * rate)):
        due = start + index / rate
        if due > loop.time():
            await asyncio.sleep(due - loop.time())
        # A patient never has two messages in flight: an idle one (or a new one) speaks, picked
        # at random so that think times vary and patients drift into different stages.
        patient = _take(ready, gen.rng) or gen.new_patient()
        task = asyncio.create_task(speak(patient, due))
        in_flight.add(task)  # a reference until it is done
        task.add_done_callback(in_flight.discard)
    if in_flight:
        await asyncio.wait(in_flight, timeout=30)
    result = gen.result([s for s in gen.samples if s.due >= start + warmup], duration, meter)
    result.errors += len(in_flight)  # still unanswered 30 s after the last was due
    return result


def _take(ready: list[Patient], rng: random.Random) -> Patient | None:
    """Remove and return a random idle patient (None when all are busy)."""
    if not ready:
        return None
    index = rng.randrange(len(ready))
    ready[index], ready[-1] = ready[-1], ready[index]
    return ready.pop()
