"""``consult-line seed-demo``: a month of realistic calls, callbacks and surveys to look at."""

from __future__ import annotations

import argparse
import sys

from consult_line.demo import NoOperatorsError, seed_demo
from consult_line.wiring import Services
from models.db import session_scope


def run(services: Services, args: argparse.Namespace) -> int:
    calendar = services.calendar()
    try:
        with session_scope(services.engine) as session:
            summary = seed_demo(
                session=session,
                calendar=calendar,
                now=services.clock(),
                days=args.days,
                seed=args.seed,
            )
    except NoOperatorsError as exc:
        print(f"Ошибка: {exc}", file=sys.stderr)
        return 1
    print("\n".join(summary.lines()))
    return 0
