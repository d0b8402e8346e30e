"""The texts of notices about written messages, prefilled from the shipped knowledge base
(W5–W7, W10–W12): what is filled in, what is left for staff, where the survey link goes."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from models.db import session_scope
from models.kb_agencies import load_agency
from models.message_notices import message_routes
from models.notice_templates import (
    BLANKS,
    KB_BLANK,
    SURVEY_KINDS,
    SURVEY_MARK,
    TEMPLATE_ENTRIES,
    NoticeText,
    letter_of,
    notice_subject,
    notice_text,
    refusal_templates,
    template_entry,
    unfilled,
    with_survey_link,
    with_survey_mark,
)
from models.tables import Channel, Client, MessageIntake, NoticeKind, WrittenMessage
from models.text_slots import placeholders
from models.topics import Topic
from tests.notice_samples import NAME, add_message, load_kb, shipped_kb

MSK = ZoneInfo("Europe/Moscow")
NUMBER = "ПО-2026-000042"


@pytest.fixture
def engine(db_engine: Engine) -> Engine:
    load_kb(db_engine)
    return db_engine


def _text(
    engine: Engine,
    kind: NoticeKind,
    *,
    refusal_id: str = "",
    agency_id: str = "",
    number: str = NUMBER,
    **message: Any,
) -> NoticeText:
    add_message(engine, number, **message)
    with session_scope(engine) as session:
        found = session.exec(select(WrittenMessage).where(WrittenMessage.number == number)).one()
        client = session.get(Client, found.client_id) if found.client_id else None
        return notice_text(
            kind=kind,
            entry=template_entry(session, kind, refusal_id),
            message=found,
            client=client,
            routes=message_routes(found, client),
            agency=load_agency(session, agency_id) if agency_id else None,
            tz=MSK,
        )


def test_primary_answer_says_registered_number_dates_channels_and_leaves_the_link(  # W6
    engine: Engine,
) -> None:
    text = _text(engine, NoticeKind.PRIMARY)  # chose e-mail, wrote on paper
    assert text.entry_id == "messages-template-primary"
    assert text.body.startswith(f"Уважаемый(ая) {NAME}!\nВаше обращение от 3 декабря 2026 г.")
    assert f"зарегистрировано под № {NUMBER}." in text.body
    # The answer's deadline, by the chosen channel and the law's (G1, W11).
    assert "до 11 января 2027 г. по электронной почте и почтой." in text.body
    assert text.body.endswith(f"направлении обращения: {SURVEY_MARK}")
    assert text.subject == f"Ваше обращение № {NUMBER} зарегистрировано"
    assert unfilled(NoticeKind.PRIMARY, text.body) == []  # ready to send as it is


def test_a_nameless_sender_is_greeted_without_a_name(engine: Engine) -> None:
    text = _text(engine, NoticeKind.PRIMARY, chosen=None, sender_name="")
    assert text.body.startswith("Здравствуйте!\nВаше обращение от 3 декабря 2026 г.")
    assert "[имя" not in text.body


def test_abuse_notice_names_the_message_and_carries_no_survey(engine: Engine) -> None:  # W5
    text = _text(engine, NoticeKind.ABUSE)
    assert text.entry_id == "messages-refusal-insults"
    assert f"Ваше обращение от 3 декабря 2026 г. № {NUMBER} получено" in text.body
    assert "Такое поведение недопустимо" in text.body
    assert "Оператору" not in text.body  # the staff's guidance is not part of the letter
    assert SURVEY_MARK not in text.body
    assert unfilled(NoticeKind.ABUSE, text.body) == []


def test_redirect_names_the_agency_and_its_contacts(engine: Engine) -> None:  # W7
    text = _text(engine, NoticeKind.REDIRECT, agency_id="agency-rospotrebnadzor")
    assert "Роспотребнадзор — Управление по Республике Дагестан." in text.body
    assert "Контакты ведомства: " in text.body
    assert "[ведомство]" not in text.body
    without = _text(engine, NoticeKind.REDIRECT, number="ПО-2026-000043")
    assert "[ведомство]" in unfilled(NoticeKind.REDIRECT, without.body)


def test_refusal_is_the_chosen_grounds_in_a_letter_with_the_survey(engine: Engine) -> None:  # W10
    text = _text(engine, NoticeKind.REFUSAL, refusal_id="alco-refusal-extend")
    opening = f"Уважаемый(ая) {NAME}!\nВаше обращение от 3 декабря 2026 г. № {NUMBER} рассмотрено."
    assert text.body.startswith(opening + "\n\nЛицензию не продлили")  # no second address
    assert "Не называйте причину наугад" not in text.body  # guidance for staff stays out
    assert text.body.endswith(SURVEY_MARK)  # W12: a refusal is the answer on the merits
    # The KB leaves the reason to staff: not ready until they fill it in.
    assert unfilled(NoticeKind.REFUSAL, text.body) == [KB_BLANK]


def test_refusal_choices_are_the_kbs_refusals_the_messages_topic_first(engine: Engine) -> None:
    with session_scope(engine) as session:
        ids = [t.entry_id for t in refusal_templates(session, Topic.SUPPORT_MEASURES.value)]
        assert ids[0] == "industry-refusal-selection"
        assert "messages-refusal-repeat" in ids
        assert TEMPLATE_ENTRIES[NoticeKind.ABUSE] not in ids  # a kind of its own
        assert template_entry(session, NoticeKind.REFUSAL, "messages-template-primary") is None
        assert template_entry(session, NoticeKind.REFUSAL, "messages-refusal-insults") is None


def test_answer_leaves_its_substance_to_staff_and_ends_with_the_survey(engine: Engine) -> None:
    text = _text(engine, NoticeKind.ANSWER, intake=MessageIntake.EMAIL)
    assert text.entry_id == "ministry-template-general-answer"
    assert text.body.startswith(f"Уважаемый(ая) {NAME}!\nНа Ваше обращение от 3 декабря 2026 г.")
    assert "Подтвердите вопрос" not in text.body  # the call's structure stays out
    assert text.body.endswith(f"взаимодействием с Министерством: {SURVEY_MARK}")  # W12
    assert unfilled(NoticeKind.ANSWER, text.body) == [KB_BLANK]


def test_without_its_kb_entry_the_letter_is_a_frame_to_write(engine: Engine) -> None:
    text = _text(engine, NoticeKind.REFUSAL)  # no grounds chosen
    assert text.entry_id == ""
    assert f"По Вашему обращению от 3 декабря 2026 г. № {NUMBER} сообщаем: …" in text.body
    assert text.body.endswith(SURVEY_MARK)


def test_channels_without_an_address_are_not_promised(engine: Engine) -> None:  # G1–G2
    text = _text(engine, NoticeKind.PRIMARY, chosen=Channel.SMS, extra=Channel.PORTAL)
    # SMS chosen but no phone: only the post (the law's) and the portal are promised.
    assert "SMS" not in text.body
    assert "почтой и в личный кабинет на портале Госуслуг." in text.body


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Вступление.\n\n«Письмо «с кавычками» внутри».\n\nПримечание.",
            "Письмо «с кавычками» внутри",
        ),
        ("Пример: «не с начала строки».\n«Это письмо»", "Это письмо"),
        ("Без кавычек вовсе.", "Без кавычек вовсе."),
        ("«Незакрытое письмо", "Незакрытое письмо"),
    ],
)
def test_the_letter_is_the_first_quote_that_starts_a_line(body: str, expected: str) -> None:
    assert letter_of(body) == expected


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        (NoticeKind.ANSWER, f"Ответ. {SURVEY_MARK}", []),
        (NoticeKind.ABUSE, f"Ответ. {SURVEY_MARK}", [SURVEY_MARK]),  # no survey in it
        (NoticeKind.REDIRECT, "Направлено в [ведомство], контакты …", ["[ведомство]", "…"]),
        (NoticeKind.PRIMARY, "Уважаемый(ая) {caller_name}!", ["{caller_name}"]),
        (NoticeKind.PRIMARY, "Ответ будет до 11 января… то есть скоро...", ["…"]),
        (NoticeKind.PRIMARY, "Фигурные {скобки} и [квадратные] — текст", []),
    ],
)
def test_unfilled_blanks(kind: NoticeKind, text: str, expected: list[str]) -> None:
    assert unfilled(kind, text) == expected


def test_the_survey_line_comes_back_when_staff_took_it_out() -> None:  # W12
    assert with_survey_mark(f"Текст {SURVEY_MARK}") == f"Текст {SURVEY_MARK}"
    marked = with_survey_mark("Ответ по существу.\n")
    assert marked.startswith("Ответ по существу.\n\nПожалуйста, оцените")
    assert marked.endswith(SURVEY_MARK)
    link = "https://obr.example.ru/public/survey/abc"
    assert with_survey_link("Ответ.", link).endswith(f"Министерством: {link}")


def test_the_subject_is_ours_alone() -> None:
    for kind in NoticeKind:
        subject = notice_subject(kind, NUMBER)
        assert NUMBER in subject
        assert "\n" not in subject
        assert "\r" not in subject


def test_kb_templates_use_only_the_slots_notices_fill() -> None:
    entries = {entry.id: entry for entry in shipped_kb().entries}
    used = [entries[entry_id] for entry_id in TEMPLATE_ENTRIES.values()]
    used += [entry for entry in shipped_kb().entries if entry.kind.value == "refusal"]
    for entry in used:
        assert placeholders(letter_of(entry.body)) <= set(BLANKS), entry.id
    for kind in SURVEY_KINDS - {NoticeKind.REFUSAL}:
        assert "{survey_link}" in letter_of(entries[TEMPLATE_ENTRIES[kind]].body), kind
