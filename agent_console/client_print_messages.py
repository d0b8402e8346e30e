"""The written messages in the printable document for the client (G4): a row a message, and
under it everything the client's part holds — the sender's details, the whole text, the
deadlines, the files (names and sizes), every notice and answer with its full text, and the
client's survey answers."""

from __future__ import annotations

from agent_console.client_texts import NONE, date_text, size_text, when_text
from client_history.document import DocMessage, DocMessageSurvey, DocNotice

MESSAGE_HEADERS = ["№", "Получено", "Способ", "Тема", "Срок ответа", "Состояние"]


def message_cells(message: DocMessage) -> list[str]:
    """The message's row under :data:`MESSAGE_HEADERS`."""
    return [
        message.number,
        when_text(message.received_at),
        message.intake_label,
        message.topic_label or NONE,
        date_text(message.answer_due),
        message.status_label,
    ]


def message_details(message: DocMessage) -> list[str]:
    """The paragraphs under the row; a paragraph may hold line breaks (a letter's text)."""
    details = [_sender(message)]
    if message.consent:
        details.append("Дано согласие на обработку персональных данных")
    if message.subject:
        details.append(f"Тема письма: {message.subject}")
    details.append(f"Текст обращения:\n{message.text}" if message.text else "Текст обращения пуст")
    if message.need:
        details.append(f"Потребность: {message.need}")
    if message.urgent:
        details.append(
            "Признано срочным" + (f": {message.urgency_note}" if message.urgency_note else "")
        )
    details.append(_deadlines(message))
    if message.attachments:
        files = "; ".join(
            f"{row.filename} ({size_text(row.size)}, {row.content_type or 'тип не указан'})"
            for row in message.attachments
        )
        details.append(f"Вложения: {files}")
    details += [_notice(row) for row in message.notices]
    details += [_survey(row) for row in message.surveys]
    if message.closed_at is not None:
        details.append(f"Рассмотрение завершено {when_text(message.closed_at)}")
    return details


def _sender(message: DocMessage) -> str:
    parts = [
        f"{label}: {value}"
        for label, value in (
            ("Отправитель", message.sender_name),
            ("электронная почта", message.sender_email),
            ("телефон", message.sender_phone),
            ("адрес", message.sender_address),
        )
        if value
    ]
    return "; ".join(parts) if parts else "Отправитель не указан"


def _deadlines(message: DocMessage) -> str:
    text = (
        f"Сроки: первичный ответ — до {date_text(message.primary_due)}, "
        f"ответ по существу — до {date_text(message.answer_due)}"
    )
    if message.abuse_notice_due is not None:
        text += (
            f", уведомление о недопустимости оскорблений — до {date_text(message.abuse_notice_due)}"
        )
    return text


def _notice(row: DocNotice) -> str:
    to = f" ({row.to})" if row.to else ""
    head = f"{when_text(row.at)} — {row.kind_label}, {row.channel_label}{to}: {row.state_label}"
    subject = f"\nТема: {row.subject}" if row.subject else ""
    return f"{head}{subject}\n{row.text}" if row.text else head + subject


def _survey(row: DocMessageSurvey) -> str:
    answers = [label for label in (row.answer_received_label, row.quality_label) if label]
    text = f"Опрос о рассмотрении обращения, {when_text(row.at)}: " + (
        ", ".join(answers) if answers else "без оценки"
    )
    return text + (f"; отзыв: «{row.comment}»" if row.comment else "")
