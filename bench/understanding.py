"""`python -m bench.understanding`: how long understand() takes per message (target: < 2 ms mean).

Every text of shared/fixtures/ptbr/phrases.json and datetimes.json, read with a 4-option menu,
over and over for about `seconds`; each call is timed on its own.
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flows.understanding import understand

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "ptbr"
OPTIONS = ("Unimed", "Bradesco Saúde", "SulAmérica", "Particular")
TZ = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2025, 12, 10, 9, tzinfo=TZ)
TARGET_MEAN_MS = 2.0


def texts() -> list[str]:
    """Every phrase and date/time text of the shared pt-BR fixtures."""
    phrases = json.loads((FIXTURES / "phrases.json").read_text(encoding="utf-8"))["phrases"]
    dates = json.loads((FIXTURES / "datetimes.json").read_text(encoding="utf-8"))["cases"]
    return [item["text"] for item in phrases + dates]


def measure(seconds: float = 2.0) -> dict[str, float | int]:
    """Read every fixture text repeatedly for ~`seconds`: count, mean, p99 and max in ms."""
    corpus = texts()
    for text in corpus:  # warm caches and compiled patterns before timing
        understand(text, options=OPTIONS, now=NOW, tz=TZ)
    samples: list[int] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for text in corpus:
            started = time.perf_counter_ns()
            understand(text, options=OPTIONS, now=NOW, tz=TZ)
            samples.append(time.perf_counter_ns() - started)
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return {
        "messages": len(samples),
        "mean_ms": round(statistics.fmean(samples) / 1e6, 4),
        "p99_ms": round(p99 / 1e6, 4),
        "max_ms": round(samples[-1] / 1e6, 4),
    }


def main() -> None:
    """Print the figures, and whether the mean meets the target."""
    figures = measure()
    print(
        f"understand(): {figures['messages']} messages, mean {figures['mean_ms']:.3f} ms, "
        f"p99 {figures['p99_ms']:.3f} ms, max {figures['max_ms']:.3f} ms "
        f"(target: mean < {TARGET_MEAN_MS} ms)"
    )


if __name__ == "__main__":
    main()
