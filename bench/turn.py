"""`python -m bench.turn [--profile] [--bookings N] [--database URL]`: one turn's cost, in process.

Whole bookings played by the load generator's patients through the Flask test client (signed
webhooks, a SQLite file by default), one thread, no HTTP server: the time is the app's own.
Prints milliseconds per message; with --profile, the functions with the most own time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from bench.loadgen import BOOKED, OFF_SCRIPT, PATH, STATIC_FIELDS, Generator, messages_of, reply_to

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-auth-token"
URL = "http://localhost" + PATH


def prepare(database_url: str) -> None:
    """A fresh database with the demo clinic and 90 days of slots."""
    env = {"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    for args in (("db", "upgrade"), ("demo",), ("slots", "generate", "--days", "90")):
        command = [sys.executable, "-m", "flask", "--app", "app", *args]
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)


def play(client, bookings: int, seed: int = 7) -> int:
    """Play `bookings` whole conversations; return the number of messages sent."""
    generator = Generator("localhost", 80, TOKEN, seed=seed)
    validator = RequestValidator(TOKEN)
    rng = random.Random(seed)
    sent = done = 0
    patient = generator.new_patient()
    while done < bookings:
        sid = f"SM{generator.run_id}{next(generator.sids):022d}"
        form = {
            **STATIC_FIELDS,
            "MessageSid": sid,
            "SmsSid": sid,
            "ProfileName": patient.name,
            "WaId": patient.phone,
            "From": "whatsapp:+" + patient.phone,
            "Body": patient.next_body,
        }
        signature = validator.compute_signature(URL, form)
        response = client.post(
            PATH,
            data=urlencode(form),
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": signature},
        )
        sent += 1
        answer = reply_to(patient, messages_of(response.data), rng)
        if answer == OFF_SCRIPT:
            raise RuntimeError(f"off script: {messages_of(response.data)!r}")
        if answer == BOOKED:
            done += 1
            patient = generator.new_patient()
        else:
            patient.next_body = answer
    return sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=80)
    parser.add_argument("--database", help="a database URL (default: a new SQLite file)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --bookings each")
    parser.add_argument("--profile", action="store_true", help="print the top functions")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = options.database or f"sqlite:///{tmp}/turn.db"
        prepare(url)
        # The module-level app of app.py is built at import: give it these settings too.
        os.environ.update(DATABASE_URL=url, TWILIO_AUTH_TOKEN=TOKEN, LOG_LEVEL="WARNING")
        from app import create_app

        app = create_app()
        client = app.test_client()
        play(client, 5, seed=1)  # warm up: imports, caches, first queries
        profiler = cProfile.Profile() if options.profile else None
        rounds = []
        for number in range(options.rounds):
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            messages = play(client, options.bookings, seed=10 + number)
            if profiler:
                profiler.disable()
            rounds.append(1000 * (time.perf_counter() - started) / messages)
            print(f"round {number + 1}: {messages} messages, {rounds[-1]:.2f} ms per message")
        print(f"best {min(rounds):.2f} ms, median {statistics.median(rounds):.2f} ms per message")
        if profiler:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(35)


if __name__ == "__main__":
    main()
