"""``consult-line messages remind [--dry-run]``: the morning reminders of written messages'
deadlines (W3–W6), as the job ``message-reminders`` sends them; with ``--dry-run`` only what
would be sent.

Each person's letter is listed (who, the messages, whether it went); a letter that went earlier
the same day is not sent again. Without an outgoing mail server (``CONSULT_LINE_SMTP_HOST``)
the command lists the letters, sends nothing and ends with 2.
"""

from __future__ import annotations

import argparse
import sys

from consult_line.message_reminder_letter import item_line
from consult_line.message_reminder_run import (
    Letter,
    ReminderRun,
    mail_configured,
    plan_reminders,
    send_reminders,
)
from consult_line.wiring import Services

NOT_CONFIGURED = (
    "Письма не отправлены: исходящая почта не настроена (CONSULT_LINE_SMTP_HOST пуст, "
    "см. также CONSULT_LINE_SMTP_FROM)."
)


def run(services: Services, args: argparse.Namespace) -> int:
    reminders = plan_reminders(services)
    day = f"{reminders.today:%d.%m.%Y}"
    if args.dry_run:
        print(
            f"Напоминания о сроках письменных обращений на {day} (проверка, ничего не отправлено):"
        )
        _print_letters("Будет отправлено", reminders.letters)
        _print_rest(reminders)
        if not mail_configured(services):
            print("Внимание: исходящая почта не настроена (CONSULT_LINE_SMTP_HOST пуст).")
        return 0
    print(f"Напоминания о сроках письменных обращений на {day}:")
    send_reminders(services, reminders)
    if reminders.not_configured:
        _print_letters("Не отправлено", reminders.letters)
        _print_rest(reminders)
        print(NOT_CONFIGURED, file=sys.stderr)
        return 2
    _print_letters("Отправлено", reminders.sent)
    for letter, reason in reminders.failed:
        print(f"Не отправлено {_to(letter)}: {reason}")
    _print_rest(reminders)
    return 1 if reminders.failed else 0


def _print_letters(title: str, letters: list[Letter]) -> None:
    if not letters:
        print(f"{title}: писем нет.")
    for letter in letters:
        print(f"{title} {_to(letter)} — {letter.subject}")
        for item in letter.items:
            print(f"  {item_line(item, letter.person)}")


def _print_rest(reminders: ReminderRun) -> None:
    for letter in reminders.already:
        print(f"Уже отправлено сегодня {_to(letter)}: {', '.join(letter.numbers)}")
    if reminders.nobody:
        numbers = ", ".join(item.number for item in reminders.nobody)
        print(f"Некому напомнить (ответственного нет, у руководителей нет адреса почты): {numbers}")
    if not reminders.working_day:
        print("Сегодня нерабочий день: задание message-reminders сегодня писем не отправляет.")


def _to(letter: Letter) -> str:
    return f"{letter.person.name} <{letter.person.email}>"
