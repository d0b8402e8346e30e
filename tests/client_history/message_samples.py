"""The written messages of the sample client (``samples.CLIENT``), written by hand:

* message A (by e-mail, urgent, two files): a primary answer by e-mail (sent, with a survey link
  never answered) and by SMS (failed), the substantive answer (sent, with a survey link the client
  answered); the lexicon's suspicion was dismissed by a person; answered and closed;
* message B (a paper letter): abuse confirmed, a primary answer handed over for posting; still
  open and nobody owns it.

:func:`message_records` holds them as plain values; :func:`write_messages` writes the same into
a database for a client record that exists.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from client_history.records import (
    AttachmentRecord,
    MessageRecord,
    MessageSurveyRecord,
    NoticeRecord,
    Records,
    Staff,
)
from models.db import session_scope
from models.rules.survey import AnswerReceived, QualityRating
from models.tables import (
    AbuseCheck,
    Channel,
    Client,
    MessageAttachment,
    MessageIntake,
    MessageNotice,
    MessageStatus,
    MessageSurvey,
    NoticeKind,
    NoticeState,
    WrittenMessage,
)
from models.topics import Topic
from tests.client_history.samples import EXPERT, OPERATOR, PHONE, StoryIds, msk

NUMBER_A = "ПО-2026-000041"
NUMBER_B = "ПО-2026-000050"
TEXT_A = (
    "Здравствуйте!\nПодскажите, какие документы нужны для субсидии на модернизацию "
    "оборудования.\n<b>Срок подачи</b> истекает 10.12."
)
TEXT_B = "Письмо с грубостями, написанное от руки."
URGENCY_NOTE = "Срок подачи заявки истекает 10.12.2026"
PRIMARY_SUBJECT = f"Обращение № {NUMBER_A} зарегистрировано"
PRIMARY_TEXT = (
    f"Ваше обращение зарегистрировано под номером {NUMBER_A}.\n"
    "Ответ по существу будет дан до 09.12.2026.\nОцените работу: https://line.example.ru/s/abc"
)
ANSWER_TEXT = "Перечень документов для субсидии: заявка, смета, выписка из ЕГРЮЛ."
SURVEY_COMMENT = "Спасибо, но долго"
ADDRESS_B = "г. Махачкала, ул. Ленина, д. 1, кв. 2"

# Values of the messages the client's document must never hold.
MAIL_ID = "<20261203091500.42@mail.example.ru>"
ABUSE_WORDS_A = "бездельники"
ABUSE_WORDS_B = "негодяи"
SMS_ERROR = "SMS-шлюз не отвечает"
MESSAGE_STAFF_ONLY = (MAIL_ID, ABUSE_WORDS_A, ABUSE_WORDS_B, SMS_ERROR, "clerk-login", "2026-12-11")

MESSAGE_A = MessageRecord(
    id=31,
    number=NUMBER_A,
    received_at=msk(3, 9, 15),
    intake=MessageIntake.EMAIL,
    sender_name="Гаджиева Марьям",
    sender_email="maryam@example.ru",
    sender_phone="",
    sender_address="",
    subject="Субсидия на оборудование",
    body=TEXT_A,
    email_message_id=MAIL_ID,
    form_key=None,
    consent=False,
    topic=Topic.SUPPORT_MEASURES,
    need="Перечень документов",
    classified_by=OPERATOR,
    urgent=True,
    urgency_note=URGENCY_NOTE,
    primary_due=date(2026, 12, 8),
    answer_due=date(2026, 12, 9),
    abuse=AbuseCheck.DISMISSED,
    abuse_words=ABUSE_WORDS_A,
    abuse_notice_due=date(2026, 12, 11),  # set when suspected; the suspicion was dismissed
    status=MessageStatus.ANSWERED,
    owner=EXPERT,
    registered_by="mail",
    closed_at=msk(8, 16, 5),
)
MESSAGE_B = MessageRecord(
    id=32,
    number=NUMBER_B,
    received_at=msk(5, 14),
    intake=MessageIntake.PAPER,
    sender_name="Гаджиева М.",
    sender_email="",
    sender_phone=PHONE,
    sender_address=ADDRESS_B,
    subject="",
    body=TEXT_B,
    email_message_id=None,
    form_key="form-key-1",
    consent=True,
    topic=None,
    need="",
    classified_by=None,
    urgent=False,
    urgency_note="",
    primary_due=date(2026, 12, 10),
    answer_due=date(2027, 1, 11),
    abuse=AbuseCheck.CONFIRMED,
    abuse_words=ABUSE_WORDS_B,
    abuse_notice_due=date(2026, 12, 14),
    status=MessageStatus.ACKNOWLEDGED,
    owner=None,
    registered_by="clerk-login",
    closed_at=None,
)
FILE_PDF = AttachmentRecord(41, 31, "заявка.pdf", "application/pdf", 245_760)
FILE_JPG = AttachmentRecord(42, 31, "фото станка.jpg", "image/jpeg", 1_572_864)
PRIMARY_EMAIL = NoticeRecord(
    id=51,
    message_id=31,
    kind=NoticeKind.PRIMARY,
    channel=Channel.EMAIL,
    to_address="maryam@example.ru",
    subject=PRIMARY_SUBJECT,
    body=PRIMARY_TEXT,
    state=NoticeState.SENT,
    error="",
    at=msk(4, 10),
    by="clerk-login",
)
PRIMARY_SMS = replace(
    PRIMARY_EMAIL,
    id=52,
    channel=Channel.SMS,
    to_address=PHONE,
    subject="",
    body=f"Обращение {NUMBER_A} зарегистрировано",
    state=NoticeState.FAILED,
    error=SMS_ERROR,
    at=msk(4, 10, 1),
)
ANSWER = replace(
    PRIMARY_EMAIL,
    id=53,
    kind=NoticeKind.ANSWER,
    subject=f"Ответ на обращение № {NUMBER_A}",
    body=ANSWER_TEXT,
    at=msk(8, 16),
    by="expert-login",
)
PRIMARY_POST = NoticeRecord(
    id=54,
    message_id=32,
    kind=NoticeKind.PRIMARY,
    channel=Channel.POST,
    to_address=ADDRESS_B,
    subject="",
    body=f"Ваше обращение зарегистрировано под номером {NUMBER_B}.",
    state=NoticeState.TO_PRINT,
    error="",
    at=msk(7, 12),
    by="clerk-login",
)
LINK_UNANSWERED = MessageSurveyRecord(31, msk(4, 10), None, None, None, "")
LINK_ANSWERED = MessageSurveyRecord(
    31,
    msk(8, 16),
    msk(8, 18, 30),
    AnswerReceived.YES,
    QualityRating.PARTLY_SATISFIED,
    SURVEY_COMMENT,
)


def message_records() -> Records:
    """The messages, each kind of row in a shuffled order (the timeline orders them)."""
    return Records(
        messages=(MESSAGE_B, MESSAGE_A),
        attachments=(FILE_JPG, FILE_PDF),
        notices=(ANSWER, PRIMARY_POST, PRIMARY_SMS, PRIMARY_EMAIL),
        message_surveys=(LINK_ANSWERED, LINK_UNANSWERED),
    )


def with_messages(records: Records) -> Records:
    """``records`` (the calls and tasks of the story) with the messages beside them."""
    messages = message_records()
    return replace(
        records,
        messages=messages.messages,
        attachments=messages.attachments,
        notices=messages.notices,
        message_surveys=messages.message_surveys,
    )


# --------------------------------------------------------------------------- in a database


@dataclass(frozen=True, slots=True)
class MessageIds:
    messages: dict[str, int]  # "A", "B"
    attachments: dict[str, int]  # file name → id
    notices: dict[int, int]  # the sample's id → the database's


def write_messages(engine: Engine, client_id: int, staff: dict[str, int]) -> MessageIds:
    """The messages of :func:`message_records` for ``client_id``; ``staff`` maps the
    sample employees' internal numbers to their ids."""
    with session_scope(engine) as session:
        messages = {
            name: _message(session, record, client_id, staff)
            for name, record in (("A", MESSAGE_A), ("B", MESSAGE_B))
        }
        by_sample = {MESSAGE_A.id: messages["A"], MESSAGE_B.id: messages["B"]}
        attachments = {}
        for file in (FILE_PDF, FILE_JPG):
            row = MessageAttachment(
                message_id=by_sample[file.message_id],
                filename=file.filename,
                content_type=file.content_type,
                size=file.size,
                data=b"%PDF" * (file.size // 4),
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            attachments[file.filename] = row.id
        notices = {}
        for notice in (PRIMARY_EMAIL, PRIMARY_SMS, ANSWER, PRIMARY_POST):
            stored = MessageNotice(
                message_id=by_sample[notice.message_id],
                kind=notice.kind,
                channel=notice.channel,
                to_address=notice.to_address,
                subject=notice.subject,
                body=notice.body,
                state=notice.state,
                error=notice.error,
                at=notice.at,
                by=notice.by,
            )
            session.add(stored)
            session.flush()
            assert stored.id is not None
            notices[notice.id] = stored.id
        for n, link in enumerate((LINK_UNANSWERED, LINK_ANSWERED)):
            session.add(
                MessageSurvey(
                    message_id=by_sample[link.message_id],
                    token_hash=f"{n:064x}",
                    issued_at=link.issued_at,
                    answered_at=link.answered_at,
                    answer_received=link.answer_received,
                    quality=link.quality,
                    comment=link.comment,
                )
            )
    return MessageIds(messages, attachments, notices)


def write_story_messages(engine: Engine, story: StoryIds) -> MessageIds:
    """The messages for the story's client record (``write_story(..., client=True)``)."""
    with session_scope(engine) as session:
        client = session.exec(select(Client).where(col(Client.phone_e164) == PHONE)).one()
        assert client.id is not None
        client_id = client.id
    staff = {OPERATOR.internal_number: story.operator, EXPERT.internal_number: story.expert}
    return write_messages(engine, client_id, staff)


def _message(session: Session, record: MessageRecord, client_id: int, staff: dict[str, int]) -> int:
    def employee(person: Staff | None) -> int | None:
        return staff[person.internal_number] if person is not None else None

    row = WrittenMessage(
        number=record.number,
        received_at=record.received_at,
        intake=record.intake,
        client_id=client_id,
        sender_name=record.sender_name,
        sender_email=record.sender_email,
        sender_phone=record.sender_phone,
        sender_address=record.sender_address,
        subject=record.subject,
        body=record.body,
        email_message_id=record.email_message_id,
        form_key=record.form_key,
        consent=record.consent,
        topic=record.topic,
        need=record.need,
        classified_by_id=employee(record.classified_by),
        urgent=record.urgent,
        urgency_note=record.urgency_note,
        primary_due=record.primary_due,
        answer_due=record.answer_due,
        abuse=record.abuse,
        abuse_words=record.abuse_words,
        abuse_notice_due=record.abuse_notice_due,
        status=record.status,
        owner_id=employee(record.owner),
        registered_by=record.registered_by,
        closed_at=record.closed_at,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id
