"""``consult-line mailings list [--format text|jsonl]`` and ``consult-line mailings send ID``:
information mailings (M1–M4) for people and scripts.

``list``: every mailing, newest first, with its state and progress. ``send ID``: the mailing's
due letters now, in the foreground, at ``CONSULT_LINE_MAILING_PER_MINUTE`` — a draft is started
(its recipients fixed now, as the console's button does), a paused one resumed; it stops when
nothing of that mailing is due (letters waiting for a retry go later, from ``serve`` or another
run). Ctrl+C stops it between two letters; nobody gets a letter twice, whatever runs at the same
time (``models.mailing_send``). The exit code is 2 for an unknown mailing, 1 when mailings
cannot go (no outgoing mail, no public address, nobody subscribed, the mailing finished).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict

from consult_line.actor import cli_actor
from consult_line.mailing_run import Step, StepResult, send_mailing
from consult_line.wiring import Services
from models.db import session_scope
from models.mailings import (
    Start,
    all_mailings,
    mailing_problem,
    progress,
    resume_mailing,
    start_mailing,
)
from models.rules.mailing_delivery import MAILING_LABELS_RU, MailingState
from models.tables import Mailing

_REPORTED = {
    Step.SENT: "отправлено",
    Step.RETRY: "не отправлено, будет повторено",
    Step.FAILED: "не отправлено",
    Step.SKIPPED: "пропущено (согласие отозвано)",
}


def run(services: Services, args: argparse.Namespace) -> int:
    if args.action == "send":
        return _send(services, args.mailing_id)
    with session_scope(services.engine) as session:
        rows = [(mailing, progress(session, mailing.id or 0)) for mailing in all_mailings(session)]
    if args.format == "jsonl":
        for mailing, shown in rows:
            line = {
                "id": mailing.id,
                "subject": mailing.subject,
                "state": mailing.state.value,
                **asdict(shown),
            }
            print(json.dumps(line, ensure_ascii=False))
        return 0
    if not rows:
        print("Рассылок нет.")
    for mailing, shown in rows:
        print(
            f"№ {mailing.id} «{mailing.subject}» — {MAILING_LABELS_RU[mailing.state]}: "
            f"отправлено {shown.sent}, не отправлено {shown.failed}, неизвестно "
            f"{shown.unknown}, пропущено {shown.skipped}, осталось {shown.left}"
        )
    return 0


def _send(services: Services, mailing_id: int) -> int:
    problem = mailing_problem(services.settings)
    if problem is not None:
        print(f"Рассылка не отправлена: {problem}.")
        return 1
    now = services.clock()
    with session_scope(services.engine) as session:
        mailing = session.get(Mailing, mailing_id)
        if mailing is None:
            print(f"Рассылки № {mailing_id} нет (список: consult-line mailings list).")
            return 2
        state = mailing.state
        if state is MailingState.DRAFT:
            started = start_mailing(session, mailing_id, actor=cli_actor(), now=now)
            if started is Start.NO_RECIPIENTS:
                print("Рассылка не начата: нет ни одного подтверждённого согласия.")
                return 1
        elif state is MailingState.PAUSED:
            resume_mailing(session, mailing_id, actor=cli_actor(), now=now)
        elif state is MailingState.DONE:
            print(f"Рассылка № {mailing_id} уже завершена.")
            return 1
    print(
        f"Рассылка № {mailing_id}: отправка, не больше "
        f"{services.settings.mailing_per_minute} писем в минуту (Ctrl+C — остановить).",
        flush=True,
    )
    send_mailing(services, mailing_id, sleep=time.sleep, report=_report)
    with session_scope(services.engine) as session:
        shown = progress(session, mailing_id)
    print(
        f"Итого: отправлено {shown.sent}, не отправлено {shown.failed}, неизвестно "
        f"{shown.unknown}, пропущено {shown.skipped}, осталось {shown.left}"
    )
    if shown.left:
        print("Оставшиеся письма ждут повторной попытки: их отправит serve или повторный запуск.")
    return 0


def _report(result: StepResult) -> None:
    detail = f": {result.reason}" if result.reason else ""
    print(
        f"{result.to or '—'}: {_REPORTED.get(result.step, result.step.value)}{detail}", flush=True
    )
