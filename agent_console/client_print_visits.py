"""The personal visits in the printable document for the client (G4): a row a visit, and under
it the rest of the client's part — where, who received, how it was booked, the interpreter and
reminders asked for, the cancellation and the client's rating (V13)."""

from __future__ import annotations

from agent_console.client_texts import NONE, when_text
from client_history.document import DocVisit, DocVisitRating

VISIT_HEADERS = ["№ записи", "Время приёма", "Место", "Принимал(а)", "Состояние"]


def visit_cells(visit: DocVisit) -> list[str]:
    """The visit's row under :data:`VISIT_HEADERS`."""
    return [
        str(visit.number),
        f"{when_text(visit.starts_at)}–{visit.ends_at:%H:%M}",
        visit.place,
        visit.received_by or NONE,
        visit.status_label,
    ]


def visit_details(visit: DocVisit) -> list[str]:
    """The paragraphs under the row."""
    details = [
        f"Записан(а) {when_text(visit.booked_at)}: {visit.channel_label}",
        f"Язык: {visit.language_label}; переводчик: {visit.interpreter_label}",
        f"Напоминания: {visit.reminders_label}",
    ]
    contacts = [value for value in (visit.name, visit.phone, visit.email) if value]
    if contacts:
        details.insert(1, "Посетитель: " + ", ".join(contacts))
    if visit.cancelled_at is not None:
        via = f": {visit.cancelled_via_label}" if visit.cancelled_via_label else ""
        details.append(f"Запись отменена {when_text(visit.cancelled_at)}{via}")
    if visit.rating is not None:
        details.append(_rating(visit.rating))
    return details


def _rating(row: DocVisitRating) -> str:
    answers = [label for label in (row.answer_received_label, row.quality_label) if label]
    how = "на приёме" if row.at_reception else "по ссылке"
    text = f"Оценка приёма ({how}), {when_text(row.at)}: " + (
        ", ".join(answers) if answers else "без оценки"
    )
    return text + (f"; отзыв: «{row.comment}»" if row.comment else "")
