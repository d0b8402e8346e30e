"""Personal visits in the client's history (G3, G4, V13): each booking — when, where, who
received, how it was booked and cancelled, the interpreter and reminders asked for — with its
rating, on the supervisors' page, in the printed document and the JSON file (without what stays
with the staff), and on the call card for the caller, the visits to come first."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine

from agent_console.client_history_page import history_page
from agent_console.client_print_page import print_page
from call_card.history import HistoryKind, interaction_history
from client_history.disclosure import client_document
from client_history.export_json import json_bytes
from client_history.records import ClientRecord
from client_history.reference import ClientNumber
from client_history.store import EntryKey, entry_keys, find_client, load_timeline
from client_history.timeline import EntryKind, Timeline
from models.db import session_scope
from models.rules.survey import AnswerReceived, QualityRating
from models.tables import (
    Channel,
    Client,
    Interpreter,
    Language,
    VisitChannel,
    VisitStatus,
    VisitSurvey,
)
from tests.visits.rating_report_samples import msk, write_visit
from tests.visits.samples import MSK, load_examples

PHONE = "+79281234567"
RECEIVER = "Исмаилов Арсен Камилович"
CANCELLED_BY = "web:clerk-petrova"


@pytest.fixture
def story(db_engine: Engine) -> dict[str, int]:
    load_examples(db_engine)
    with session_scope(db_engine) as session:
        client = Client(
            phone_e164=PHONE,
            full_name="Гаджиева Марьям",
            language=Language.RU,
            preferred_channel=Channel.PHONE,
            created_at=datetime(2026, 11, 1, tzinfo=UTC),
        )
        session.add(client)
        session.flush()
        assert client.id is not None
        client_id = client.id
    held = write_visit(
        db_engine, msk(1, 10), status=VisitStatus.VISITED, client_id=client_id,
        name="Гаджиева Марьям", email="maryam@example.ru", remind_day_before=True,
        remind_by_email=True, channel=VisitChannel.WEB,
    )  # fmt: skip
    cancelled = write_visit(
        db_engine, msk(3, 11), status=VisitStatus.CANCELLED, client_id=client_id,
        cancelled_at=msk(2, 16), cancelled_via=VisitChannel.LINE, cancelled_by=CANCELLED_BY,
    )  # fmt: skip
    coming = write_visit(
        db_engine, msk(15, 12), client_id=None, interpreter=Interpreter.SIGN_LANGUAGE,
        remind_two_hours=True, remind_by_call=True,
    )  # by the number only  # fmt: skip
    write_visit(db_engine, msk(15, 12, 30), phone="+79285550000")  # somebody else's
    with session_scope(db_engine) as session:
        session.add(
            VisitSurvey(
                booking_id=held, issued_at=msk(1, 10, 25), answered_at=msk(1, 10, 25),
                answer_received=AnswerReceived.YES, quality=QualityRating.SATISFIED,
                comment="Всё объяснили.", recorded_by="cli:reception",
            )
        )  # fmt: skip
    return {"client": client_id, "held": held, "cancelled": cancelled, "coming": coming}


def _timeline(engine: Engine, client_id: int) -> tuple[ClientRecord, list[EntryKey], Timeline]:
    with session_scope(engine) as session:
        client = find_client(session, ClientNumber(client_id))
        assert client is not None
        keys = entry_keys(session, client)
        return client, keys, load_timeline(session, client, keys)


def test_the_clients_visits_are_in_their_history_with_the_rating(
    db_engine: Engine, story: dict[str, int]
) -> None:  # G3, V13
    client, keys, timeline = _timeline(db_engine, story["client"])
    assert [(key.kind, key.ref_id) for key in keys] == [
        (EntryKind.VISIT, story["held"]),
        (EntryKind.VISIT, story["cancelled"]),
        (EntryKind.VISIT, story["coming"]),  # found by the number
    ]
    held, cancelled, coming = timeline.visits
    assert held.visit.employee is not None
    assert held.visit.employee.full_name == RECEIVER
    assert held.rating is not None
    assert held.rating.comment == "Всё объяснили."
    assert cancelled.visit.cancelled_via is VisitChannel.LINE
    assert coming.rating is None
    page = history_page(client, keys, timeline, 1, MSK)
    totals = {fact.label: fact.value for fact in page.totals}
    assert totals["Записей на личный приём"] == "3"
    views = {view.anchor: view for view in page.entries}
    shown = views[f"visit-{story['held']}"]
    assert shown.title == f"Личный приём, запись № {story['held']}"
    assert shown.status == "приём состоялся"
    facts = {fact.label: fact.value for fact in shown.facts}
    assert facts["Принимает"] == f"{RECEIVER} (301)"
    assert facts["Записан(а)"].endswith("сайт Минпромторга РД")
    assert facts["Напоминания"] == "за сутки (e-mail)"
    assert [event.text for event in shown.events] == [
        "Оценка приёма (записал(а) на приёме cli:reception): ответ получен, удовлетворен; "
        "«Всё объяснили.»"
    ]
    gone = {fact.label: fact.value for fact in views[f"visit-{story['cancelled']}"].facts}
    assert gone["Отменена"] == f"02.12.2026 16:00, Консультационная линия — {CANCELLED_BY}"


def test_the_client_gets_their_visits_in_the_document_and_the_json(
    db_engine: Engine, story: dict[str, int]
) -> None:  # G4, V13
    _, _, timeline = _timeline(db_engine, story["client"])
    document = client_document(
        timeline,
        prepared_at=msk(4, 12),
        tz=MSK,
        line="Линия",
        kept_years=5,
        kept_since=date(2021, 12, 4),
    )
    held, cancelled, coming = document.visits
    assert (held.number, held.received_by, held.status_label) == (
        story["held"],
        RECEIVER,
        "приём состоялся",
    )
    assert held.starts_at == msk(1, 10)
    assert held.place.startswith("Министерство промышленности и торговли Республики Дагестан")
    assert (held.channel_label, held.reminders_label) == (
        "сайт Минпромторга РД",
        "за сутки (e-mail)",
    )
    assert held.rating is not None
    assert (held.rating.quality_label, held.rating.at_reception) == ("удовлетворен", True)
    assert (cancelled.cancelled_at, cancelled.cancelled_via_label) == (
        msk(2, 16),
        "Консультационная линия",
    )
    assert coming.interpreter_label == "сурдопереводчик (русский жестовый язык)"
    assert coming.reminders_label == "за 2 часа (звонок)"
    body = json.loads(json_bytes(document))
    [first, *_] = body["visits"]
    assert first["number"] == story["held"]
    assert first["starts_at"] == "2026-12-01T10:00:00+03:00"
    assert first["rating"]["comment"] == "Всё объяснили."
    text = json_bytes(document).decode()
    for staff_only in (CANCELLED_BY, "cli:reception", "booked_by", "recorded_by"):
        assert staff_only not in text  # who of the staff did it stays with the staff
    printed = print_page(document, story["client"])
    assert [row.cells[0] for row in printed.visits] == [
        str(story["held"]),
        str(story["cancelled"]),
        str(story["coming"]),
    ]
    assert (
        "Оценка приёма (на приёме), 01.12.2026 10:25: ответ получен, удовлетворен; "
        "отзыв: «Всё объяснили.»" in printed.visits[0].details
    )
    assert "Запись отменена 02.12.2026 16:00: Консультационная линия" in printed.visits[1].details


def test_the_call_card_shows_the_callers_visits_to_come_and_past(
    db_engine: Engine, story: dict[str, int]
) -> None:  # G3
    with session_scope(db_engine) as session:
        history = interaction_history(session, client_id=None, phone_e164=PHONE)
    visits = [entry for entry in history if entry.kind is HistoryKind.VISIT]
    assert [entry.ref_id for entry in visits] == [
        story["coming"],  # newest first: the one to come on top
        story["cancelled"],
        story["held"],
    ]
    assert visits[0].status_label == "Личный приём: записан"
    assert f"принимает {RECEIVER}" in visits[0].summary
    assert "переводчик: сурдопереводчик" in visits[0].summary
    assert visits[1].summary.endswith("отменена: Консультационная линия")
    assert "оценка: удовлетворен" in visits[2].summary
