"""The printable document for the client (``templates/client_print.html``): made from the
client's part of the history only (``client_history.disclosure.client_document``), so what
the page shows is exactly what the JSON file holds, in words."""

from __future__ import annotations

from dataclasses import dataclass

from agent_console.client_print_messages import (
    MESSAGE_HEADERS,
    message_cells,
    message_details,
)
from agent_console.client_print_visits import VISIT_HEADERS, visit_cells, visit_details
from agent_console.client_texts import (
    NONE,
    date_text,
    duration_text,
    phone_text,
    time_text,
    when_text,
    window_text,
)
from agent_console.report_pages import Fact
from client_history.document import ClientDocument, DocCall, DocCallback
from client_history.reference import JSON_VIEW, ref_path

CALL_HEADERS = [
    "№",
    "Дата и время",
    "С номера",
    "Тема",
    "Ожидание",
    "Результат",
    "Консультант",
    "Разговор",
]
NO_ANSWER = "нет ответа"
CALLBACK_HEADERS = ["№", "Принята", "Номер для ответа", "Вопрос", "Срок ответа", "Состояние"]


@dataclass(frozen=True, slots=True)
class PrintRow:
    cells: list[str]
    details: list[str]  # under the row: the question, transfers, attempts…


@dataclass(frozen=True, slots=True)
class PrintPage:
    line: str
    prepared: str
    kept_note: str
    client: list[Fact]
    call_headers: list[str]
    calls: list[PrintRow]
    callback_headers: list[str]
    callbacks: list[PrintRow]
    message_headers: list[str]
    messages: list[PrintRow]
    visit_headers: list[str]
    visits: list[PrintRow]
    back_href: str
    json_href: str


def print_page(document: ClientDocument, client_id: int) -> PrintPage:
    client = document.client
    facts = [Fact("Телефон", phone_text(client.phone))]
    if client.name:
        facts.insert(0, Fact("Клиент", client.name))
    if client.email:
        facts.append(Fact("Электронная почта", client.email))
    channels = client.preferred_channel_label
    if client.extra_channel_label:
        channels += f", дополнительно: {client.extra_channel_label}"
    facts.append(Fact("Канал связи", channels))
    return PrintPage(
        line=document.line,
        prepared=when_text(document.prepared_at),
        kept_note=(
            f"История взаимодействия хранится {_years(document.kept_years)}: обращения ранее "
            f"{date_text(document.kept_since)} могли быть удалены по истечении срока хранения."
        ),
        client=facts,
        call_headers=CALL_HEADERS,
        calls=[_call_row(call) for call in document.calls],
        callback_headers=CALLBACK_HEADERS,
        callbacks=[_callback_row(task) for task in document.callbacks],
        message_headers=MESSAGE_HEADERS,
        messages=[PrintRow(message_cells(row), message_details(row)) for row in document.messages],
        visit_headers=VISIT_HEADERS,
        visits=[PrintRow(visit_cells(row), visit_details(row)) for row in document.visits],
        back_href=ref_path(client_id),
        json_href=ref_path(client_id, JSON_VIEW),
    )


def _call_row(call: DocCall) -> PrintRow:
    outcome = call.outcome_label
    if call.missed_reason_label:
        outcome += f": {call.missed_reason_label.lower()}"
    details = []
    if call.spoken_question:
        details.append(f"Вопрос со слов (распознан автоматически): {call.spoken_question}")
    if call.question:
        details.append(f"Вопрос: {call.question}")
    details += [
        f"Перевод в {time_text(row.at, seconds=False)}"
        + (f" в подразделение «{row.department}»" if row.department else "")
        + f": {row.outcome_label.lower()}"
        for row in call.transfers
    ]
    details += [
        f"Вопрос вне полномочий; рекомендовано обратиться: {row.agency or NONE}"
        + (f", {row.contacts}" if row.contacts else "")
        for row in call.referrals
    ]
    if call.survey is not None:
        received = call.survey.answer_received_label or NO_ANSWER
        quality = call.survey.quality_label or NO_ANSWER
        details.append(
            f"Опрос: «Получен ли ответ на Ваш вопрос?» — {received}; "
            f"«Оцените качество работы консультанта» — {quality}"
        )
    details += [f"Оформлена заявка на обратный звонок № {number}" for number in call.callbacks]
    return PrintRow(
        cells=[
            str(call.number),
            when_text(call.arrived_at),
            phone_text(call.from_phone),
            call.topic_label or NONE,
            duration_text(call.wait_s),
            outcome,
            call.consultant or NONE,
            duration_text(call.talk_s),
        ],
        details=details,
    )


def _callback_row(task: DocCallback) -> PrintRow:
    details = [f"Как появилась: {task.source_label}"]
    if task.call is not None:
        details[0] += f" (звонок № {task.call})"
    if task.topic_label:
        details.append(f"Тема: {task.topic_label}")
    if task.windows:
        windows = "; ".join(window_text(row.starts_at, row.ends_at) for row in task.windows)
        details.append(f"Удобное время для звонка: {windows}")
    details += [f"Звонок {when_text(row.at)}: {row.result_label.lower()}" for row in task.attempts]
    details += [
        f"Срок перенесён {when_text(row.at)}: с {date_text(row.promised_before)} на "
        f"{date_text(row.promised_after)}"
        + (f". {row.windows.rstrip('.')}" if row.windows else "")
        + (f". Причина: {row.reason}" if row.reason else "")
        for row in task.reschedules
    ]
    if task.closed_at is not None:
        details.append(f"Закрыта {when_text(task.closed_at)}")
    if task.result:
        details.append(f"Итог: {task.result}")
    return PrintRow(
        cells=[
            str(task.number),
            when_text(task.requested_at),
            phone_text(task.phone),
            task.question or NONE,
            date_text(task.promised_on),
            task.status_label,
        ],
        details=details,
    )


def _years(count: int) -> str:
    if count % 10 == 1 and count % 100 != 11:
        return f"{count} год"
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return f"{count} года"
    return f"{count} лет"
