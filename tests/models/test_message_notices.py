"""Sending notices about written messages (W5–W7, W10–W12, G1–G2) through a real SMTP server
on loopback: what the server received, the rows kept per channel, the message's state after,
failures kept for a resend, a form sent twice, what may not be sent."""

from __future__ import annotations

import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from mail.notice_mail import notice_mailer
from models.db import session_scope
from models.message_notices import (
    STUCK_AFTER,
    NoticeRequest,
    Refused,
    Sending,
    resend_notice,
    send_notice,
)
from models.notice_templates import SURVEY_MARK
from models.settings import Settings
from models.survey_links import SURVEY_PATH, find_survey
from models.tables import (
    AbuseCheck,
    Channel,
    MessageIntake,
    MessageNotice,
    MessageStatus,
    MessageSurvey,
    NoticeKind,
    NoticeState,
    WrittenMessage,
)
from tests.notice_samples import (
    ADDRESS,
    EMAIL,
    FROM,
    PHONE,
    PUBLIC_URL,
    add_message,
    load_kb,
    notice_settings,
)
from tests.smtp_outbox import Outbox, ThreadedSmtp

NOW = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
NUMBER = "ПО-2026-000042"
PRIMARY_TEXT = (
    "Уважаемая Марьям Алиевна!\nВаше обращение зарегистрировано под № ПО-2026-000042. "
    "Ответ по существу — до 11 января 2027 г.\n\nОцените, пожалуйста: [ссылка на опрос]"
)
ANSWER_TEXT = (
    "Уважаемая Марьям Алиевна!\nСубсидию на модернизацию можно получить по итогам отбора: "
    "заявка подаётся через портал ГИСП до 1 марта.\n\nОцените наш ответ: [ссылка на опрос]"
)


@pytest.fixture
def engine(db_engine: Engine) -> Engine:
    load_kb(db_engine)
    return db_engine


@pytest.fixture
def settings(engine: Engine, smtp: ThreadedSmtp) -> Settings:
    return notice_settings(engine, smtp.port)


def _send(
    engine: Engine,
    settings: Settings,
    kind: NoticeKind,
    body: str,
    *,
    number: str = NUMBER,
    form_key: str | None = None,
    at: datetime = NOW,
    **choice: str,
) -> Sending | Refused:
    request = NoticeRequest(
        number=number,
        kind=kind,
        body=body,
        form_key=form_key or secrets.token_urlsafe(24),
        by="expert",
        **choice,
    )
    return send_notice(engine, settings, notice_mailer(settings), request, at)


def _resend(
    engine: Engine, settings: Settings, notice_id: int, by: str, at: datetime
) -> Sending | Refused:
    return resend_notice(
        engine, settings, notice_mailer(settings), number=NUMBER, notice_id=notice_id, by=by, now=at
    )


def _sent(result: Sending | Refused) -> Sending:
    assert isinstance(result, Sending), result
    return result


def _refused(result: Sending | Refused) -> str:
    assert isinstance(result, Refused), result
    return result.reason


def _rows(sending: Sending) -> dict[Channel, tuple[str, NoticeState, str]]:
    return {n.channel: (n.to_address, n.state, n.error) for n in sending.notices}


def _message(engine: Engine, number: str = NUMBER) -> WrittenMessage:
    with session_scope(engine) as session:
        return session.exec(select(WrittenMessage).where(WrittenMessage.number == number)).one()


def _stored(engine: Engine) -> list[MessageNotice]:
    with session_scope(engine) as session:
        return list(session.exec(select(MessageNotice).order_by(col(MessageNotice.id))).all())


def _link(text: str) -> str:
    prefix = f"{PUBLIC_URL}{SURVEY_PATH}/"
    start = text.index(prefix)
    return text[start:].split()[0]


def test_primary_answer_goes_by_email_and_post_with_a_working_survey_link(  # W6, G1, W11
    engine: Engine, settings: Settings, outbox: Outbox
) -> None:
    add_message(engine, NUMBER, intake=MessageIntake.PAPER, chosen=Channel.EMAIL)
    sending = _sent(_send(engine, settings, NoticeKind.PRIMARY, PRIMARY_TEXT))
    # One row per channel: the chosen e-mail went out, the paper letter's post is printed.
    assert _rows(sending) == {
        Channel.EMAIL: (EMAIL, NoticeState.SENT, ""),
        Channel.POST: (ADDRESS, NoticeState.TO_PRINT, ""),
    }
    [envelope] = outbox.envelopes
    assert envelope.rcpt_tos == [EMAIL]
    letter = outbox.received()
    assert letter["To"] == EMAIL
    assert letter["From"] == FROM
    assert letter["Subject"] == f"Ваше обращение № {NUMBER} зарегистрировано"
    body = letter.get_body()
    assert body is not None
    assert body.get_content_charset() == "utf-8"
    text = body.get_content().replace("\r\n", "\n")
    link = _link(text)
    assert text == PRIMARY_TEXT.replace(SURVEY_MARK, link) + "\n"  # the Russian text intact
    with session_scope(engine) as session:
        survey = find_survey(session, link.rsplit("/", 1)[1])
        assert survey is not None
        assert survey.message_id == _message(engine).id
    # The database keeps the text with the mark, never the working link.
    assert all(row.body == PRIMARY_TEXT for row in _stored(engine))
    assert link not in str([row.body for row in _stored(engine)])
    message = _message(engine)
    assert message.status is MessageStatus.ACKNOWLEDGED
    assert message.closed_at is None


def test_the_substantive_answer_closes_the_message_and_carries_the_link(  # W11, W12
    engine: Engine, settings: Settings, outbox: Outbox
) -> None:
    add_message(
        engine,
        NUMBER,
        intake=MessageIntake.EMAIL,
        chosen=Channel.PHONE,
        extra=Channel.SMS,
        client_phone=PHONE,
        status=MessageStatus.ACKNOWLEDGED,
    )
    later = NOW + timedelta(days=10)
    sending = _sent(_send(engine, settings, NoticeKind.ANSWER, ANSWER_TEXT, at=later))
    # G1 the phone (a person calls), W11 the mail it came by, G2 the SMS duplicate.
    assert _rows(sending) == {
        Channel.PHONE: (PHONE, NoticeState.TO_CALL, ""),
        Channel.EMAIL: (EMAIL, NoticeState.SENT, ""),
        Channel.SMS: (PHONE, NoticeState.TO_DELIVER, ""),
    }
    assert [n.channel for n in sending.notices] == [Channel.PHONE, Channel.EMAIL, Channel.SMS]
    letter = outbox.received()
    assert letter["Subject"] == f"Ответ на обращение № {NUMBER}"
    body = letter.get_body()
    assert body is not None
    text = body.get_content()
    assert "заявка подаётся через портал ГИСП до 1 марта." in text
    assert _link(text).startswith(f"{PUBLIC_URL}{SURVEY_PATH}/")
    message = _message(engine)
    assert message.status is MessageStatus.ANSWERED
    assert message.closed_at == later


def test_survey_line_is_added_when_staff_removed_it(  # W12
    engine: Engine, settings: Settings, outbox: Outbox
) -> None:
    add_message(engine, NUMBER, intake=MessageIntake.EMAIL)
    _sent(_send(engine, settings, NoticeKind.ANSWER, "Ответ по существу: субсидия положена."))
    body = outbox.received().get_body()
    assert body is not None
    text = body.get_content()
    assert text.startswith("Ответ по существу: субсидия положена.\n\nПожалуйста, оцените")
    assert _link(text)


def test_headers_carry_none_of_the_senders_text(  # header injection
    engine: Engine, settings: Settings, outbox: Outbox
) -> None:
    add_message(
        engine,
        NUMBER,
        intake=MessageIntake.EMAIL,
        sender_name="Иван\r\nBcc: all@evil.example",
        subject="Тема\r\nBcc: all@evil.example",
    )
    _sent(
        _send(engine, settings, NoticeKind.PRIMARY, "Обращение зарегистрировано. [ссылка на опрос]")
    )
    [envelope] = outbox.envelopes
    assert envelope.rcpt_tos == [EMAIL]
    letter = outbox.received()
    assert sorted(letter.keys()) == sorted(
        [
            "From",
            "To",
            "Subject",
            "Date",
            "Message-ID",
            "Content-Type",
            "Content-Transfer-Encoding",
            "MIME-Version",
        ]
    )
    assert letter["Subject"] == f"Ваше обращение № {NUMBER} зарегистрировано"
    assert "evil" not in str(letter.items())


def test_a_refused_address_is_failed_with_the_reason_and_sent_again(
    engine: Engine, settings: Settings, outbox: Outbox
) -> None:
    add_message(engine, NUMBER, intake=MessageIntake.EMAIL)
    outbox.refuse.add(EMAIL)
    sending = _sent(_send(engine, settings, NoticeKind.PRIMARY, PRIMARY_TEXT))
    [failed] = sending.notices
    assert failed.state is NoticeState.FAILED
    assert failed.error.startswith("почтовый сервер не принял письмо: адрес получателя отклонён")
    assert outbox.envelopes == []
    assert failed.body == PRIMARY_TEXT  # nothing lost
    # Nothing went out: the primary answer is still owed.
    assert _message(engine).status is MessageStatus.REGISTERED

    outbox.refuse.clear()
    later = NOW + timedelta(hours=1)
    assert failed.id is not None
    again = _resend(engine, settings, failed.id, "supervisor", later)
    [resent] = _sent(again).notices
    assert (resent.id, resent.state, resent.error, resent.by, resent.at) == (
        failed.id,
        NoticeState.SENT,
        "",
        "supervisor",
        later,
    )
    body = outbox.received().get_body()
    assert body is not None
    assert _link(body.get_content())
    assert _message(engine).status is MessageStatus.ACKNOWLEDGED
    # Sent now: not again.
    twice = _resend(engine, settings, failed.id, "supervisor", later)
    assert "только письма по электронной почте, которые не ушли" in _refused(twice)
    assert len(outbox.envelopes) == 1


def test_no_outgoing_server_fails_the_email_and_says_so(  # G1
    engine: Engine, outbox: Outbox
) -> None:
    add_message(engine, NUMBER, intake=MessageIntake.PAPER, chosen=Channel.EMAIL)
    unconfigured = notice_settings(engine, None)
    sending = _sent(_send(engine, unconfigured, NoticeKind.PRIMARY, PRIMARY_TEXT))
    rows = _rows(sending)
    address, state, error = rows[Channel.EMAIL]
    assert (address, state) == (EMAIL, NoticeState.FAILED)
    assert "исходящая почта не настроена" in error
    assert rows[Channel.POST][1] is NoticeState.TO_PRINT
    # The letter for the post is with the office: the primary answer is on its way.
    assert _message(engine).status is MessageStatus.ACKNOWLEDGED


def test_the_same_form_sent_twice_sends_once(
    engine: Engine, settings: Settings, outbox: Outbox
) -> None:
    add_message(engine, NUMBER, intake=MessageIntake.EMAIL)
    key = secrets.token_urlsafe(24)
    first = _sent(_send(engine, settings, NoticeKind.PRIMARY, PRIMARY_TEXT, form_key=key))
    second = _sent(_send(engine, settings, NoticeKind.PRIMARY, PRIMARY_TEXT, form_key=key))
    assert second.duplicate
    assert [n.id for n in second.notices] == [n.id for n in first.notices]
    assert len(outbox.envelopes) == 1
    assert len(_stored(engine)) == 1
    with session_scope(engine) as session:
        assert len(session.exec(select(MessageSurvey)).all()) == 1


@pytest.mark.parametrize(
    ("status", "abuse", "kind", "reason"),
    [
        (
            MessageStatus.REGISTERED,
            AbuseCheck.SUSPECTED,
            NoticeKind.PRIMARY,
            "возможные оскорбления",
        ),
        (
            MessageStatus.REGISTERED,
            AbuseCheck.CONFIRMED,
            NoticeKind.ANSWER,
            "признано оскорбительным",
        ),
        (MessageStatus.REGISTERED, AbuseCheck.CLEAN, NoticeKind.ABUSE, "только после того"),
        (MessageStatus.ACKNOWLEDGED, AbuseCheck.CLEAN, NoticeKind.PRIMARY, "уже отправлен"),
        (MessageStatus.ANSWERED, AbuseCheck.CLEAN, NoticeKind.ANSWER, "Обращение закрыто"),
    ],
)
def test_a_notice_not_due_now_is_refused_and_nothing_sent(  # W5, W6
    engine: Engine,
    settings: Settings,
    outbox: Outbox,
    status: MessageStatus,
    abuse: AbuseCheck,
    kind: NoticeKind,
    reason: str,
) -> None:
    add_message(engine, NUMBER, intake=MessageIntake.EMAIL, status=status, abuse=abuse)
    assert reason in _refused(_send(engine, settings, kind, "Текст уведомления."))
    assert outbox.envelopes == []
    assert _stored(engine) == []
    assert _message(engine).status is status


def test_the_abuse_notice_closes_the_message_without_a_survey(  # W5
    engine: Engine, settings: Settings, outbox: Outbox
) -> None:
    add_message(engine, NUMBER, intake=MessageIntake.EMAIL, abuse=AbuseCheck.CONFIRMED)
    text = "Такое поведение недопустимо, обращение не рассмотрено по существу."
    _sent(_send(engine, settings, NoticeKind.ABUSE, text))
    body = outbox.received().get_body()
    assert body is not None
    assert body.get_content() == text + "\n"
    message = _message(engine)
    assert (message.status, message.closed_at) == (MessageStatus.ABUSIVE, NOW)
    with session_scope(engine) as session:
        assert session.exec(select(MessageSurvey)).all() == []


def test_a_redirect_needs_an_agency_of_the_directory(  # W7
    engine: Engine, settings: Settings, outbox: Outbox
) -> None:
    add_message(engine, NUMBER, intake=MessageIntake.EMAIL)
    text = "Обращение направлено в Роспотребнадзор."
    assert "Выберите ведомство" in _refused(_send(engine, settings, NoticeKind.REDIRECT, text))
    assert "Выберите ведомство" in _refused(
        _send(engine, settings, NoticeKind.REDIRECT, text, agency_id="messages-terms")
    )
    _sent(_send(engine, settings, NoticeKind.REDIRECT, text, agency_id="agency-rospotrebnadzor"))
    assert outbox.received()["Subject"] == f"Обращение № {NUMBER} направлено в компетентный орган"
    assert _message(engine).status is MessageStatus.REDIRECTED


def test_a_refusal_needs_grounds_from_the_kb_and_carries_the_survey(  # W10, W12
    engine: Engine, settings: Settings, outbox: Outbox
) -> None:
    add_message(engine, NUMBER, intake=MessageIntake.EMAIL)
    text = "Лицензию не продлили: заявление поступило после окончания срока лицензии."
    refused = _send(
        engine, settings, NoticeKind.REFUSAL, text, refusal_id="messages-refusal-insults"
    )
    assert "основание отказа" in _refused(refused)
    _sent(_send(engine, settings, NoticeKind.REFUSAL, text, refusal_id="alco-refusal-extend"))
    body = outbox.received().get_body()
    assert body is not None
    assert _link(body.get_content())
    message = _message(engine)
    assert (message.status, message.closed_at) == (MessageStatus.REFUSED, NOW)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("   ", "Текст уведомления пуст."),
        ("Ответ: … [ссылка на опрос]", "незаполненные места: «…»"),
        ("Уважаемый(ая) [имя заявителя]! [ссылка на опрос]", "«[имя заявителя]»"),
        ("x" * 20_001, "не длиннее 20000 символов"),
    ],
)
def test_a_text_not_ready_is_refused(
    engine: Engine, settings: Settings, outbox: Outbox, body: str, reason: str
) -> None:
    add_message(engine, NUMBER, intake=MessageIntake.EMAIL)
    assert reason in _refused(_send(engine, settings, NoticeKind.PRIMARY, body))
    assert outbox.envelopes == []
    assert _stored(engine) == []


def test_a_channel_without_an_address_is_recorded_as_not_sent(  # G1–G2
    engine: Engine, settings: Settings, outbox: Outbox
) -> None:
    add_message(engine, NUMBER, intake=MessageIntake.EMAIL, chosen=Channel.SMS)  # no phone
    sending = _sent(_send(engine, settings, NoticeKind.PRIMARY, PRIMARY_TEXT))
    assert _rows(sending) == {
        Channel.SMS: (
            "",
            NoticeState.FAILED,
            "не отправлено: клиент не оставил номера телефона для SMS",
        ),
        Channel.EMAIL: (EMAIL, NoticeState.SENT, ""),
    }
    assert len(outbox.envelopes) == 1


def test_nowhere_to_send_is_refused(engine: Engine, settings: Settings) -> None:
    add_message(
        engine, NUMBER, intake=MessageIntake.PHONE, chosen=None, sender_email="", sender_address=""
    )
    assert "некуда отправить" in _refused(_send(engine, settings, NoticeKind.PRIMARY, PRIMARY_TEXT))


def test_an_unknown_message_or_a_stale_form_is_refused(engine: Engine, settings: Settings) -> None:
    refused = _send(engine, settings, NoticeKind.PRIMARY, PRIMARY_TEXT, number="ПО-2026-999999")
    assert isinstance(refused, Refused)
    assert refused.not_found
    add_message(engine, NUMBER, intake=MessageIntake.EMAIL)
    assert "Форма устарела" in _refused(
        _send(engine, settings, NoticeKind.PRIMARY, PRIMARY_TEXT, form_key="short")
    )


def test_a_letter_still_at_the_server_holds_other_sendings_until_it_is_stuck(
    engine: Engine, settings: Settings, outbox: Outbox
) -> None:
    message_id = add_message(engine, NUMBER, intake=MessageIntake.EMAIL)
    with session_scope(engine) as session:  # a sending that died after handing the letter
        session.add(
            MessageNotice(
                message_id=message_id,
                kind=NoticeKind.PRIMARY,
                channel=Channel.EMAIL,
                to_address=EMAIL,
                subject="s",
                body=PRIMARY_TEXT,
                state=NoticeState.SENDING,
                at=NOW,
                by="expert",
            )
        )
    soon = NOW + STUCK_AFTER - timedelta(seconds=1)
    busy = _send(engine, settings, NoticeKind.ANSWER, ANSWER_TEXT, at=soon)
    assert "сейчас отправляется другое уведомление" in _refused(busy)
    [stuck] = _stored(engine)
    assert stuck.id is not None
    early = _resend(engine, settings, stuck.id, "expert", soon)
    assert isinstance(early, Refused)
    later = NOW + STUCK_AFTER
    _sent(_resend(engine, settings, stuck.id, "expert", later))
    assert len(outbox.envelopes) == 1
    assert _message(engine).status is MessageStatus.ACKNOWLEDGED


def test_the_same_form_sent_twice_at_once_sends_once(
    engine: Engine, settings: Settings, outbox: Outbox
) -> None:
    add_message(engine, NUMBER, intake=MessageIntake.EMAIL)
    key = secrets.token_urlsafe(24)
    start = threading.Barrier(2)

    def submit() -> Sending | Refused:
        start.wait()
        return _send(engine, settings, NoticeKind.PRIMARY, PRIMARY_TEXT, form_key=key)

    with ThreadPoolExecutor(2) as pool:
        results = [f.result() for f in [pool.submit(submit), pool.submit(submit)]]
    assert sorted(_sent(r).duplicate for r in results) == [False, True]
    assert len(outbox.envelopes) == 1
    assert len(_stored(engine)) == 1
