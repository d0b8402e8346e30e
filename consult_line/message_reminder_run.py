"""One run of the reminders of written messages' deadlines (W3–W6), as the morning job
``message-reminders`` and ``consult-line messages remind`` make it.

:func:`plan_reminders` works out, for the line's local today, each person's letter
(``models.rules.message_reminders``) and leaves out the people whose letter of the day went
already; :func:`send_reminders` sends the letters through the outgoing mail server
(``mail.sender``), one per person, each claimed in ``message_reminders`` before it goes and
given back when it could not be sent. Without an outgoing server nothing is claimed or sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from consult_line.message_reminder_letter import body, subject
from consult_line.wiring import Services
from mail.sender import MailSendError, send_mail
from models.db import session_scope
from models.message_reminders import (
    claim,
    open_messages,
    reachable,
    release,
    reminded_on,
    supervisors,
)
from models.rules.message_reminders import DueMessage, Person, addressed, due_soon


@dataclass(frozen=True, slots=True)
class Letter:
    person: Person
    items: tuple[DueMessage, ...]
    subject: str
    text: str

    @property
    def numbers(self) -> list[str]:
        return [item.number for item in self.items]


@dataclass(slots=True)
class ReminderRun:
    today: date  # the line's local day
    working_day: bool
    letters: list[Letter]  # due today and not sent earlier today
    already: list[Letter]  # sent earlier today (or being sent by another run)
    nobody: list[DueMessage]  # without an owner to write to, and no supervisor with an e-mail
    sent: list[Letter] = field(default_factory=list)
    failed: list[tuple[Letter, str]] = field(default_factory=list)
    not_configured: bool = False  # no outgoing mail server: nothing was sent


def mail_configured(services: Services) -> bool:
    return bool(services.settings.smtp_host.strip())


def plan_reminders(services: Services) -> ReminderRun:
    settings = services.settings
    today = services.clock().astimezone(settings.tz).date()
    calendar = services.calendar()
    with session_scope(services.engine) as session:
        messages = open_messages(session)
        people = reachable(session)
        chiefs = supervisors(session, people)
        done = reminded_on(session, today)
    grouped, nobody = addressed(due_soon(messages, today, calendar), people, chiefs)
    letters = [
        Letter(
            person,
            tuple(items),
            subject(today, items),
            body(person, today, items, settings.public_base),
        )
        for person, items in sorted(grouped.items(), key=lambda pair: pair[0].name)
    ]
    return ReminderRun(
        today=today,
        working_day=calendar.is_working_day(today),
        letters=[letter for letter in letters if letter.person.employee_id not in done],
        already=[letter for letter in letters if letter.person.employee_id in done],
        nobody=nobody,
    )


def send_reminders(services: Services, run: ReminderRun) -> None:
    """Sends ``run``'s letters (see the module's doc); what happened is added to ``run``."""
    if not mail_configured(services):
        run.not_configured = True
        return
    for letter in run.letters:
        if not claim(services.engine, run.today, letter.person, letter.numbers, services.clock()):
            run.already.append(letter)
            continue
        try:
            send_mail(services.settings, letter.person.email, letter.subject, letter.text)
        except (MailSendError, ValueError) as refused:
            release(services.engine, run.today, letter.person)
            run.failed.append((letter, str(refused)))
            continue
        run.sent.append(letter)
