"""The caller's history on the card (G3): calls, callbacks and surveys of the client or of the
number, newest first, bounded, the call on the card left out."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from call_card.history import HistoryEntry, HistoryKind, interaction_history
from models.db import session_scope
from models.message_store import MessageDraft, register_message
from models.rules.callbacks import CallbackStatus
from models.rules.missed import MissedReason
from models.rules.survey import AnswerReceived, QualityRating
from models.settings import Settings
from models.tables import Call, CallReferral, Client, Language, MessageIntake, SurveyResponse
from models.topics import Topic
from tests.call_card.samples import CALLER, NOW, add_call, add_client, add_person, add_task

OTHER = "+79289999999"


def _history(
    engine: Engine,
    *,
    client_id: int | None = None,
    phone: str | None = CALLER,
    exclude: int | None = None,
    limit: int = 20,
) -> list[HistoryEntry]:
    with session_scope(engine) as session:
        return interaction_history(
            session, client_id=client_id, phone_e164=phone, exclude_call_id=exclude, limit=limit
        )


def _survey(engine: Engine, call_id: int, minutes_after: int) -> None:
    with session_scope(engine) as session:
        call = session.get(Call, call_id)
        assert call is not None
        session.add(
            SurveyResponse(
                call_id=call_id,
                answer_received=AnswerReceived.YES,
                quality=QualityRating.PARTLY_SATISFIED,
                created_at=call.arrived_at + timedelta(minutes=minutes_after),
            )
        )


def test_history_of_a_number_without_a_client_record_newest_first(db_engine: Engine) -> None:
    # G3: the line never creates client records; the number ties the history together
    operator = add_person(db_engine, "201", "Алиева Патимат")
    first = add_call(
        db_engine, "first", operator_id=operator, ended=True, arrived_at=NOW - timedelta(days=3)
    )
    _survey(db_engine, first, 4)
    missed_id = add_call(
        db_engine,
        "missed",
        ended=True,
        arrived_at=NOW - timedelta(days=2),
        topic=None,
    )
    task = add_task(db_engine, requested_at=NOW - timedelta(days=2, minutes=-1))
    add_call(db_engine, "stranger", caller_e164=OTHER, arrived_at=NOW - timedelta(days=1))
    current = add_call(db_engine, "current", operator_id=operator)
    history = _history(db_engine, exclude=current)
    assert [(entry.kind, entry.ref_id) for entry in history] == [
        (HistoryKind.CALLBACK, task),
        (HistoryKind.CALL, missed_id),
        (HistoryKind.SURVEY, history[2].ref_id),
        (HistoryKind.CALL, first),
    ]
    callback, missed, survey, answered = history
    assert (callback.status, callback.status_label) == (CallbackStatus.OPEN.value, "Открыта")
    assert callback.summary == "ответ обещан к 04.12.2026"
    assert (missed.status_label, missed.summary) == ("Пропущен", "тема не выбрана")
    assert (survey.status_label, survey.summary, survey.linkedid) == (
        "Опрос пройден",
        "ответ получен, частично удовлетворен",
        "first",
    )
    assert answered.summary == (
        "Государственные услуги и статус заявлений; оператор Алиева Патимат"
    )


def test_history_joins_the_clients_calls_from_other_numbers(db_engine: Engine) -> None:
    client = add_client(db_engine, CALLER, "Магомед", Language.RU)
    add_call(db_engine, "from-office", caller_e164=OTHER, client_id=client, ended=True)
    add_call(db_engine, "stranger", caller_e164="+79287777777", ended=True)
    assert [entry.linkedid for entry in _history(db_engine, client_id=client)] == ["from-office"]
    assert _history(db_engine, client_id=None, phone=None) == []


def test_history_is_bounded_to_the_newest_entries(db_engine: Engine) -> None:
    for day in range(1, 8):
        add_call(db_engine, f"day-{day}", ended=True, arrived_at=NOW - timedelta(days=day))
    history = _history(db_engine, limit=3)
    assert [entry.linkedid for entry in history] == ["day-1", "day-2", "day-3"]
    assert _history(db_engine, limit=0) == []


def test_the_call_on_the_card_and_its_survey_are_left_out(db_engine: Engine) -> None:
    operator = add_person(db_engine, "201", "Оператор Один")
    current = add_call(db_engine, "current", operator_id=operator, ended=True)
    _survey(db_engine, current, 4)
    assert _history(db_engine, exclude=current) == []
    assert len(_history(db_engine)) == 2


def test_calls_show_why_they_were_missed_and_the_agency_named(db_engine: Engine) -> None:
    operator = add_person(db_engine, "201", "Оператор Один")
    answered = add_call(
        db_engine, "answered", operator_id=operator, ended=True, topic=Topic.CONTROL_SUPERVISION
    )
    missed = add_call(db_engine, "missed", ended=True, arrived_at=NOW - timedelta(days=1))
    with session_scope(db_engine) as session:
        session.add(
            CallReferral(
                call_id=answered, agency_title="МВД по Республике Дагестан (полиция)", at=NOW
            )
        )
        call = session.get(Call, missed)
        assert call is not None
        call.missed_reason = MissedReason.ABANDONED_IN_QUEUE
        session.add(call)
    summaries = {entry.linkedid: entry.summary for entry in _history(db_engine)}
    assert summaries["answered"] == (
        "Контрольно-надзорная деятельность; оператор Оператор Один; "
        "вне полномочий: МВД по Республике Дагестан (полиция)"
    )
    assert summaries["missed"] == (
        "Государственные услуги и статус заявлений; Звонящий положил трубку в очереди"
    )


def _message(engine: Engine, received_at: datetime, **sender: str) -> str:
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False))
    draft = MessageDraft(
        intake=MessageIntake.WEB,
        received_at=received_at,
        registered_by="web",
        subject="Лицензия на розничную продажу",
        **sender,
    )
    return register_message(engine, settings, draft).number


def test_written_messages_of_the_number_tell_where_they_stand(db_engine: Engine) -> None:
    # C1, G3: the caller asks about their message; the card finds it by the number they call
    # from (the message gave its sender a client record with that number)
    mine = _message(db_engine, NOW - timedelta(days=1), sender_phone="8 (928) 123-45-67")
    _message(db_engine, NOW - timedelta(hours=1), sender_phone="+7 928 999-99-99")
    add_call(db_engine, "earlier", ended=True, arrived_at=NOW - timedelta(days=2))
    history = _history(db_engine, phone=CALLER)
    assert [(entry.kind, entry.linkedid) for entry in history] == [
        (HistoryKind.MESSAGE, None),
        (HistoryKind.CALL, "earlier"),
    ]
    message = history[0]
    assert message.status_label == "Обращение: зарегистрировано"
    # registered Wednesday 02.12.2026: the primary answer by the 3rd working day (Monday
    # 07.12); the statutory 30 days end on 01.01.2027, a holiday, moved past the New Year
    # holidays and the weekend to Monday 11.01.2027
    assert message.summary == (
        f"обращение № {mine}; «Лицензия на розничную продажу»; первичный ответ до "
        "07.12.2026; ответ по существу до 11.01.2027"
    )


def test_written_messages_of_the_client_record(db_engine: Engine) -> None:
    # G3: a message by e-mail belongs to the client whose record has that e-mail
    client = add_client(db_engine, OTHER, "Магомед", Language.RU)
    with session_scope(db_engine) as session:
        record = session.get(Client, client)
        assert record is not None
        record.email = "magomed@example.ru"
    number = _message(db_engine, NOW, sender_email="Magomed@Example.ru")
    history = _history(db_engine, client_id=client, phone=None)
    assert [entry.summary.split(";")[0] for entry in history] == [f"обращение № {number}"]
    assert _history(db_engine, phone=CALLER) == []
