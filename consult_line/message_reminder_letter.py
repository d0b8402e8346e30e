"""The Russian text of a morning reminder of written messages' deadlines (W3–W6): a line a
message — its number, what is owed, the deadline and how late it is — and the link to it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from urllib.parse import quote

from asterisk_check.results import plural
from models.rules.message_reminders import DeadlineKind, DueMessage, Person, Urgency

KIND_RU: dict[DeadlineKind, str] = {
    DeadlineKind.PRIMARY: "первичный ответ",
    DeadlineKind.ABUSE_NOTICE: "уведомление о недопустимости оскорблений",
    DeadlineKind.ANSWER: "ответ по существу",
}
WEEKDAYS_RU = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")


def message_link(base: str, number: str) -> str:
    """``<base>/messages/<number>``, the number percent-encoded (it has Cyrillic letters)."""
    return f"{base.rstrip('/')}/messages/{quote(number)}"


def subject(today: date, items: Sequence[DueMessage]) -> str:
    late = sum(item.urgency is Urgency.OVERDUE for item in items)
    text = f"Сроки письменных обращений на {today:%d.%m.%Y}: {_messages(len(items))}"
    return text + (f", просрочено — {late}" if late else "")


def body(person: Person, today: date, items: Sequence[DueMessage], base: str) -> str:
    lines = [
        f"Здравствуйте, {person.name}!",
        "",
        f"Сроки ответов по письменным обращениям на {today:%d.%m.%Y} "
        f"({WEEKDAYS_RU[today.weekday()]}):",
        "",
    ]
    for item in items:
        lines.append(item_line(item, person))
        lines.append(f"  {message_link(base, item.number)}")
    lines += [
        "",
        "Письмо отправлено консультационной линией автоматически, одно в рабочий день; "
        "отвечать на него не нужно.",
    ]
    return "\n".join(lines) + "\n"


def item_line(item: DueMessage, person: Person | None = None) -> str:
    """``ПО-2026-000006 — первичный ответ до 30.11.2026: просрочено на 11 дней``; to someone
    other than the owner, who owns it."""
    line = f"{item.number} — {KIND_RU[item.kind]} до {item.due:%d.%m.%Y}: {when(item)}"
    if item.owner_id is None:
        return line + " (ответственный не назначен)"
    if person is None or item.owner_id != person.employee_id:
        owner = item.owner_name or f"сотрудник № {item.owner_id}"
        return line + (
            f" (ответственный: {owner} — ему напоминание не отправить: нет адреса почты или "
            "сотрудник отключён)"
        )
    return line


def when(item: DueMessage) -> str:
    if item.urgency is Urgency.OVERDUE:
        return "просрочено на " + plural(item.days_overdue, "день", "дня", "дней")
    if item.urgency is Urgency.TODAY:
        return "срок сегодня"
    return "срок в следующий рабочий день"


def _messages(count: int) -> str:
    return plural(count, "обращение", "обращения", "обращений")
