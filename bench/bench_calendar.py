"""Per-call latency of the production calendar (C3): is_open, next_opening, add_working_days.

Run: .venv/bin/python bench/bench_calendar.py [samples]

Prints p50/p95 per call in microseconds as a Markdown table. The instants are random (fixed
seed) across 2024-2027 on a calendar whose year caches are warm, as in a running server.
"""

import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from models.rules.calendar import DEFAULT_HOURS, ProductionCalendar

SEED = 20250311
COLD_SAMPLES = 500
START = datetime(2024, 1, 1, tzinfo=UTC)
SPAN_S = int((datetime(2028, 1, 1, tzinfo=UTC) - START).total_seconds())


def instants(count: int, rng: random.Random) -> list[datetime]:
    return [START + timedelta(seconds=rng.randrange(SPAN_S)) for _ in range(count)]


def timings_us(call: Callable[[datetime], object], inputs: Sequence[datetime]) -> list[float]:
    clock = time.perf_counter
    samples = []
    for value in inputs:
        started = clock()
        call(value)
        samples.append((clock() - started) * 1e6)
    return samples


def percentile(samples: list[float], fraction: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[round(fraction * 100) - 1]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    calendar = ProductionCalendar(tz=ZoneInfo("Europe/Moscow"), hours=DEFAULT_HOURS)
    inputs = instants(count, random.Random(SEED))
    for year in range(2024, 2029):  # warm the per-year caches, as a running server has them
        calendar.is_working_day(date(year, 1, 1))
    cases: dict[str, Callable[[datetime], object]] = {
        "is_open": calendar.is_open,
        "next_opening": calendar.next_opening,
        "add_working_days(…, 15)": lambda now: calendar.add_working_days(
            now.astimezone(calendar.tz).date(), 15
        ),
    }
    print(f"{count} random instants in 2024-2027, seed {SEED}, Python {sys.version.split()[0]}")
    print()
    print("| call | p50, µs | p95, µs |")
    print("|---|---:|---:|")
    for name, call in cases.items():
        print_row(name, timings_us(call, inputs))
    print_row("is_open, cold year cache (new calendar)", cold_timings_us(inputs[:COLD_SAMPLES]))


def cold_timings_us(inputs: Sequence[datetime]) -> list[float]:
    """The first question about a year builds that year from the holidays library."""
    tz = ZoneInfo("Europe/Moscow")
    return timings_us(
        lambda now: ProductionCalendar(tz=tz, hours=DEFAULT_HOURS).is_open(now), inputs
    )


def print_row(name: str, samples: list[float]) -> None:
    print(f"| {name} | {percentile(samples, 0.5):.2f} | {percentile(samples, 0.95):.2f} |")


if __name__ == "__main__":
    main()
