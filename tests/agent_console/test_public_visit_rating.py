"""The rating page of a personal visit (V13, V11): the link of the letter sent after the visit
opens the survey page without signing in; it names the visit by day, time and place only, in
English for an English booking, takes the answers once — again: «ответ уже получен» — and
answers an unknown link with 404, a missing answer with the form back (422) and the answers
kept, a flood with 429."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.engine import Engine
from sqlmodel import select

from agent_console.public_limits import SURVEY_PER_CLIENT
from agent_console.public_survey_form import VISIT_TEXTS_EN, VISIT_TEXTS_RU
from agent_console.routes.public_survey import NOT_FOUND, TOO_MANY
from models.db import session_scope
from models.rules.survey import AnswerReceived, QualityRating
from models.survey_links import SURVEY_PATH, issue_visit_survey_link
from models.tables import Language, VisitSurvey
from tests.agent_console.console import Clock, Console, form_token
from tests.visits.rating_samples import book_at, tuesday
from tests.visits.samples import load_examples

NOW = tuesday(13)
GOOD = {"received": "yes", "quality": "satisfied", "comment": "Всё объяснили."}
VISITOR = {"name": "Анна Секретова", "email": "anna@example.ru", "phone": "+79281234567"}
_CHECKED = re.compile(r'name="(\w+)" value="(\w+)" checked')


@pytest.fixture
def console(db_engine: Engine) -> Console:
    load_examples(db_engine)
    return Console(db_engine, Clock(NOW), public_url="https://line.example.ru")


def rating_link(console: Console, language: Language = Language.RU, hour: int = 10) -> str:
    """A visit's rating link, as the letter after the visit carries it (its path)."""
    booking = book_at(
        console.engine,
        console.settings,
        hour,
        email=VISITOR["email"],
        name=VISITOR["name"],
        phone=VISITOR["phone"],
        language=language,
    )
    assert booking.id is not None
    with session_scope(console.engine) as session:
        link = issue_visit_survey_link(session, console.settings, booking.id, NOW)
    return link.removeprefix(console.settings.public_base)


@pytest.fixture
def link(console: Console) -> str:
    return rating_link(console)


def answer(browser: TestClient, link: str, fields: dict[str, str], token: str = "") -> Response:
    token = token or form_token(browser.get(link))
    return browser.post(link, data=fields | {"csrf_token": token})


def ratings(engine: Engine) -> list[VisitSurvey]:
    with session_scope(engine) as session:
        return list(session.exec(select(VisitSurvey).order_by(VisitSurvey.id)).all())


def test_the_link_opens_the_rating_naming_the_visit_only(console: Console, link: str) -> None:
    page = console.browser().get(link)  # V13
    assert page.status_code == 200
    assert '<html lang="ru">' in page.text
    assert "Оценка личного приёма" in page.text
    assert 'id="survey-date">8 декабря 2026 г. (вторник), 10:00<' in page.text
    assert "Министерство промышленности и торговли Республики Дагестан" in page.text
    assert f"{VISIT_TEXTS_RU.received_question} *" in page.text
    assert f"{VISIT_TEXTS_RU.quality_question} *" in page.text
    assert "survey-number" not in page.text  # not a written message's
    for personal in (*VISITOR.values(), "Секретова"):
        assert personal not in page.text
    assert "<script" not in page.text
    assert page.headers["cache-control"] == "no-store"


def test_an_english_booking_gets_the_page_in_english(console: Console) -> None:  # V11, V13
    link = rating_link(console, Language.EN, hour=11)
    page = console.browser().get(link)
    assert '<html lang="en">' in page.text
    assert "Please rate your visit" in page.text
    assert 'id="survey-date">Tuesday, 8 December 2026, 11:00<' in page.text
    assert "Ministry of Industry and Trade of the Republic of Dagestan" in page.text
    assert VISIT_TEXTS_EN.received_question in page.text
    assert ">Send<" in page.text
    refused = answer(console.browser(), link, {"received": "no"})
    assert refused.status_code == 422
    assert VISIT_TEXTS_EN.no_quality in refused.text
    done = answer(console.browser(), link, GOOD)
    assert "Thank you, your answer has been received." in done.text


def test_the_rating_is_stored_once(console: Console, link: str) -> None:  # V13
    browser, tab = console.browser(), console.browser()
    token, tab_token = form_token(browser.get(link)), form_token(tab.get(link))
    first = answer(browser, link, GOOD, token)
    assert first.status_code == 200
    assert "Спасибо, Ваш ответ получен." in first.text
    assert "лучше принимать посетителей" in first.text
    console.clock.advance(minutes=5)
    again = answer(tab, link, {"received": "no", "quality": "not_satisfied"}, tab_token)
    assert again.status_code == 200
    assert "Спасибо, Ваш ответ уже получен." in again.text
    [rating] = ratings(console.engine)
    assert (rating.answered_at, rating.answer_received, rating.quality, rating.comment) == (
        NOW,
        AnswerReceived.YES,
        QualityRating.SATISFIED,
        GOOD["comment"],
    )
    assert rating.recorded_by == ""  # the visitor's own, by the link
    assert "<form" not in browser.get(link).text


@pytest.mark.parametrize("path", [f"{SURVEY_PATH}/{'B' * 32}", f"{SURVEY_PATH}/x"])
def test_an_unknown_link_gets_404(console: Console, link: str, path: str) -> None:  # V13
    response = console.browser().get(path)
    assert response.status_code == 404
    assert NOT_FOUND in response.text
    assert ratings(console.engine)[0].answered_at is None


def test_a_missing_answer_gets_the_form_back_with_the_answers_kept(
    console: Console, link: str
) -> None:  # V13
    response = answer(console.browser(), link, {"quality": "satisfied", "comment": "Хорошо."})
    assert response.status_code == 422
    assert f'id="field-received-error">{VISIT_TEXTS_RU.no_received}<' in response.text
    assert dict(_CHECKED.findall(response.text)) == {"quality": "satisfied"}
    assert ">Хорошо.</textarea>" in response.text
    assert ratings(console.engine)[0].answered_at is None


def test_over_the_hourly_limit_an_address_gets_429(console: Console, link: str) -> None:
    browser = console.browser()  # V13: the survey's limits hold for the visits' ratings
    token = form_token(browser.get(link))
    for _ in range(SURVEY_PER_CLIENT):
        assert answer(browser, link, {}, token).status_code == 422
    refused = answer(browser, link, GOOD, token)
    assert refused.status_code == 429
    assert TOO_MANY in refused.text
    assert ratings(console.engine)[0].answered_at is None
