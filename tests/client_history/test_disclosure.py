"""What of the history goes to the client (G4): a decision for every stored field, and the
client's document of the sample story, written out by hand."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date

import pytest

from client_history import records
from client_history.disclosure import DISCLOSURE, Audience, client_document
from client_history.document import (
    ClientDocument,
    DocAttachment,
    DocAttempt,
    DocCall,
    DocCallback,
    DocClient,
    DocMessage,
    DocMessageSurvey,
    DocNotice,
    DocReferral,
    DocReschedule,
    DocSurvey,
    DocTransfer,
    DocWindow,
)
from client_history.export_json import json_bytes
from client_history.records import Records, Staff
from client_history.timeline import build_timeline
from tests.client_history.message_samples import (
    ADDRESS_B,
    ANSWER_TEXT,
    MESSAGE_STAFF_ONLY,
    NUMBER_A,
    NUMBER_B,
    PRIMARY_SUBJECT,
    PRIMARY_TEXT,
    SURVEY_COMMENT,
    TEXT_A,
    URGENCY_NOTE,
    with_messages,
)
from tests.client_history.samples import (
    AGENCY,
    CALL_A,
    CLIENT,
    CONTACTS,
    EXPERT,
    MSK,
    OTHER_PHONE,
    PHONE,
    QUESTION,
    RESCHEDULE_REASON,
    RESULT,
    SPOKEN_QUESTION,
    STAFF_ONLY,
    TASK_QUESTION,
    WINDOWS_CHANGE,
    msk,
    story_records,
)

PREPARED = msk(9, 12, 30)
RECORD_CLASSES = [
    cls
    for cls in vars(records).values()
    if isinstance(cls, type) and cls.__module__ == records.__name__ and cls is not Records
]


def _document() -> ClientDocument:
    return client_document(
        build_timeline(CLIENT, story_records()),
        prepared_at=PREPARED,
        tz=MSK,
        line="Консультационная линия Минпромторга РД",
        kept_years=5,
        kept_since=date(2021, 12, 9),
    )


def test_every_stored_field_has_a_decision_and_no_other() -> None:  # G4
    assert set(DISCLOSURE) == set(RECORD_CLASSES)
    for cls in RECORD_CLASSES:
        assert set(DISCLOSURE[cls]) == {field.name for field in fields(cls)}, cls.__name__


@pytest.mark.parametrize(
    ("cls", "name"),
    [
        (Staff, "full_name"),
        (Staff, "internal_number"),
        (records.CallRecord, "linkedid"),
        (records.CallRecord, "ivr_path"),
        (records.CallRecord, "hangup_cause"),
        (records.CallRecord, "spoken_question_confidence"),
        (records.WrapupRecord, "kb_answer_found"),
        (records.WrapupRecord, "kb_entry_title"),
        (records.DismissalRecord, "reason"),
        (records.TaskRecord, "owner"),
        (records.AttemptRecord, "employee"),
    ],
)
def test_the_staffs_own_matters_stay_with_the_staff(cls: type, name: str) -> None:
    assert DISCLOSURE[cls][name].audience is Audience.STAFF


@pytest.mark.parametrize(
    ("cls", "name"),
    [
        (records.WrapupRecord, "question"),
        (records.CallRecord, "spoken_question"),
        (records.ReferralRecord, "contacts"),
        (records.SurveyRecord, "quality"),
        (records.TaskRecord, "result_note"),
        (records.ChangeRecord, "reason"),
        (records.WindowRecord, "starts_at"),
    ],
)
def test_the_clients_messages_and_their_handling_go_to_the_client(cls: type, name: str) -> None:
    assert DISCLOSURE[cls][name].audience is Audience.CLIENT


def test_the_document_of_the_story_field_by_field() -> None:  # G4
    document = _document()
    assert (document.prepared_at, document.prepared_at.utcoffset()) == (
        PREPARED,
        PREPARED.utcoffset(),
    )
    assert (document.line, document.kept_years, document.kept_since) == (
        "Консультационная линия Минпромторга РД",
        5,
        date(2021, 12, 9),
    )
    assert document.client == DocClient(
        phone=PHONE,
        name="Гаджиева Марьям",
        email="maryam@example.ru",
        language="ru",
        language_label="русский",
        preferred_channel="email",
        preferred_channel_label="электронная почта",
        extra_channel="sms",
        extra_channel_label="SMS",
    )
    a, b, c, d = document.calls
    assert a == DocCall(
        number=1,
        arrived_at=msk(1, 10),
        from_phone=PHONE,
        language="ru",
        topic="support_measures",  # the wrap-up's topic
        topic_label="Меры государственной поддержки",
        outcome="answered",
        outcome_label="Принят оператором",
        missed_reason=None,
        missed_reason_label=None,
        wait_s=23,  # 23.4 s
        answered_at=msk(1, 10, 0, 30),
        ended_at=msk(1, 10, 3, 45),
        talk_s=195,  # 195.2 s
        consultant="Патимат",  # «Алиева Патимат Руслановна» introduces herself so (C5)
        question=QUESTION,
        spoken_question=SPOKEN_QUESTION,  # their own words, as recognized; not the confidence
        transfers=(
            DocTransfer(
                at=msk(1, 10, 2),
                department=EXPERT.department,
                outcome="completed",
                outcome_label="Состоялся",
            ),
        ),
        referrals=(),
        survey=DocSurvey(
            at=msk(1, 10, 4, 10),
            answer_received="yes",
            answer_received_label="ответ получен",
            quality="satisfied",
            quality_label="удовлетворен",
        ),
        callbacks=(1,),  # the operator's task, the first request in time
    )
    assert b == DocCall(
        number=2,
        arrived_at=msk(2, 17, 30),
        from_phone=PHONE,
        language="ru",
        topic="state_services",
        topic_label="Государственные услуги и статус заявлений",
        outcome="missed",
        outcome_label="Пропущен",
        missed_reason="queue_timeout",
        missed_reason_label="Истекло время ожидания в очереди",
        wait_s=300,
        answered_at=None,
        ended_at=msk(2, 17, 35, 5),
        talk_s=None,
        consultant=None,
        question=None,
        spoken_question=None,  # nothing said
        transfers=(),
        referrals=(),
        survey=None,
        callbacks=(2,),
    )
    assert (c.number, c.language, c.topic, c.outcome, c.outcome_label, c.wait_s) == (
        3,
        "en",
        None,
        "after_hours",
        "В нерабочее время",
        None,
    )
    assert (d.number, d.topic_label, d.wait_s, d.talk_s, d.consultant, d.question) == (
        4,
        "Контрольно-надзорная деятельность",
        8,
        61,
        "Патимат",
        None,  # a dismissed wrap-up: no question written down
    )
    assert d.referrals == (DocReferral(at=msk(7, 11, 0, 50), agency=AGENCY, contacts=CONTACTS),)
    assert d.survey == DocSurvey(
        at=msk(7, 11, 1, 30),
        answer_received="no",
        answer_received_label="ответ не получен",
        quality=None,  # hung up before the second question
        quality_label=None,
    )
    first, second = document.callbacks
    assert first == DocCallback(
        number=1,
        requested_at=msk(1, 10, 3, 30),
        phone=OTHER_PHONE,
        source="operator",
        source_label="ответ не мог быть дан во время звонка",
        question=TASK_QUESTION,
        topic="support_measures",
        topic_label="Меры государственной поддержки",
        promised_on=date(2026, 12, 4),
        windows=(),
        status="open",
        status_label="Открыта",
        closed_at=None,
        result="",
        attempts=(),
        reschedules=(),
        call=1,
    )
    assert second == DocCallback(
        number=2,
        requested_at=msk(2, 17, 35, 6),
        phone=PHONE,
        source="missed_call",
        source_label="после пропущенного звонка",
        question="",
        topic="state_services",
        topic_label="Государственные услуги и статус заявлений",
        promised_on=date(2026, 12, 4),
        windows=(DocWindow(starts_at=msk(3, 11), ends_at=msk(3, 12)),),
        status="done",
        status_label="Выполнена",
        closed_at=msk(3, 11, 10),
        result=RESULT,
        attempts=(
            DocAttempt(at=msk(3, 10, 5), result="no_answer", result_label="Не ответил"),
            DocAttempt(at=msk(3, 11, 2), result="answered", result_label="Дозвонились"),
        ),
        reschedules=(  # the closing is the request's outcome, not a reschedule
            DocReschedule(
                at=msk(3, 10, 10),
                promised_before=date(2026, 12, 4),
                promised_after=date(2026, 12, 4),
                windows=WINDOWS_CHANGE,
                reason=RESCHEDULE_REASON,
            ),
        ),
        call=2,
    )


def test_instants_are_given_in_the_lines_time_zone() -> None:
    document = _document()
    assert document.calls[0].arrived_at.tzinfo == MSK
    assert document.calls[0].arrived_at.hour == 10  # stored 07:00 UTC


def test_nothing_the_staff_keeps_reaches_the_clients_file() -> None:  # G4
    text = json_bytes(_document()).decode()
    for value in STAFF_ONLY:
        assert value not in text, value
    for value in (
        QUESTION,
        SPOKEN_QUESTION,
        AGENCY,
        CONTACTS,
        RESULT,
        RESCHEDULE_REASON,
        "Патимат",
        PHONE,
    ):
        assert value in text, value


def test_a_call_without_a_wrapup_topic_keeps_the_topic_chosen_in_the_menu() -> None:
    only = Records(calls=(CALL_A,))
    document = client_document(
        build_timeline(CLIENT, only),
        prepared_at=PREPARED,
        tz=MSK,
        line="Линия",
        kept_years=5,
        kept_since=date(2021, 12, 9),
    )
    (call,) = document.calls
    assert (call.topic, call.question, call.callbacks) == ("support_measures", None, ())


def _with_messages() -> ClientDocument:
    return client_document(
        build_timeline(CLIENT, with_messages(story_records())),
        prepared_at=PREPARED,
        tz=MSK,
        line="Линия",
        kept_years=5,
        kept_since=date(2021, 12, 9),
    )


@pytest.mark.parametrize(
    ("cls", "name"),
    [
        (records.MessageRecord, "owner"),
        (records.MessageRecord, "abuse_words"),
        (records.MessageRecord, "email_message_id"),
        (records.NoticeRecord, "error"),
        (records.NoticeRecord, "by"),
    ],
)
def test_who_handled_a_message_and_the_abuse_lexicon_stay_with_the_staff(
    cls: type, name: str
) -> None:
    assert DISCLOSURE[cls][name].audience is Audience.STAFF


def test_a_message_in_the_document_field_by_field() -> None:  # G3, G4
    first, second = _with_messages().messages
    assert first == DocMessage(
        number=NUMBER_A,
        received_at=msk(3, 9, 15),
        intake="email",
        intake_label="почта",
        sender_name="Гаджиева Марьям",
        sender_email="maryam@example.ru",
        sender_phone="",
        sender_address="",
        consent=False,
        subject="Субсидия на оборудование",
        text=TEXT_A,
        topic="support_measures",
        topic_label="Меры государственной поддержки",
        need="Перечень документов",
        urgent=True,
        urgency_note=URGENCY_NOTE,
        primary_due=date(2026, 12, 8),
        answer_due=date(2026, 12, 9),
        abuse_notice_due=None,  # the suspicion was dismissed: nothing of it reaches the client
        status="answered",
        status_label="дан ответ",
        closed_at=msk(8, 16, 5),
        attachments=(
            DocAttachment("заявка.pdf", "application/pdf", 245_760),
            DocAttachment("фото станка.jpg", "image/jpeg", 1_572_864),
        ),
        notices=(
            DocNotice(
                at=msk(4, 10),
                kind="primary",
                kind_label="первичный ответ",
                channel="email",
                channel_label="электронная почта",
                to="maryam@example.ru",
                subject=PRIMARY_SUBJECT,
                text=PRIMARY_TEXT,
                state="sent",
                state_label="отправлено",
            ),
            DocNotice(
                at=msk(4, 10, 1),
                kind="primary",
                kind_label="первичный ответ",
                channel="sms",
                channel_label="SMS",
                to=PHONE,
                subject="",
                text=f"Обращение {NUMBER_A} зарегистрировано",
                state="failed",  # said so; the mail server's reason stays with the staff
                state_label="не отправлено",
            ),
            DocNotice(
                at=msk(8, 16),
                kind="answer",
                kind_label="ответ по существу",
                channel="email",
                channel_label="электронная почта",
                to="maryam@example.ru",
                subject=f"Ответ на обращение № {NUMBER_A}",
                text=ANSWER_TEXT,
                state="sent",
                state_label="отправлено",
            ),
        ),
        surveys=(  # the link never answered is not an answer
            DocMessageSurvey(
                at=msk(8, 18, 30),
                answer_received="yes",
                answer_received_label="ответ получен",
                quality="partly_satisfied",
                quality_label="частично удовлетворен",
                comment=SURVEY_COMMENT,
            ),
        ),
    )
    assert (second.number, second.sender_address, second.consent, second.topic) == (
        NUMBER_B,
        ADDRESS_B,
        True,
        None,
    )
    # W5: a person confirmed the abuse, so its notice's deadline is the client's to know
    assert (second.abuse_notice_due, second.status_label) == (
        date(2026, 12, 14),
        "первичный ответ дан",
    )
    assert [(n.kind, n.channel, n.state_label) for n in second.notices] == [
        ("primary", "post", "передано для отправки почтой")
    ]


def test_nothing_the_staff_keeps_of_a_message_reaches_the_clients_file() -> None:  # G4
    text = json_bytes(_with_messages()).decode()
    for value in (*STAFF_ONLY, *MESSAGE_STAFF_ONLY):
        assert value not in text, value
    for value in (TEXT_A, PRIMARY_TEXT, ANSWER_TEXT, URGENCY_NOTE, SURVEY_COMMENT, ADDRESS_B):
        assert json.dumps(value, ensure_ascii=False) in text, value
