"""``consult-line simulate``: the training line, a simulated Asterisk for training and demos.

``serve`` connects to its AMI port as to Asterisk's (with the configured AMI user), and its
calls run the line's FastAGI routes on ``serve``'s FastAGI port. It plays ``--calls`` calls
from simulated callers, answered by ``--operators`` simulated operators, writes its own
queue_log and CDR where the settings say Asterisk's are (so that ``serve`` reconciles them
too), and prints what the calls came to. Callers come at a steady pace (a load for tests and
benchmarks; ``serve``'s own training line follows the day's profile instead); some call from a
number whose callback task is still open in the database.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from consult_line.training import LOOPBACK, agi_target, open_task_numbers
from consult_line.wiring import Services
from models.host_time import host_zone
from models.os_errors import os_error_reason
from simulator.ami_server import AmiUser
from simulator.training_line import TrainingLine, TrainingLineOptions

log = logging.getLogger(__name__)


def run(services: Services, args: argparse.Namespace) -> int:
    settings = services.settings
    start = args.start.replace(tzinfo=settings.tz) if args.start else services.clock()
    options = options_from(services, args, start=start.timestamp())
    try:
        line = TrainingLine(options)  # opens the queue_log and CDR files
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        print(
            f"Учебная линия не запущена: файл{where} не открывается на запись "
            f"({os_error_reason(exc)}).",
            file=sys.stderr,
        )
        return 1
    return asyncio.run(_play(line))


def options_from(
    services: Services, args: argparse.Namespace, *, start: float
) -> TrainingLineOptions:
    settings = services.settings
    engine = services.engine
    return TrainingLineOptions(
        ami_user=AmiUser(settings.ami_username, settings.ami_secret.get_secret_value()),
        ami_host=LOOPBACK,
        ami_port=args.ami_port or settings.ami_port,
        agi=agi_target(settings, args.agi_host, args.agi_port),
        calls=args.calls,
        speed=args.speed or None,
        operators=args.operators,
        seed=args.seed,
        queue_log_path=settings.queue_log_path,
        cdr_path=settings.cdr_path,
        cdr_zone=host_zone(),
        start=start,
        repeat_numbers=lambda: open_task_numbers(engine),  # callers with an open task
    )


async def _play(line: TrainingLine) -> int:
    options = line.options
    try:
        await line.start()
    except OSError as exc:
        print(
            f"Учебная линия не запущена: порт AMI {options.ami_port} занят или недоступен "
            f"({os_error_reason(exc)}).",
            file=sys.stderr,
        )
        return 1
    speed = "без пауз" if options.speed is None else f"×{options.speed:g}"
    calls = "пока не остановят" if not options.calls else str(options.calls)
    print(
        f"Учебная линия: AMI {options.ami_host}:{options.ami_port}, FastAGI {options.agi.url}; "
        f"звонков: {calls}, скорость {speed}, учебных операторов: {options.operators}.",
        flush=True,
    )
    try:
        await line.run()
    finally:
        await line.stop()
    print(summary(line))
    return 0


def summary(line: TrainingLine) -> str:
    counts = line.tally.counts
    return (
        f"Сыграно звонков: {line.placed}; соединено с оператором: {counts['answered']}, "
        f"брошено в очереди: {counts['abandoned']}, "
        f"без операторов: {counts['queue_joinempty']}."
    )
