"""The rating taken at the reception on the staff page ``/visits`` (V13): after the visit has
begun the employee records the visitor's answers, once; a visit not held is refused, and so is
a form without an answer."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from models.db import session_scope
from models.rules.survey import AnswerReceived, QualityRating
from models.settings import Settings
from models.tables import AuditEntry, Role, VisitSurvey
from tests.agent_console.console import Clock, Console, form_token
from tests.visits.rating_samples import book_at, tuesday
from tests.visits.samples import TUESDAY, load_examples
from visits.rating import ALREADY, NOT_HELD

DAY = {"day": TUESDAY.isoformat()}
GOOD = {"received": "no", "quality": "partly_satisfied", "comment": "Долго искал вход."}


@pytest.fixture
def console(db_engine: Engine) -> Console:
    load_examples(db_engine)
    console = Console(db_engine, Clock(tuesday(10, 20).astimezone(UTC)))
    console.add_user("operator", Role.OPERATOR)
    return console


def _ratings(engine: Engine) -> list[VisitSurvey]:
    with session_scope(engine) as session:
        return list(session.exec(select(VisitSurvey)).all())


def test_the_employee_records_the_visitors_rating_once(console: Console) -> None:  # V13
    booking = book_at(console.engine, Settings(), 10)
    browser = console.signed_in("operator")
    page = browser.get("/visits", params=DAY)
    assert f'action="/visits/{booking.id}/rating"' in page.text
    token = form_token(page)
    done = browser.post(f"/visits/{booking.id}/rating", data=GOOD | {"csrf_token": token})
    assert done.status_code == 303
    [rating] = _ratings(console.engine)
    assert (rating.answer_received, rating.quality, rating.comment) == (
        AnswerReceived.NO,
        QualityRating.PARTLY_SATISFIED,
        GOOD["comment"],
    )
    assert (rating.recorded_by, rating.token_hash) == ("web:operator", None)
    again = browser.post(f"/visits/{booking.id}/rating", data=GOOD | {"csrf_token": token})
    assert again.status_code == 409
    assert ALREADY in again.text
    with session_scope(console.engine) as session:
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == "visit_rated")).all()
    assert len(audit) == 1


def test_a_form_without_an_answer_or_a_visit_not_held_is_refused(console: Console) -> None:
    booking = book_at(console.engine, Settings(), 10)  # V13
    browser = console.signed_in("operator")
    token = form_token(browser.get("/visits", params=DAY))
    empty = browser.post(f"/visits/{booking.id}/rating", data={"csrf_token": token})
    assert empty.status_code == 409
    assert "Оценка не записана" in empty.text
    browser.post(f"/visits/{booking.id}/attendance", data={"visited": "no", "csrf_token": token})
    page = browser.get("/visits", params=DAY)
    assert f'action="/visits/{booking.id}/rating"' not in page.text  # a no-show: no form
    refused = browser.post(f"/visits/{booking.id}/rating", data=GOOD | {"csrf_token": token})
    assert refused.status_code == 409
    assert NOT_HELD in refused.text
    assert _ratings(console.engine) == []
