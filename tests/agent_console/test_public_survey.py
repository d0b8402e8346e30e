"""The survey page of a written message (W12): opened by the link of the final notice without
signing in, it names the message by number and date only, takes both answers and a comment once
— a second submission, even at the same moment, changes nothing — and answers an unknown link,
a missing answer, a long comment and a flood with clear Russian pages."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.engine import Engine
from sqlmodel import select

from agent_console.auth.form_tokens import issue
from agent_console.auth.rules import FORM_FORGED
from agent_console.public_limits import SURVEY_PER_CLIENT
from agent_console.public_survey_form import NO_QUALITY, NO_RECEIVED
from agent_console.routes.public_survey import NOT_FOUND, TOO_MANY
from models.db import session_scope
from models.message_store import MessageDraft, register_message
from models.rules.survey import AnswerReceived, QualityRating
from models.survey_answers import COMMENT_MAX
from models.survey_links import SURVEY_PATH, issue_survey_link
from models.tables import MessageIntake, MessageSurvey
from tests.agent_console.console import Clock, Console, form_token
from tests.db_locks import waiting_writers, write_locked

# Thursday 12 March 2026, 23:30 in Moscow: the message's date is the line's, not UTC's.
RECEIVED = datetime(2026, 3, 12, 20, 30, tzinfo=UTC)
NOW = datetime(2026, 4, 2, 7, 0, tzinfo=UTC)
GOOD = {"received": "yes", "quality": "partly_satisfied", "comment": "Ответили быстро."}
SENDER = {"name": "Анна Секретова", "email": "anna.sekretova@example.ru", "phone": "+79281234567"}
WAIT_S = 10.0
_CHECKED = re.compile(r'name="(\w+)" value="(\w+)" checked')


@pytest.fixture
def console(db_engine: Engine) -> Console:
    return Console(db_engine, Clock(NOW))


def issue_link(console: Console) -> str:
    """A registered message's survey link, as the final notice carries it (its path)."""
    draft = MessageDraft(
        intake=MessageIntake.WEB,
        received_at=RECEIVED,
        registered_by="web",
        sender_name=SENDER["name"],
        sender_email=SENDER["email"],
        sender_phone=SENDER["phone"],
        subject="Лицензия",
        body="Прошу сообщить сроки.",
    )
    registered = register_message(console.engine, console.settings, draft)
    with session_scope(console.engine) as session:
        link = issue_survey_link(session, console.settings, registered.id, NOW)
    return link.removeprefix(console.settings.public_base)


@pytest.fixture
def link(console: Console) -> str:
    return issue_link(console)


def answer(browser: TestClient, link: str, fields: dict[str, str], token: str = "") -> Response:
    token = token or form_token(browser.get(link))
    return browser.post(link, data=fields | {"csrf_token": token})


def surveys(engine: Engine) -> list[MessageSurvey]:
    with session_scope(engine) as session:
        return list(session.exec(select(MessageSurvey).order_by(MessageSurvey.id)).all())


def checked(response: Response) -> dict[str, str]:
    return dict(_CHECKED.findall(response.text))


def test_the_link_opens_the_survey_naming_the_message_by_number_and_date_only(
    console: Console, link: str
) -> None:  # W12
    page = console.browser().get(link)
    assert page.status_code == 200
    assert 'id="survey-number">ПО-2026-000001<' in page.text
    assert 'id="survey-date">12.03.2026<' in page.text  # 23:30 in Moscow, 20:30 UTC
    assert "Получен ли ответ на Ваш вопрос? *" in page.text
    assert "Оцените качество работы с Вашим обращением *" in page.text
    options = re.findall(r'type="radio" name="(\w+)" value="(\w+)"', page.text)
    assert options == [
        ("received", "yes"),
        ("received", "no"),
        ("quality", "satisfied"),
        ("quality", "partly_satisfied"),
        ("quality", "not_satisfied"),
    ]
    assert checked(page) == {}
    assert f"до {COMMENT_MAX} знаков" in page.text
    for personal in (*SENDER.values(), "Секретова", "Лицензия", "Прошу сообщить"):
        assert personal not in page.text
    assert "<script" not in page.text  # works without JavaScript
    assert "topbar__menu" not in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"


def test_the_answers_are_stored_once_with_the_comment(console: Console, link: str) -> None:  # W12
    response = answer(console.browser(), link, GOOD | {"comment": "  Спасибо!\r\nВсё ясно.\x00 "})
    assert response.status_code == 200
    assert "Спасибо, Ваш ответ получен." in response.text
    assert "уже" not in response.text
    [survey] = surveys(console.engine)
    assert survey.answered_at == NOW
    assert survey.answer_received is AnswerReceived.YES
    assert survey.quality is QualityRating.PARTLY_SATISFIED
    assert survey.comment == "Спасибо!\nВсё ясно."  # line ends as LF, control characters gone


def test_a_second_submission_changes_nothing(console: Console, link: str) -> None:  # W12
    browser, tab = console.browser(), console.browser()
    token = form_token(browser.get(link))
    tab_token = form_token(tab.get(link))  # another tab, opened before the answer
    assert answer(browser, link, GOOD, token).status_code == 200
    console.clock.advance(minutes=5)
    other = {"received": "no", "quality": "not_satisfied", "comment": "Передумал."}
    for again in (
        answer(browser, link, GOOD, token),  # a double click, a reload of the POST
        answer(tab, link, other, tab_token),
    ):
        assert again.status_code == 200
        assert "Спасибо, Ваш ответ уже получен." in again.text
    [survey] = surveys(console.engine)
    assert (survey.answered_at, survey.answer_received, survey.comment) == (
        NOW,
        AnswerReceived.YES,
        GOOD["comment"],
    )
    reopened = browser.get(link)
    assert "Спасибо, Ваш ответ уже получен." in reopened.text
    assert "<form" not in reopened.text


def test_each_link_is_answered_on_its_own(console: Console, link: str) -> None:
    second = issue_link(console)  # another message, another notice
    assert answer(console.browser(), link, GOOD).status_code == 200
    assert "<form" in console.browser().get(second).text
    assert [s.answered_at for s in surveys(console.engine)] == [NOW, None]


@pytest.mark.parametrize(
    "path",
    [
        f"{SURVEY_PATH}/{'A' * 32}",  # the shape of a token, but nobody's
        f"{SURVEY_PATH}/abc",
        f"{SURVEY_PATH}/",
        f"{SURVEY_PATH}/a/b/../c",
        f"{SURVEY_PATH}/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ],
)
def test_a_link_that_names_no_survey_gets_a_clear_404_page(
    console: Console, link: str, path: str
) -> None:  # W12
    browser = console.browser()
    for response in (
        browser.get(path),
        browser.post(path, data=GOOD | {"csrf_token": form_token(browser.get(link))}),
    ):
        assert response.status_code == 404
        assert NOT_FOUND in response.text
        assert "<script>" not in response.text
        assert "/sign-in" not in response.text
    assert surveys(console.engine)[0].answered_at is None


def test_a_truncated_link_names_no_survey(console: Console, link: str) -> None:
    assert console.browser().get(link[:-1]).status_code == 404


@pytest.mark.parametrize(
    ("missing", "error", "kept"),
    [
        ("received", NO_RECEIVED, {"quality": "partly_satisfied"}),
        ("quality", NO_QUALITY, {"received": "yes"}),
    ],
)
def test_a_missing_answer_gets_the_form_back_with_the_rest_kept(
    console: Console, link: str, missing: str, error: str, kept: dict[str, str]
) -> None:  # W12
    response = answer(console.browser(), link, {k: v for k, v in GOOD.items() if k != missing})
    assert response.status_code == 422
    assert "Ответ не отправлен" in response.text
    assert f'id="field-{missing}-error">{error}<' in response.text
    assert checked(response) == kept
    assert ">Ответили быстро.</textarea>" in response.text
    assert surveys(console.engine)[0].answered_at is None


def test_an_answer_that_is_none_of_the_options_counts_as_missing(
    console: Console, link: str
) -> None:
    response = answer(console.browser(), link, GOOD | {"received": "maybe", "quality": ""})
    assert response.status_code == 422
    assert NO_RECEIVED in response.text
    assert NO_QUALITY in response.text
    assert checked(response) == {}


def test_the_form_sent_again_after_an_error_is_stored(console: Console, link: str) -> None:
    browser = console.browser()
    refused = answer(browser, link, {"quality": "satisfied"})
    assert refused.status_code == 422
    assert answer(browser, link, GOOD, form_token(refused)).status_code == 200
    assert surveys(console.engine)[0].quality is QualityRating.PARTLY_SATISFIED


def test_an_over_long_comment_gets_the_form_back_with_every_word_kept(
    console: Console, link: str
) -> None:  # W12
    long = "я" * (COMMENT_MAX + 1)
    response = answer(console.browser(), link, GOOD | {"comment": long})
    assert response.status_code == 422
    assert (
        f'id="field-comment-error">Слишком длинно: не больше {COMMENT_MAX} знаков '
        f"(сейчас {COMMENT_MAX + 1})."
    ) in response.text
    assert f">{long}</textarea>" in response.text
    assert checked(response) == {"received": "yes", "quality": "partly_satisfied"}
    assert surveys(console.engine)[0].answered_at is None
    exact = answer(console.browser(), link, GOOD | {"comment": "я" * COMMENT_MAX})
    assert exact.status_code == 200
    assert surveys(console.engine)[0].comment == "я" * COMMENT_MAX


def test_html_in_the_comment_is_shown_escaped(console: Console, link: str) -> None:
    script = '<script>alert("x")</script>'
    response = answer(console.browser(), link, {"comment": script})
    assert response.status_code == 422
    assert "<script>" not in response.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in response.text


@pytest.mark.parametrize("token", ["", "1773298800.abc.not-a-signature"])
def test_a_form_not_from_the_page_is_refused_and_nothing_stored(
    console: Console, link: str, token: str
) -> None:
    response = console.browser().post(link, data=GOOD | {"csrf_token": token})
    assert response.status_code == 403
    assert FORM_FORGED in response.text
    assert f'href="{link}"' in response.text  # «Открыть форму заново»: the same link
    assert surveys(console.engine)[0].answered_at is None


def test_a_form_signed_with_another_key_is_refused(console: Console, link: str) -> None:
    forged = issue(b"another key", NOW)
    assert answer(console.browser(), link, GOOD, forged).status_code == 403


def test_over_the_hourly_limit_an_address_gets_429(console: Console, link: str) -> None:
    browser = console.browser()
    token = form_token(browser.get(link))
    for _ in range(SURVEY_PER_CLIENT):  # every answer sent counts, even a refused one
        assert answer(browser, link, {}, token).status_code == 422
    refused = answer(browser, link, GOOD, token)
    assert refused.status_code == 429
    assert TOO_MANY in refused.text
    assert refused.headers["retry-after"] == "3600"
    assert surveys(console.engine)[0].answered_at is None
    console.clock.advance(hours=1)  # the window has passed
    assert answer(browser, link, GOOD).status_code == 200


def test_the_overall_limit_stops_everyone(console: Console, link: str) -> None:
    console.app.state.context.public_surveys.overall = 1
    browser = console.browser()
    token = form_token(browser.get(link))
    assert answer(browser, link, {}, token).status_code == 422
    assert answer(browser, link, GOOD, token).status_code == 429


def test_two_submissions_at_the_same_moment_store_one_answer(
    console: Console, link: str
) -> None:  # W12
    """Both requests read the survey unanswered while a held lock keeps them from writing;
    released together, one stores its answers and the other must find the survey answered (a
    read-then-write would let both "succeed", the second overwriting the first)."""
    first = {"received": "yes", "quality": "satisfied", "comment": "Первая вкладка"}
    second = {"received": "no", "quality": "not_satisfied", "comment": "Вторая вкладка"}
    tabs = [(console.browser(), fields) for fields in (first, second)]
    tokens = [form_token(browser.get(link)) for browser, _ in tabs]
    engine = console.engine
    with ThreadPoolExecutor(max_workers=2) as pool:
        with write_locked(engine, "message_surveys"):
            sent = [
                pool.submit(answer, browser, link, fields, token)
                for (browser, fields), token in zip(tabs, tokens, strict=True)
            ]
            _until_both_wait(engine)
        responses = [future.result(timeout=WAIT_S) for future in sent]
    assert [response.status_code for response in responses] == [200, 200]
    thanked = ["уже получен" not in response.text for response in responses]
    assert sorted(thanked) == [False, True]  # one stored, one found it answered
    winner = (first, second)[thanked.index(True)]
    [survey] = surveys(engine)
    assert (survey.answer_received, survey.quality, survey.comment) == (
        AnswerReceived(winner["received"]),
        QualityRating(winner["quality"]),
        winner["comment"],
    )


def _until_both_wait(engine: Engine) -> None:
    """PostgreSQL: until both requests wait for the table's lock. SQLite cannot be asked who
    waits for its lock: the requests are given a moment to get there (were one late, it would
    only find the survey answered sooner)."""
    if engine.dialect.name != "postgresql":
        time.sleep(0.5)
        return
    deadline = time.monotonic() + WAIT_S
    while waiting_writers(engine, "message_surveys") < 2:
        assert time.monotonic() < deadline, "both answers should wait for the lock"
        time.sleep(0.01)
