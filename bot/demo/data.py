"""What the demo clinic holds: units, services, insurances, professionals and two patients."""

from __future__ import annotations

from datetime import time

DEMO_SLUG = "clinica-demo"
DEMO_NUMBERS = ("14155238886",)  # the Twilio WhatsApp sandbox number answers for the demo clinic
DEMO_DAYS = 30

MON, TUE, WED, THU, FRI, SAT = range(6)
WEEK = (MON, TUE, WED, THU, FRI)

# key: (name, address, timezone)
LOCATIONS = {
    "paulista": (
        "Paulista",
        "Av. Paulista, 1000 - Bela Vista, São Paulo - SP",
        "America/Sao_Paulo",
    ),
    "pinheiros": (
        "Pinheiros",
        "Rua dos Pinheiros, 500 - Pinheiros, São Paulo - SP",
        "America/Sao_Paulo",
    ),
    "manaus": ("Manaus Centro", "Av. Eduardo Ribeiro, 620 - Centro, Manaus - AM", "America/Manaus"),
}
# key: (name, duration in minutes, price in cents)
SERVICES = {
    "geral": ("Clínica geral", 30, 18000),
    "derma": ("Dermatologia", 45, 25000),
    "fisio": ("Fisioterapia", 60, 15000),
}
# name: (self_pay, units that accept it, services it covers)
INSURANCES = {
    "Particular": (True, tuple(LOCATIONS), tuple(SERVICES)),
    "Unimed": (False, tuple(LOCATIONS), tuple(SERVICES)),
    "Bradesco Saúde": (False, ("paulista", "pinheiros"), ("geral", "derma")),
    "SulAmérica": (False, ("paulista",), ("geral",)),
}
# name: (services, shifts as (unit, weekdays, start, end, capacity));
# two shifts a day leave the lunch break out.
PROFESSIONALS = {
    "Dra. Ana Souza": (
        ("geral",),
        (
            ("paulista", (MON, WED, FRI), time(8), time(12), 1),
            ("paulista", (MON, WED, FRI), time(13), time(17), 1),
            ("pinheiros", (TUE, THU), time(8), time(12), 1),
            ("pinheiros", (TUE, THU), time(13), time(17), 1),
        ),
    ),
    "Dr. Bruno Lima": (
        ("derma", "geral"),
        (
            ("pinheiros", WEEK, time(9), time(12), 1),
            ("pinheiros", WEEK, time(13), time(18), 1),
            ("pinheiros", (SAT,), time(8), time(12), 1),
        ),
    ),
    "Carla Mendes": (
        ("fisio",),
        (
            ("paulista", WEEK, time(7), time(12), 1),
            ("paulista", WEEK, time(13), time(16), 1),
            ("paulista", (TUE,), time(18), time(20), 3),  # group session
            ("paulista", (SAT,), time(8), time(12), 1),
        ),
    ),
    "Dr. Daniel Rocha": (
        ("geral",),
        (
            ("manaus", WEEK, time(8), time(12), 1),
            ("manaus", WEEK, time(14), time(18), 1),
        ),
    ),
}
# (name, WhatsApp number as stored, CPF, insurance, professional, unit, service)
Patient = tuple[str, str, str | None, str, str, str, str]
PATIENTS: tuple[Patient, ...] = (
    (
        "Maria Oliveira",
        "5511987654321",
        "52998224725",
        "Unimed",
        "Dra. Ana Souza",
        "paulista",
        "geral",
    ),
    ("João Pereira", "558282136275", None, "Particular", "Dr. Bruno Lima", "pinheiros", "derma"),
)
