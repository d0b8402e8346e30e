"""``consult-line messages list [--status S] [--overdue] [--format text|jsonl]``: the written
messages, oldest first, with their deadlines (W3–W6), the next one still owed and whether it
has passed (``models.rules.message_deadlines``, by the line's local today), the owner and the
state, for people and for scripts; ``--overdue`` only those past a deadline.
``consult-line messages remind`` is ``commands.messages_remind``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date

from sqlmodel import Session, col, select

from consult_line.commands import messages_remind
from consult_line.wiring import Services
from models.message_labels import INTAKE_RU, STATUS_RU
from models.message_queue import next_due_sql
from models.rules.message_deadlines import next_due, overdue
from models.tables import Client, Employee, MessageIntake, MessageStatus, WrittenMessage


@dataclass(frozen=True, slots=True)
class Listed:
    number: str
    received_at: str  # local, ISO
    intake: str
    client: str
    topic: str
    urgent: bool
    primary_due: str
    answer_due: str
    abuse_notice_due: str
    next_due: str  # the earliest deadline still owed; "" when closed
    overdue: bool
    owner: str
    status: str


def run(services: Services, args: argparse.Namespace) -> int:
    if args.action == "remind":
        return messages_remind.run(services, args)
    status = MessageStatus(args.status) if args.status else None
    today = services.clock().astimezone(services.settings.tz).date()
    with Session(services.engine) as session:
        rows = list(_listed(session, services, status, today, only_overdue=args.overdue))
    if args.format == "jsonl":
        for row in rows:
            print(json.dumps(asdict(row), ensure_ascii=False))
        return 0
    if not rows:
        print(_nothing(status, only_overdue=args.overdue, today=today))
        return 0
    for row in rows:
        urgent = ", срочное" if row.urgent else ""
        abuse = f"; уведомление W5 до {row.abuse_notice_due}" if row.abuse_notice_due else ""
        state = STATUS_RU[MessageStatus(row.status)]
        intake = INTAKE_RU[MessageIntake(row.intake)]
        owner = f"  исполнитель {row.owner}" if row.owner else ""
        late = f"  ПРОСРОЧЕНО (срок {row.next_due})" if row.overdue else ""
        print(
            f"{row.number}  {row.received_at}  {intake}  {row.client or '—'}"
            f"  {row.topic or 'тема не указана'}{urgent}  первичный ответ до {row.primary_due};"
            f" ответ по существу до {row.answer_due}{abuse}{owner}  [{state}]{late}"
        )
    return 0


def _nothing(status: MessageStatus | None, *, only_overdue: bool, today: date) -> str:
    if only_overdue:
        return f"Просроченных обращений нет (на {today.isoformat()})."
    return "Письменных обращений нет." if status is None else "Обращений в этом состоянии нет."


def _listed(
    session: Session,
    services: Services,
    status: MessageStatus | None,
    today: date,
    *,
    only_overdue: bool,
) -> Iterator[Listed]:
    query = (
        select(WrittenMessage, Client, Employee)
        .outerjoin(Client, col(Client.id) == col(WrittenMessage.client_id))
        .outerjoin(Employee, col(Employee.id) == col(WrittenMessage.owner_id))
        .order_by(col(WrittenMessage.received_at), col(WrittenMessage.id))
    )
    if status is not None:
        query = query.where(col(WrittenMessage.status) == status)
    if only_overdue:
        query = query.where(next_due_sql() < today)
    tz = services.settings.tz
    for message, client, owner in session.exec(query):
        who = (client.full_name or client.email or client.phone_e164 or "") if client else ""
        due = next_due(message)
        yield Listed(
            number=message.number,
            received_at=message.received_at.astimezone(tz).isoformat(timespec="minutes"),
            intake=message.intake.value,
            client=who or message.sender_name,
            topic=message.topic.value if message.topic else "",
            urgent=message.urgent,
            primary_due=message.primary_due.isoformat(),
            answer_due=message.answer_due.isoformat(),
            abuse_notice_due=message.abuse_notice_due.isoformat()
            if message.abuse_notice_due
            else "",
            next_due=due.isoformat() if due else "",
            overdue=due is not None and overdue(due, today),
            owner=owner.full_name if owner else "",
            status=message.status.value,
        )
