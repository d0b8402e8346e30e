"""A personal visit on the supervisors' page of a client's history (G3): when and where, who
received, how it was booked and by whom, the interpreter and reminders asked for, the
cancellation (when, by which channel, by whom) and the visitor's rating (V13)."""

from __future__ import annotations

from datetime import tzinfo

from agent_console.client_texts import when_text
from agent_console.report_pages import Fact
from call_card.labels import ANSWER_RECEIVED_LABELS_RU, QUALITY_LABELS_RU
from client_history.records import Staff, VisitSurveyRecord
from client_history.timeline import VisitEntry
from visits.visit_labels import (
    INTERPRETER_LABELS_RU,
    VISIT_CHANNEL_RU,
    reminders_ru,
)


def visit_facts(entry: VisitEntry, tz: tzinfo) -> list[Fact]:
    """What the page says of the visit."""
    visit = entry.visit
    facts = [
        Fact("Место", visit.point),
        Fact("Окончание", when_text(visit.ends_at, tz)),
        Fact("Принимает", _who(visit.employee)),
        Fact("Записан(а)", f"{when_text(visit.booked_at, tz)}, {VISIT_CHANNEL_RU[visit.channel]}"),
    ]
    if visit.booked_by is not None:
        facts.append(Fact("Записал(а)", _who(visit.booked_by)))
    facts += [
        Fact(label, value)
        for label, value in (
            ("Посетитель", visit.name),
            ("Телефон", visit.phone_e164),
            ("Электронная почта", visit.email),
        )
        if value
    ]
    facts.append(Fact("Переводчик", INTERPRETER_LABELS_RU[visit.interpreter]))
    facts.append(
        Fact(
            "Напоминания",
            reminders_ru(
                day_before=visit.remind_day_before,
                two_hours=visit.remind_two_hours,
                by_email=visit.remind_by_email,
                by_call=visit.remind_by_call,
            ),
        )
    )
    if visit.cancelled_at is not None:
        via = VISIT_CHANNEL_RU[visit.cancelled_via] if visit.cancelled_via else ""
        by = f" — {visit.cancelled_by}" if visit.cancelled_by else ""
        facts.append(Fact("Отменена", f"{when_text(visit.cancelled_at, tz)}, {via}{by}"))
    return facts


def visit_events(entry: VisitEntry, tz: tzinfo) -> list[tuple[str, str]]:
    """The rating (V13), if a link went or the answers were taken: (when, what)."""
    row = entry.rating
    if row is None:
        return []
    return [(when_text(row.answered_at or row.issued_at, tz), rating_text(row))]


def rating_text(row: VisitSurveyRecord) -> str:
    if row.answered_at is None:
        return "Ссылка на оценку приёма отправлена, ответа нет"
    answers = [
        ANSWER_RECEIVED_LABELS_RU[row.answer_received] if row.answer_received else "",
        QUALITY_LABELS_RU[row.quality] if row.quality else "",
    ]
    shown = ", ".join(answer for answer in answers if answer) or "нет ответов"
    comment = f"; «{row.comment}»" if row.comment else ""
    taken = f" (записал(а) на приёме {row.recorded_by})" if row.recorded_by else ""
    return f"Оценка приёма{taken}: {shown}{comment}"


def _who(person: Staff | None) -> str:
    if person is None:
        return "—"
    return f"{person.full_name} ({person.internal_number})"
