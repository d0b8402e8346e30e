"""``consult-line seed-demo``: a month of realistic calls, callbacks and surveys to look at."""

from __future__ import annotations

import argparse

from consult_line.demo import seed_demo
from consult_line.wiring import Services
from models.db import session_scope


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--days", type=int, default=30, help="за сколько дней (30)")
    parser.add_argument("--seed", type=int, default=7, help="зерно случайных чисел (7)")


def run(services: Services, args: argparse.Namespace) -> int:
    calendar = services.calendar()
    with session_scope(services.engine) as session:
        summary = seed_demo(
            session=session,
            calendar=calendar,
            now=services.clock(),
            days=args.days,
            seed=args.seed,
        )
    print("\n".join(summary.lines()))
    return 0
