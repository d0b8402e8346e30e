"""LineStore: what the IVR writes, on a real migrated database (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.db import session_scope
from models.line_store import (
    SPOKEN_QUESTION_MAX,
    CallArrival,
    CallbackRequest,
    LineStore,
    SpokenAnswer,
    TransferCheckKind,
    clean_text,
)
from models.operator_access import reserve_callback
from models.rules.callbacks import DIAL_RESERVATION_TTL, CallbackStatus, TimeWindow
from models.rules.survey import AnswerReceived, QualityRating
from models.rules.transfers import TransferEvidence, TransferOutcome
from models.settings import Settings
from models.tables import (
    Call,
    CallbackSource,
    CallbackTask,
    CallbackWindow,
    CallTransfer,
    Language,
    SurveyChannel,
    SurveyResponse,
)
from models.topics import Topic
from tests.factories import add_client, add_employee

MSK = ZoneInfo("Europe/Moscow")
OPEN = datetime(2026, 12, 7, 10, 0, tzinfo=MSK)  # Monday
SATURDAY = datetime(2026, 12, 5, 12, 0, tzinfo=MSK)
LINKEDID = "1795867285.0"
PHONE = "+79281234567"


@pytest.fixture
def store(db_engine: Engine) -> LineStore:
    settings = Settings(database_url=db_engine.url.render_as_string(hide_password=False))
    return LineStore(db_engine, settings)


def _client(engine: Engine, phone: str = PHONE, language: Language = Language.EN) -> int:
    return add_client(engine, phone, language)


def _arrival(**overrides: object) -> CallArrival:
    values: dict[str, object] = {
        "linkedid": LINKEDID,
        "arrived_at": OPEN,
        "in_working_hours": True,
        "caller_number": "79281234567",
        "caller_e164": PHONE,
        "caller_name": "Ivan Petrov",
        "did": "78722678091",
        "client_id": None,
    }
    values.update(overrides)
    return CallArrival(**values)  # type: ignore[arg-type]


def _call(engine: Engine, linkedid: str = LINKEDID) -> Call:
    with Session(engine) as session:
        call = session.exec(select(Call).where(Call.linkedid == linkedid)).one()
        session.expunge(call)
        return call


def _window(day: date, start: int, end: int) -> TimeWindow:
    return TimeWindow(
        datetime(day.year, day.month, day.day, start, tzinfo=MSK),
        datetime(day.year, day.month, day.day, end, tzinfo=MSK),
    )


def _request(**overrides: object) -> CallbackRequest:
    values: dict[str, object] = {
        "phone_e164": PHONE,
        "source": CallbackSource.AFTER_HOURS,
        "requested_at": SATURDAY,
        "promised_on": date(2026, 12, 7),
        "windows": (_window(date(2026, 12, 7), 9, 13),),
    }
    values.update(overrides)
    return CallbackRequest(**values)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- callers


def test_unknown_or_hidden_caller_has_an_empty_profile(store: LineStore) -> None:
    assert store.caller_profile(None).client_id is None
    profile = store.caller_profile(PHONE)
    assert (profile.client_id, profile.language, profile.open_callbacks) == (None, None, 0)


def test_known_client_brings_language_and_counts_only_active_callbacks(
    store: LineStore, db_engine: Engine
) -> None:
    client_id = _client(db_engine, language=Language.EN)
    store.open_callback(_request())
    with Session(db_engine) as session:
        done = CallbackTask(
            phone_e164=PHONE,
            source=CallbackSource.OPERATOR,
            requested_at=OPEN,
            promised_on=date(2026, 12, 1),
            status=CallbackStatus.DONE,
        )
        session.add(done)
        session.commit()
    profile = store.caller_profile(PHONE)
    assert profile.client_id == client_id
    assert profile.language is Language.EN
    assert profile.open_callbacks == 1


# ---------------------------------------------------------------------------- arrivals


def test_arrival_stores_caller_text_without_control_characters_and_cut_to_column_size(
    store: LineStore, db_engine: Engine
) -> None:
    name = 'Ivan "Boss"\n${SHELL(rm -rf /)}\x00\u202e' + "я" * 300
    store.record_arrival(_arrival(caller_name=name, caller_number="7928\r\n" + "1" * 80))
    call = _call(db_engine)
    assert call.caller_name.startswith('Ivan "Boss"${SHELL(rm -rf /)}я')
    assert len(call.caller_name) == 255
    assert call.caller_number == "7928" + "1" * 60
    assert (call.caller_e164, call.did, call.in_working_hours) == (PHONE, "78722678091", True)


def test_arrival_twice_keeps_one_row_and_the_first_arrival_instant(
    store: LineStore, db_engine: Engine
) -> None:
    store.record_arrival(_arrival())
    store.record_arrival(_arrival(arrived_at=OPEN + timedelta(minutes=5), caller_name="Other"))
    with Session(db_engine) as session:
        calls = session.exec(select(Call)).all()
    assert len(calls) == 1
    assert calls[0].arrived_at == OPEN
    assert calls[0].caller_name == "Ivan Petrov"


def test_arrival_fills_in_a_row_another_writer_created_first(
    store: LineStore, db_engine: Engine
) -> None:
    with Session(db_engine) as session:
        session.add(Call(linkedid=LINKEDID, arrived_at=OPEN, in_working_hours=True))
        session.commit()
    client_id = _client(db_engine)
    store.record_arrival(_arrival(arrived_at=OPEN + timedelta(seconds=1), client_id=client_id))
    call = _call(db_engine)
    assert (call.caller_e164, call.client_id, call.caller_name) == (PHONE, client_id, "Ivan Petrov")
    assert call.arrived_at == OPEN


def test_ivr_path_is_recorded_and_cut_to_the_column(store: LineStore, db_engine: Engine) -> None:
    store.record_arrival(_arrival())
    assert store.record_ivr(LINKEDID, "lang:1>" + "topic:9>" * 40, Topic.GENERAL, Language.RU)
    call = _call(db_engine)
    assert len(call.ivr_path) == 255
    assert (call.topic, call.language) == (Topic.GENERAL, Language.RU)
    assert not store.record_ivr("1.1", "lang:1", None, None)


def test_clean_text_removes_control_format_and_surrogate_characters() -> None:
    assert clean_text("a\tb\nc\x1bd\u200be\ud800f", 100) == "abcdef"
    assert clean_text("abc", 2) == "ab"


# ---------------------------------------------------------------------------- callbacks (C11)


def test_callback_request_creates_a_task_with_its_window_linked_to_call_and_client(
    store: LineStore, db_engine: Engine
) -> None:
    client_id = _client(db_engine)
    store.record_arrival(_arrival(arrived_at=SATURDAY, in_working_hours=False))
    store.record_ivr(LINKEDID, "lang:1>closed", Topic.MESSAGES, Language.RU)
    task_id = store.open_callback(_request(linkedid=LINKEDID))
    with Session(db_engine) as session:
        task = session.get(CallbackTask, task_id)
        windows = session.exec(select(CallbackWindow)).all()
    assert task is not None
    assert (task.client_id, task.origin_call_id) == (client_id, _call(db_engine).id)
    assert (task.topic, task.source, task.status) == (
        Topic.MESSAGES,
        CallbackSource.AFTER_HOURS,
        CallbackStatus.OPEN,
    )
    assert [(w.starts_at, w.ends_at) for w in windows] == [
        (_window(date(2026, 12, 7), 9, 13).starts_at, _window(date(2026, 12, 7), 9, 13).ends_at)
    ]


def test_second_request_for_a_number_joins_its_active_task(
    store: LineStore, db_engine: Engine
) -> None:
    """One active task per number (C11): new windows and question are added, the earlier
    promise stands, a repeated window is not duplicated."""
    first = store.open_callback(_request(promised_on=date(2026, 12, 10), question="Субсидия"))
    second = store.open_callback(
        _request(
            source=CallbackSource.TRANSFER_CAP,
            promised_on=date(2026, 12, 8),
            question="Лицензия",
            windows=(_window(date(2026, 12, 7), 9, 13), _window(date(2026, 12, 8), 13, 18)),
        )
    )
    assert first == second
    with Session(db_engine) as session:
        tasks = session.exec(select(CallbackTask)).all()
        windows = session.exec(select(CallbackWindow).order_by(col(CallbackWindow.id))).all()
    assert len(tasks) == 1
    assert tasks[0].promised_on == date(2026, 12, 8)
    assert tasks[0].question == "Субсидия\n\nЛицензия"
    assert len(windows) == 2


def test_closed_task_does_not_absorb_a_new_request(store: LineStore, db_engine: Engine) -> None:
    first = store.open_callback(_request())
    with Session(db_engine) as session:
        task = session.get(CallbackTask, first)
        assert task is not None
        task.status = CallbackStatus.DONE
        session.add(task)
        session.commit()
    assert store.open_callback(_request()) != first


def _reserve(engine: Engine, task_id: int, channel_id: str) -> bool:
    """A click-to-call by operator 201 holds the task from OPEN (models.operator_access)."""
    employee_id = add_employee(engine, "201", "PJSIP/201")
    with session_scope(engine) as session:
        return reserve_callback(
            session, task_id=task_id, channel_id=channel_id, employee_id=employee_id, now=OPEN
        ).reserved


def test_callback_number_of_an_active_task_is_digits_and_marks_it_in_progress(
    store: LineStore, db_engine: Engine
) -> None:
    task_id = store.open_callback(_request())
    assert _reserve(db_engine, task_id, "chan-a")
    assert store.callback_number(task_id, "chan-a", OPEN) == "79281234567"
    with Session(db_engine) as session:
        task = session.get(CallbackTask, task_id)
        assert task is not None
        assert task.status is CallbackStatus.IN_PROGRESS
        task.status = CallbackStatus.DONE
        session.add(task)
        session.commit()
    assert store.callback_number(task_id, "chan-a", OPEN) is None
    assert store.callback_number(999_999, "chan-a", OPEN) is None


def test_callback_number_only_for_the_channel_holding_a_live_reservation(
    store: LineStore, db_engine: Engine
) -> None:
    # C11: nobody is dialled twice; the number goes only to the click-to-call's own channel.
    task_id = store.open_callback(_request())
    assert store.callback_number(task_id, "chan-a", OPEN) is None  # nobody reserved it
    assert _reserve(db_engine, task_id, "chan-a")
    assert store.callback_number(task_id, "chan-b", OPEN) is None
    lapsed = OPEN + DIAL_RESERVATION_TTL
    assert store.callback_number(task_id, "chan-a", lapsed) is None
    assert store.callback_number(task_id, "chan-a", lapsed - timedelta(seconds=1)) is not None
    with Session(db_engine) as session:
        task = session.get(CallbackTask, task_id)
        assert task is not None
        assert task.status is CallbackStatus.IN_PROGRESS


# ---------------------------------------------------------------------------- transfers (C10)


def _outcomes(engine: Engine) -> list[TransferOutcome]:
    with Session(engine) as session:
        rows = session.exec(select(CallTransfer).order_by(col(CallTransfer.seq))).all()
        return [row.outcome for row in rows]


def test_two_transfers_allowed_third_refused_and_recorded(
    store: LineStore, db_engine: Engine
) -> None:
    add_employee(db_engine, "301", "PJSIP/301")
    store.record_arrival(_arrival())
    first = store.check_transfer(LINKEDID, "301", OPEN, 2, channel_id=LINKEDID)
    assert store.settle_transfer(LINKEDID, LINKEDID, TransferEvidence.ANSWERED) is not None
    second = store.check_transfer(LINKEDID, "301", OPEN + timedelta(minutes=1), 2)
    third = store.check_transfer(LINKEDID, "301", OPEN + timedelta(minutes=2), 2)
    assert (first.kind, first.device, first.done) == (TransferCheckKind.ALLOWED, "PJSIP/301", 0)
    assert (second.kind, second.done) == (TransferCheckKind.ALLOWED, 1)
    assert (third.kind, third.device, third.done) == (TransferCheckKind.CAPPED, None, 1)
    with Session(db_engine) as session:
        rows = session.exec(select(CallTransfer).order_by(col(CallTransfer.seq))).all()
    assert [(r.seq, r.outcome, r.channel_id) for r in rows] == [
        (1, TransferOutcome.COMPLETED, LINKEDID),
        (2, TransferOutcome.PENDING, None),  # in flight: holds the second slot (C10)
        (3, TransferOutcome.REFUSED, None),
    ]
    assert _call(db_engine).transfer_count == 1


def test_an_attempt_counts_only_once_it_completed(store: LineStore, db_engine: Engine) -> None:
    # C10: a blind transfer completes when the employee answers; an attended one when the
    # caller is handed over; a consultation that ends without it frees its slot.
    add_employee(db_engine, "301", "PJSIP/301")
    blind, consult_a, consult_b = LINKEDID, "1795867290.5", "1795867300.9"
    store.check_transfer(LINKEDID, "301", OPEN, 2, channel_id=consult_a, attended=True)
    settled = store.settle_transfer(LINKEDID, consult_a, TransferEvidence.ANSWERED)
    assert settled is None  # answered: the consultation goes on, still pending
    cancelled = store.settle_transfer(LINKEDID, consult_a, TransferEvidence.LEG_ENDED)
    assert cancelled is not None
    assert (cancelled.outcome, cancelled.completed) == (TransferOutcome.FAILED, 0)
    store.check_transfer(LINKEDID, "301", OPEN, 2, channel_id=consult_b, attended=True)
    store.settle_transfer(LINKEDID, consult_b, TransferEvidence.ANSWERED)
    handed = store.settle_transfer(LINKEDID, consult_b, TransferEvidence.HANDED_OVER)
    assert handed is not None
    assert (handed.seq, handed.outcome, handed.completed) == (2, TransferOutcome.COMPLETED, 1)
    assert store.settle_transfer(LINKEDID, consult_b, TransferEvidence.LEG_ENDED) is None
    store.check_transfer(LINKEDID, "301", OPEN, 2, channel_id=blind)
    store.settle_transfer(LINKEDID, blind, TransferEvidence.ANSWERED)
    assert _outcomes(db_engine) == [
        TransferOutcome.FAILED,
        TransferOutcome.COMPLETED,
        TransferOutcome.COMPLETED,
    ]
    assert store.check_transfer(LINKEDID, "301", OPEN, 2).kind is TransferCheckKind.CAPPED
    assert _call(db_engine).transfer_count == 2
    assert store.settle_transfer(LINKEDID, "1.1", TransferEvidence.LEG_ENDED) is None
    assert store.settle_transfer("9.9", blind, TransferEvidence.LEG_ENDED) is None


def test_failed_transfer_does_not_use_up_the_cap(store: LineStore, db_engine: Engine) -> None:
    add_employee(db_engine, "301", "PJSIP/301")
    store.check_transfer(LINKEDID, "301", OPEN, 2, channel_id=LINKEDID)
    store.check_transfer(LINKEDID, "301", OPEN, 2, channel_id="1795867285.7", attended=True)
    assert store.check_transfer(LINKEDID, "301", OPEN, 2).kind is TransferCheckKind.CAPPED
    assert store.transfer_failed(LINKEDID, "NOANSWER", LINKEDID)  # the blind one, by channel
    assert store.check_transfer(LINKEDID, "301", OPEN, 2).kind is TransferCheckKind.ALLOWED
    assert store.check_transfer(LINKEDID, "301", OPEN, 2).kind is TransferCheckKind.CAPPED
    assert _outcomes(db_engine) == [
        TransferOutcome.FAILED,
        TransferOutcome.PENDING,
        TransferOutcome.REFUSED,
        TransferOutcome.PENDING,
        TransferOutcome.REFUSED,
    ]
    assert store.transfer_failed(LINKEDID, "BUSY")  # no channel: the latest in flight
    assert _outcomes(db_engine)[3] is TransferOutcome.FAILED


def test_transfer_failed_without_a_completed_transfer_changes_nothing(store: LineStore) -> None:
    assert not store.transfer_failed("9.9", "BUSY")
    store.record_arrival(_arrival())
    assert not store.transfer_failed(LINKEDID, "BUSY")


@pytest.mark.parametrize(
    ("number", "device", "active"),
    [
        ("302", "PJSIP/302", False),  # left the line
        ("303", "PJSIP/303,,tT", True),  # Dial() options smuggled into the directory
        ("304", "PJSIP/304&PJSIP/999", True),
        ("305", "${SHELL(id)}", True),
    ],
)
def test_inactive_employee_or_unusable_device_is_unknown(
    store: LineStore, db_engine: Engine, number: str, device: str, active: bool
) -> None:
    add_employee(db_engine, number, device, active=active)
    check = store.check_transfer(LINKEDID, number, OPEN, 2)
    assert (check.kind, check.device) == (TransferCheckKind.UNKNOWN_EMPLOYEE, None)


def test_unknown_extension_is_recorded_as_failed_and_does_not_count(
    store: LineStore, db_engine: Engine
) -> None:
    check = store.check_transfer(LINKEDID, "999", OPEN, 2)
    assert check.kind is TransferCheckKind.UNKNOWN_EMPLOYEE
    with Session(db_engine) as session:
        row = session.exec(select(CallTransfer)).one()
    assert (row.outcome, row.to_extension, row.to_employee_id) == (
        TransferOutcome.FAILED,
        "999",
        None,
    )
    assert _call(db_engine).transfer_count == 0


def test_transfer_of_a_call_not_yet_logged_creates_a_minimal_call(
    store: LineStore, db_engine: Engine
) -> None:
    add_employee(db_engine, "301", "PJSIP/301")
    store.check_transfer("1.5", "301", SATURDAY, 2)
    call = _call(db_engine, "1.5")
    assert (call.arrived_at, call.in_working_hours) == (SATURDAY, False)


# ---------------------------------------------------------------------------- survey (C15)


def test_survey_answers_are_kept_per_call_and_operator_also_when_partial(
    store: LineStore, db_engine: Engine
) -> None:
    operator_id = add_employee(db_engine, "201", "PJSIP/201")
    store.record_arrival(_arrival())
    store.save_survey(LINKEDID, "PJSIP/201", AnswerReceived.YES, None, OPEN)
    with Session(db_engine) as session:
        partial = session.exec(select(SurveyResponse)).one()
    assert (partial.answer_received, partial.quality, partial.operator_id) == (
        AnswerReceived.YES,
        None,
        operator_id,
    )
    assert not partial.completed
    store.save_survey(LINKEDID, "PJSIP/201", None, QualityRating.PARTLY_SATISFIED, OPEN)
    with Session(db_engine) as session:
        response = session.exec(select(SurveyResponse)).one()
    assert response.completed
    assert response.answer_received is AnswerReceived.YES
    assert response.quality is QualityRating.PARTLY_SATISFIED
    assert response.call_id == _call(db_engine).id


def test_each_survey_answer_keeps_its_channel_and_the_confidence_of_a_spoken_one(
    store: LineStore, db_engine: Engine
) -> None:
    # C15: the first answer keyed, the second said; the survey counts as spoken.
    store.record_arrival(_arrival())
    store.save_survey(LINKEDID, None, AnswerReceived.YES, None, OPEN)
    with Session(db_engine) as session:
        keyed = session.exec(select(SurveyResponse)).one()
    assert (keyed.channel, keyed.answer_received_channel) == (
        SurveyChannel.KEYPAD,
        SurveyChannel.KEYPAD,
    )
    store.save_survey(
        LINKEDID, None, None, QualityRating.SATISFIED, OPEN, heard=SpokenAnswer(confidence=0.83)
    )
    with Session(db_engine) as session:
        response = session.exec(select(SurveyResponse)).one()
    assert (response.answer_received_channel, response.answer_received_confidence) == (
        SurveyChannel.KEYPAD,
        None,
    )
    assert (response.quality_channel, response.quality_confidence) == (SurveyChannel.SPEECH, 0.83)
    assert response.channel is SurveyChannel.SPEECH


def test_the_spoken_question_is_kept_with_the_call_cleaned_and_cut(
    store: LineStore, db_engine: Engine
) -> None:
    store.record_arrival(_arrival())
    said = "сроки лицензии\u202e на алкоголь " + "очень " * 400
    store.save_spoken_question(LINKEDID, said, 0.61, OPEN)
    call = _call(db_engine)
    assert call.spoken_question.startswith("сроки лицензии на алкоголь очень")
    assert len(call.spoken_question) == SPOKEN_QUESTION_MAX
    assert call.spoken_question_confidence == 0.61


def test_survey_with_unknown_operator_device_is_stored_without_operator(
    store: LineStore, db_engine: Engine
) -> None:
    store.save_survey(LINKEDID, "PJSIP/777", AnswerReceived.NO, None, OPEN)
    store.save_survey(LINKEDID, None, None, QualityRating.NOT_SATISFIED, OPEN)
    with Session(db_engine) as session:
        response = session.exec(select(SurveyResponse)).one()
    assert response.operator_id is None
    assert (response.answer_received, response.quality) == (
        AnswerReceived.NO,
        QualityRating.NOT_SATISFIED,
    )
