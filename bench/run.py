"""`python -m bench.run` (`make bench`): webhook throughput and latency, to docs/benchmarks.md.

One run: the bare endpoint, then SQLite and PostgreSQL (closed loop, then a steady 80 msg/s), then
the bare endpoint again; each served by gunicorn.conf.py with 2 workers, on loopback, on this box.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import os
import platform
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from bench import understanding
from bench.loadgen import Generator, Result, closed_loop, open_loop

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
HOST, TOKEN = "127.0.0.1", "bench-auth-token"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/agendai_bench"
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
DURATION = float(os.environ.get("BENCH_DURATION", "20"))
WARMUP, STEADY_WARMUP, RATE = 3.0, 2.0, 80.0
RATIO_TARGETS = {"SQLite": 0.5, "PostgreSQL": 0.4}
P99_TARGET_MS = 250.0
LOG_MARKERS = ("WARNING", "ERROR", "CRITICAL", "Traceback", "locked", "TIMEOUT")


@dataclass
class Bench:
    """Everything one run measured."""

    started: datetime
    bare: list[Result] = field(default_factory=list)
    closed: dict[str, Result] = field(default_factory=dict)
    steady: dict[str, Result] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    logs: dict[str, Counter[str]] = field(default_factory=dict)
    pg_version: str = ""
    reading: dict[str, float | int] = field(default_factory=dict)

    @property
    def bare_rate(self) -> float:
        """The bare endpoint's msgs/s: the mean of the runs before and after the app's."""
        return sum(result.rate for result in self.bare) / max(1, len(self.bare))


def child_env(database_url: str | None) -> dict[str, str]:
    """A child process's environment: production-like settings, signatures checked."""
    env = {k: v for k, v in os.environ.items() if k not in ("TWILIO_SKIP_SIGNATURE", "PROXY_COUNT")}
    env.update(TWILIO_AUTH_TOKEN=TOKEN, LOG_LEVEL="warning", WEB_CONCURRENCY="2")
    # No worker recycling: at the bare endpoint's rate it would restart each worker every few
    # seconds (a fresh import each time) and penalise the baseline, not the app.
    env["GUNICORN_MAX_REQUESTS"] = "0"
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def flask_command(env: dict[str, str], *args: str) -> None:
    """Run `flask --app app <args>`; stop with its output when it fails."""
    command = [sys.executable, "-m", "flask", "--app", "app", *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stderr[-2000:]}")


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], log: Path, ready: tuple[str, int]) -> Iterator[int]:
    """Serve `app` with gunicorn.conf.py (2 workers) on a free port; stop it whatever happens."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = sock.getsockname()[1]
    env = {**env, "BIND": f"{HOST}:{port}", "PUBLIC_BASE_URL": f"http://{HOST}:{port}"}
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", app]
    with log.open("ab") as err:
        # A session of its own: Ctrl-C reaches only us, and the finally below stops the server.
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=err, stderr=err, start_new_session=True
        )
    try:
        wait_ready(process, port, *ready)
        yield port
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_ready(process: subprocess.Popen[bytes], port: int, path: str, status: int) -> None:
    """Poll `path` until it answers `status` (30 s at most)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=5) as response:
                code = response.status
        except urllib.error.HTTPError as error:
            code = error.code
        except OSError:
            code = 0
        if code == status:
            return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {path} with {status} within 30 s")


def log_summary(log: Path) -> Counter[str]:
    """The server log's warning and error lines, counted by message (timestamps dropped)."""
    text = log.read_text(errors="replace") if log.exists() else ""
    lines = [line for line in text.splitlines() if any(m in line for m in LOG_MARKERS)]
    return Counter(re.sub(r"^\[[^]]*\] \[\d+\] |^[\d-]+ [\d:,]+ ", "", line) for line in lines)


def bare_run(bench: Bench, tmp: Path, label: str) -> None:
    """The closed loop against the bare Flask endpoint (patients send their script blindly)."""
    log = tmp / f"bare-{label}.log"
    print(f"bare endpoint ({label}): {WARMUP:.0f}+{DURATION:.0f} s closed loop ...", flush=True)
    with gunicorn("bench.bare:app", child_env(None), log, ("/webhooks/twilio", 405)) as port:
        gen = Generator(HOST, port, TOKEN, blind=True, seed=len(bench.bare) + 1)
        closed = closed_loop(gen, concurrency=CONCURRENCY, warmup=WARMUP, duration=DURATION)
        bench.bare.append(asyncio.run(closed))
    bench.logs[f"bare ({label})"] = log_summary(log)


def app_runs(bench: Bench, name: str, url: str, tmp: Path) -> None:
    """Prepare the database, serve the app, run the closed loop, then the steady rate."""
    env = child_env(url)
    print(f"{name}: db upgrade + demo + 90 days of slots ...", flush=True)
    flask_command(env, "db", "upgrade")
    flask_command(env, "demo")
    # The demo's 30 days of slots run out for some services within one run's ~500 bookings.
    flask_command(env, "slots", "generate", "--days", "90")
    log = tmp / f"{name}.log"
    with gunicorn("app:app", env, log, ("/healthz", 200)) as port:
        print(f"{name}: {WARMUP:.0f}+{DURATION:.0f} s closed loop ...", flush=True)
        gen = Generator(HOST, port, TOKEN, seed=11, first_patient=10_000_000)
        closed = closed_loop(gen, concurrency=CONCURRENCY, warmup=WARMUP, duration=DURATION)
        bench.closed[name] = asyncio.run(closed)
        print(f"{name}: {STEADY_WARMUP:.0f}+{DURATION:.0f} s at {RATE:.0f} msg/s ...", flush=True)
        gen = Generator(HOST, port, TOKEN, seed=12, first_patient=50_000_000)
        steady = open_loop(gen, rate=RATE, warmup=STEADY_WARMUP, duration=DURATION)
        bench.steady[name] = asyncio.run(steady)
    bench.logs[name] = log_summary(log)


def recreate_postgres(bench: Bench, url: str) -> str:
    """Drop and recreate the benchmark's own database: '' when ready, else why it is skipped."""
    name = str(psycopg.conninfo.conninfo_to_dict(url).get("dbname", ""))
    if "bench" not in name:
        return f"BENCH_DATABASE_URL names {name!r}: only a database named *bench* is dropped"
    try:
        admin = psycopg.conninfo.make_conninfo(url, dbname="postgres")
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            ident = sql.Identifier(name)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
            version = conn.execute("SHOW server_version").fetchone()
    except psycopg.Error as error:
        return f"PostgreSQL unreachable ({type(error).__name__})"
    bench.pg_version = str(version[0]).split()[0] if version else "?"
    return ""


def run_all(bench: Bench, tmp: Path, pg_url: str) -> None:
    """Understanding, then bare, SQLite, PostgreSQL, bare again (the bare mean evens out drift)."""
    bench.reading = understanding.measure()
    bare_run(bench, tmp, "before")
    app_runs(bench, "SQLite", f"sqlite:///{tmp / 'agendai.db'}", tmp)
    note = recreate_postgres(bench, pg_url)
    if note:
        bench.skipped["PostgreSQL"] = note
        print(f"PostgreSQL skipped: {note}", flush=True)
    else:
        app_runs(bench, "PostgreSQL", pg_url, tmp)
    bare_run(bench, tmp, "after")


def machine_info(bench: Bench) -> list[list[str]]:
    """CPU, RAM, OS, Python, package and database versions."""
    model = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
    ram = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
    packages = ("flask", "sqlmodel", "gunicorn", "psycopg", "twilio")
    pg = f", PostgreSQL {bench.pg_version} (same machine)" if bench.pg_version else ""
    return [
        ["CPU", f"{model.group(1) if model else '?'}, {os.cpu_count()} logical CPUs"],
        ["RAM", f"{int(ram.group(1)) / 2**20:.1f} GiB" if ram else "?"],
        ["OS", f"{platform.system()} {platform.release()} ({platform.machine()})"],
        ["Python", platform.python_version()],
        ["packages", ", ".join(f"{p} {importlib.metadata.version(p)}" for p in packages)],
        ["databases", f"SQLite {sqlite3.sqlite_version} (a file in a temp dir){pg}"],
    ]


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def ms(value: float) -> str:
    """A latency in ms, one decimal below 10 ms."""
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def cells(r: Result, ratio: str = "", bookings: str = "") -> list[str]:
    """msgs/s, latencies, ratio, bookings, errors, generator and machine CPU."""
    latencies = [ms(r.percentile(q)) for q in (0.5, 0.95, 0.99, 1.0)]
    load = [str(r.errors), f"{r.client_cpu:.0%}", f"{r.machine_busy:.0%}"]
    return [f"{r.rate:.0f}", *latencies, ratio, bookings, *load]


def throughput_table(bench: Bench) -> str:
    """Closed loop: the bare runs, their mean and each backend with its ratio to that mean."""
    rows = [
        [f"bare Flask, {n}", *cells(r)]
        for n, r in zip(("before", "after"), bench.bare, strict=False)
    ]
    rows.append(["**bare Flask, mean**", f"**{bench.bare_rate:.0f}**", *[""] * 4, "1.00"])
    rows[-1] += [""] * 4
    for name, r in bench.closed.items():
        rows.append([name, *cells(r, f"**{r.rate / bench.bare_rate:.2f}**", str(r.bookings))])
    rows += [[name, f"skipped: {note}", *[""] * 9] for name, note in bench.skipped.items()]
    headers = ["endpoint", "msgs/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "ratio to bare"]
    return table([*headers, "bookings", "errors", "generator CPU", "machine CPU"], rows)


def steady_table(bench: Bench) -> str:
    """Open loop at the fixed rate, per backend."""
    rows = []
    for name, r in bench.steady.items():
        latencies = [ms(r.percentile(q)) for q in (0.5, 0.95, 0.99, 1.0)]
        rows.append([name, str(r.messages), *latencies, str(r.errors), str(r.bookings)])
        rows[-1] += [str(r.slot_taken), ms(r.max_send_lag_ms), f"{r.client_cpu:.0%}"]
    headers = ["backend", "messages", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"]
    return table([*headers, "bookings", '"slot taken"', "max send lag ms", "generator CPU"], rows)


def targets(bench: Bench) -> list[list[str]]:
    """Each target, what was measured and PASS/FAIL."""
    rows = []
    for name, r in bench.closed.items():
        goal, ratio = RATIO_TARGETS[name], r.rate / bench.bare_rate
        verdict = "PASS" if ratio >= goal else "**FAIL**"
        rows.append([f"{name}: full turn ≥ {goal} × bare msgs/s", f"{ratio:.2f} ×", verdict])
    for name, r in bench.steady.items():
        verdict = "PASS" if r.percentile(0.99) <= P99_TARGET_MS and not r.errors else "**FAIL**"
        label = f"{name}: p99 ≤ {P99_TARGET_MS:.0f} ms at {RATE:.0f} msg/s, no errors"
        rows.append([label, f"{ms(r.percentile(0.99))} ms, {r.errors} errors", verdict])
    if bench.reading:
        mean = bench.reading["mean_ms"]
        verdict = "PASS" if mean < understanding.TARGET_MEAN_MS else "**FAIL**"
        rows.append(
            [
                f"understanding a message: mean < {understanding.TARGET_MEAN_MS:.0f} ms",
                f"{mean:.3f} ms",
                verdict,
            ]
        )
    return rows


def reading_table(bench: Bench) -> str:
    """understand() over every pt-BR fixture text, in-process."""
    r = bench.reading
    return (
        "Every text of `shared/fixtures/ptbr/` (phrases and dates) read with a 4-option menu, "
        "repeatedly for 2 s, each call timed (`python -m bench.understanding`).\n\n"
        + table(
            ["messages", "mean ms", "p99 ms", "max ms"],
            [
                [
                    str(r["messages"]),
                    f"{r['mean_ms']:.3f}",
                    f"{r['p99_ms']:.3f}",
                    f"{r['max_ms']:.3f}",
                ]
            ],
        )
    )


def observations(bench: Bench) -> str:
    """Facts of this run worth a look: contention, server logs, generator load, drift."""
    runs = {**bench.closed, **{f"{n} at {RATE:.0f} msg/s": r for n, r in bench.steady.items()}}
    taken = ", ".join(f"{n} {r.slot_taken}/{r.messages}" for n, r in runs.items())
    lost = ", ".join(f"{n} {r.off_script}" for n, r in runs.items())
    logs = ", ".join(f"{n} {sum(counter.values())}" for n, counter in bench.logs.items())
    busiest = max(r.client_cpu for r in [*bench.bare, *runs.values()])
    before, after = (r.rate for r in bench.bare)
    return (
        f'- Replies saying the chosen slot had "acabou de ser reservado": {taken}.\n'
        f"- Conversations that went off script (reply not understood by the generator): {lost}.\n"
        f"- Warning/error lines in the server logs: {logs}.\n"
        f"- The generator used at most {busiest:.0%} of one CPU (its CPU time / wall time).\n"
        f"- Bare endpoint, after vs before: {after / before - 1:+.1%}."
    )


HOW = """## How it is measured

All on this machine, over loopback: gunicorn (`gunicorn.conf.py`, 2 sync workers,
`LOG_LEVEL=warning`) and the load generator (`bench/loadgen.py`: asyncio, one HTTP/1.1 request per
connection) share the CPUs. Each virtual patient has its own mobile number, profile name and valid
CPF and plays a whole booking (oi, agendar, convênio, unidade, atendimento, a random listed slot,
sim, name, CPF) through webhooks signed like Twilio's, each with a new `MessageSid`, reading the
TwiML to choose its next message; once booked it starts over as a new patient. **Throughput**: {c}
patients each send their next message as soon as the reply arrives; replies completed in the
{d:.0f} s after a {w:.0f} s warm-up count. The bare endpoint (`bench/bare.py`: parse the form,
return fixed TwiML) gets the same generator and message bodies before and after the app; the ratio
uses the mean. **Steady rate**: a message is due every 1/{r:.0f} s from a pool of patients in
different stages (never two in flight for one patient) and latency counts from when it was due, so
queueing shows; "max send lag" is how late the generator itself sent a due message. Errors: non-200
answers and the apology TwiML. "generator CPU" is the generator's CPU time over wall time (100% =
one CPU), "machine CPU" the busy share of all CPUs (/proc/stat). Each backend starts from a fresh
database (`db upgrade`, `demo`, `slots generate --days 90`: the demo's 30 days of slots would run
out for Clínica geral in Paulista within one run). Worker recycling (`GUNICORN_MAX_REQUESTS`) is
off for every server: at the bare endpoint's rate it would restart its workers every few seconds."""


def render(bench: Bench, seconds: float) -> str:
    """The generated part of docs/benchmarks.md."""
    when = bench.started.strftime("%Y-%m-%d %H:%M UTC")
    return "\n\n".join(
        [
            f"# Benchmarks\n\nRun on {when} with `make bench` ({seconds:.0f} s). Everything above "
            '"## Notes" is rewritten by each run; the Notes are kept.',
            "## Machine\n\n" + table(["", ""], machine_info(bench)),
            f"## Throughput (closed loop, {CONCURRENCY} patients)\n\n" + throughput_table(bench),
            f"## Latency at a steady {RATE:.0f} msg/s (open loop)\n\n" + steady_table(bench),
            "## Understanding a message\n\n" + reading_table(bench),
            "## Targets\n\n" + table(["target", "measured", "result"], targets(bench)),
            "## Observations (this run)\n\n" + observations(bench),
            HOW.format(c=CONCURRENCY, d=DURATION, w=WARMUP, r=RATE),
        ]
    )


def write_doc(text: str) -> None:
    """Write the report, keeping a previous "## Notes" section (and what follows) intact."""
    old = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    notes = re.search(r"^## Notes\b.*", old, re.MULTILINE | re.DOTALL)
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text + "\n" + ("\n" + notes.group(0) if notes else ""), encoding="utf-8")


def main() -> None:
    """Run everything, write docs/benchmarks.md, print the summary."""
    bench, wall = Bench(started=datetime.now(UTC)), time.monotonic()
    with tempfile.TemporaryDirectory(prefix="agendai-bench-") as tmp:
        run_all(bench, Path(tmp), os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    text = render(bench, time.monotonic() - wall)
    write_doc(text)
    print("\n" + text.split("\n\n", 2)[2].split("\n## How it is measured")[0])
    for name, counter in bench.logs.items():
        for line, count in counter.most_common(5):
            print(f"server log, {name}: {count} × {line[:160]}")
    print(f"\nwritten: {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("\ninterrupted: servers stopped, nothing written")
