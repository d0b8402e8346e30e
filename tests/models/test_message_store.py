"""Registering written messages (W2–W6, G1–G2): numbers, clients, deadlines, duplicates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.message_store import AttachmentDraft, MessageDraft, register_message
from models.settings import Settings
from models.tables import (
    AbuseCheck,
    Channel,
    Client,
    MessageAttachment,
    MessageIntake,
    WrittenMessage,
)

MSK = ZoneInfo("Europe/Moscow")
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=MSK)


def _settings(engine: Engine) -> Settings:
    return Settings(database_url=engine.url.render_as_string(hide_password=False))


def _draft(**fields: object) -> MessageDraft:
    values: dict[str, object] = {
        "intake": MessageIntake.EMAIL,
        "received_at": MONDAY,
        "registered_by": "mail",
        "sender_name": "Магомедов Ахмед",
        "sender_email": "Ahmed@Example.ru",
        "subject": "Лицензия на алкоголь",
        "body": "Прошу сообщить сроки рассмотрения заявления.",
    } | fields
    return MessageDraft(**values)  # type: ignore[arg-type]


def _messages(engine: Engine) -> list[WrittenMessage]:
    with Session(engine) as session:
        return list(session.exec(select(WrittenMessage).order_by(WrittenMessage.id)).all())


def test_a_message_is_numbered_in_its_year_with_its_deadlines(db_engine: Engine) -> None:
    settings = _settings(db_engine)
    first = register_message(db_engine, settings, _draft())
    second = register_message(db_engine, settings, _draft(sender_email="other@example.ru"))
    january = register_message(
        db_engine, settings, _draft(received_at=datetime(2027, 1, 11, 9, tzinfo=MSK))
    )
    assert (first.number, second.number, january.number) == (
        "ПО-2026-000001",
        "ПО-2026-000002",
        "ПО-2027-000001",
    )
    message = _messages(db_engine)[0]
    # W6: 3 working days from Mon 07.12.2026; 30 calendar days → 06.01.2027 (holiday) → 11.01
    assert (message.primary_due, message.answer_due) == (date(2026, 12, 10), date(2027, 1, 11))


def test_the_same_mail_delivered_twice_is_registered_once(db_engine: Engine) -> None:
    settings = _settings(db_engine)
    draft = _draft(email_message_id="<abc@mail.example.ru>")
    first = register_message(db_engine, settings, draft)
    again = register_message(db_engine, settings, draft)
    assert (again.number, again.duplicate, first.duplicate) == (first.number, True, False)
    assert len(_messages(db_engine)) == 1


def test_the_sender_is_found_by_email_then_by_phone_or_becomes_a_client(db_engine: Engine) -> None:
    # G1: a new sender's channel is the one they wrote by.
    settings = _settings(db_engine)
    register_message(db_engine, settings, _draft())
    register_message(db_engine, settings, _draft(sender_email="ahmed@example.ru"))
    register_message(
        db_engine,
        settings,
        _draft(
            intake=MessageIntake.PAPER,
            sender_email="",
            sender_phone="8 (928) 000-00-01",
            sender_address="г. Махачкала, ул. Ленина, 1",
        ),
    )
    with Session(db_engine) as session:
        clients = list(session.exec(select(Client).order_by(Client.id)).all())
    assert [(c.email, c.phone_e164, c.preferred_channel) for c in clients] == [
        ("ahmed@example.ru", None, Channel.EMAIL),
        (None, "+79280000001", Channel.POST),
    ]
    first, second, third = _messages(db_engine)
    assert first.client_id == second.client_id == clients[0].id
    assert third.client_id == clients[1].id


def test_an_anonymous_letter_has_no_client_and_is_still_registered(db_engine: Engine) -> None:
    registered = register_message(
        db_engine,
        _settings(db_engine),
        _draft(intake=MessageIntake.PAPER, sender_name="", sender_email="", body=""),
    )
    [message] = _messages(db_engine)
    assert (message.number, message.client_id, message.body) == (registered.number, None, "")


def test_caller_text_is_stored_cleaned_and_attachments_kept(db_engine: Engine) -> None:
    register_message(
        db_engine,
        _settings(db_engine),
        _draft(
            subject="Тема\r\nBcc: x@example.ru\u202e",
            body="Строка 1\nСтрока 2\x00\x07\tконец",
            attachments=(AttachmentDraft("скан.pdf", "application/pdf", b"%PDF-1.4 test"),),
        ),
    )
    [message] = _messages(db_engine)
    assert message.subject == "ТемаBcc: x@example.ru"
    assert message.body == "Строка 1\nСтрока 2\tконец"
    with Session(db_engine) as session:
        [attachment] = session.exec(select(MessageAttachment)).all()
    assert (attachment.filename, attachment.size, attachment.data) == (
        "скан.pdf",
        13,
        b"%PDF-1.4 test",
    )


def test_suspected_abuse_waits_for_a_person_with_the_notice_deadline_set(
    db_engine: Engine,
) -> None:
    # W5: flagged on registration, nothing sent; the notice is due in 5 working days
    # (from Mon 07.12.2026: Mon 14.12).
    register_message(
        db_engine, _settings(db_engine), _draft(body="Вы там все идиоты, ответа нет месяц!")
    )
    register_message(db_engine, _settings(db_engine), _draft(sender_email="b@example.ru"))
    flagged, clean = _messages(db_engine)
    assert (flagged.abuse, flagged.abuse_words, flagged.abuse_notice_due) == (
        AbuseCheck.SUSPECTED,
        "идиоты",
        date(2026, 12, 14),
    )
    assert (clean.abuse, clean.abuse_words, clean.abuse_notice_due) == (AbuseCheck.CLEAN, "", None)
