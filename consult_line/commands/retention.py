"""``consult-line retention [--dry-run]``: the interaction history past its term (G3).

With ``--dry-run`` says per table what a run would remove or anonymise and changes nothing;
without it does so, batch by batch, and says what it did. Every run is written to the audit
log, an interrupted one (Ctrl+C) too: the next run goes on from where it stopped.
"""

from __future__ import annotations

import argparse

from consult_line.actor import cli_actor
from consult_line.retention_run import begin, change_lines, dry_run, purge
from consult_line.wiring import Services


def run(services: Services, args: argparse.Namespace) -> int:
    tz = services.settings.tz
    if args.dry_run:
        term, planned, open_tasks = dry_run(services)
        print(term.heading())
        print("Проверка (--dry-run): ничего не изменено.")
        print("\n".join(change_lines(planned, tz, done=False)))
        if open_tasks:
            print(
                f"Незакрытых заявок на обратный звонок старше срока: {open_tasks}; они и их "
                "звонки хранятся, пока заявки не закрыты."
            )
        return 0
    outcome = begin(services)
    print(outcome.term.heading(), flush=True)
    try:
        purge(services, outcome, actor=cli_actor())
    finally:
        print("\n".join(change_lines(outcome.tally.changes, tz, done=True)))
        if not outcome.complete:
            print("Очистка прервана; сделанное сохранено, повторный запуск её закончит.")
    return 0
