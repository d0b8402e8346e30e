"""The job ``visit-ratings`` (V13): after a visit that took place the visitor gets one letter
with the rating link — two hours after by day, in English for an English booking — never at
night, never twice, not after a rating taken on the spot, and again later when the mail server
refused it. The letters are read back from a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ami.bus import LiveBus
from consult_line.scheduler import JOBS, JobContext, offer_visit_ratings
from consult_line.wiring import Services
from models.db import session_scope
from models.rules.survey import AnswerReceived, QualityRating
from models.survey_answers import SurveyAnswers, SurveyKind, survey_subject
from models.survey_links import SURVEY_PATH
from models.tables import Language, VisitChannel, VisitSurvey
from tests.consult_line.reminder_samples import PUBLIC, Outbox, settings, smtp_server
from tests.visits.rating_samples import book_at, tuesday
from tests.visits.samples import MSK, load_examples
from visits.rating import record_on_spot
from visits.store import cancel_visit, get_booking

ANNA, JOHN, LATE = "anna@example.ru", "john@example.org", "late@example.ru"


@pytest.fixture
def visits(db_engine: Engine) -> dict[str, int]:
    load_examples(db_engine)
    line = settings(db_engine, None)
    booked = {
        "anna": book_at(db_engine, line, 10, 0, email=ANNA, name="Анна"),
        "john": book_at(
            db_engine, line, 10, 30, email=JOHN, language=Language.EN, name="John Smith"
        ),
        "no-email": book_at(db_engine, line, 11, 0, phone="+79280000011"),
        "cancelled": book_at(db_engine, line, 11, 30, email="gone@example.ru"),
        "late": book_at(db_engine, line, 12, 0, email=LATE),
        "on-spot": book_at(db_engine, line, 12, 30, email="spot@example.ru"),
    }
    ids = {key: booking.id for key, booking in booked.items() if booking.id is not None}
    with session_scope(db_engine) as session:
        cancelled = get_booking(session, ids["cancelled"])
        assert cancelled is not None
        cancel_visit(
            session=session,
            booking=cancelled,
            via=VisitChannel.WEB,
            actor="public",
            now=tuesday(9),
        )
    return ids


def _context(engine: Engine, now: datetime, port: int | None) -> JobContext:
    services = Services(settings=settings(engine, port), engine=engine, clock=lambda: now)
    return JobContext(services=services, bus=LiveBus(), bridge=None)


def _rated(engine: Engine) -> dict[int, bool]:
    """Each visit with a rating row: whether its link went (a token) or it was taken on spot."""
    with Session(engine) as session:
        rows = session.exec(select(VisitSurvey).order_by(col(VisitSurvey.booking_id)))
        return {row.booking_id: row.token_hash is not None for row in rows}


def test_the_job_runs_by_day_only() -> None:  # V13
    (job,) = [job for job in JOBS if job.id == "visit-ratings"]
    assert job.run is offer_visit_ratings
    assert job.cron == {"hour": "9-19", "minute": "*/15"}


async def test_two_hours_after_the_visit_the_visitor_gets_one_letter_with_the_link(
    db_engine: Engine, visits: dict[str, int]
) -> None:  # V13, V11
    outbox = Outbox()
    async with smtp_server(outbox) as port:
        # 13:00: the visits that ended by 11:00 are due; 11:00 without e-mail, 11:30 cancelled
        await offer_visit_ratings(_context(db_engine, tuesday(13), port))
    letters = outbox.letters()
    assert set(letters) == {ANNA, JOHN}
    anna = letters[ANNA]
    assert anna["Subject"] == "Оцените, пожалуйста, личный приём"
    text = anna.get_content()
    assert text.startswith("Здравствуйте, Анна!\n")
    assert "8 декабря 2026 г. (вторник), 10:00" in text
    assert "(принимал(а): Исмаилов Арсен Камилович)." in text  # who received them, by name
    links = [line for line in text.splitlines() if line.startswith(PUBLIC + SURVEY_PATH + "/")]
    assert len(links) == 1
    with Session(db_engine) as session:  # the link names this visit's rating
        subject = survey_subject(session, links[0].rsplit("/", 1)[1], MSK)
    assert subject is not None
    assert subject.kind is SurveyKind.VISIT
    assert not subject.answered
    john = letters[JOHN]
    assert john["Subject"] == "Please rate your visit"
    assert "Dear John Smith," in john.get_content()
    assert "Tuesday, 8 December 2026, 10:30" in john.get_content()
    assert _rated(db_engine) == {visits["anna"]: True, visits["john"]: True}


async def test_once_never_at_night_and_not_after_a_rating_on_the_spot(
    db_engine: Engine, visits: dict[str, int]
) -> None:  # V13
    with session_scope(db_engine) as session:
        booking = get_booking(session, visits["on-spot"])
        assert booking is not None
        record_on_spot(
            session=session,
            booking=booking,
            answers=SurveyAnswers(AnswerReceived.YES, QualityRating.SATISFIED, "Спасибо"),
            actor="cli:reception",
            now=tuesday(13),
        )
    outbox = Outbox()
    async with smtp_server(outbox) as port:
        await offer_visit_ratings(_context(db_engine, tuesday(20, 30), port))  # night
        assert outbox.envelopes == []
        await offer_visit_ratings(_context(db_engine, tuesday(16), port))
        await offer_visit_ratings(_context(db_engine, tuesday(16, 15), port))  # again: nothing
    assert sorted(outbox.letters()) == sorted([ANNA, JOHN, LATE])
    assert len(outbox.envelopes) == 3
    assert _rated(db_engine)[visits["on-spot"]] is False  # taken on the spot: no letter


async def test_a_refused_letter_is_tried_again_later(
    db_engine: Engine, visits: dict[str, int]
) -> None:  # V13
    outbox = Outbox()
    async with smtp_server(outbox) as port:
        await offer_visit_ratings(_context(db_engine, tuesday(13), None))  # no mail server
        assert _rated(db_engine) == {}
        with session_scope(db_engine) as session:  # the visitor's address now refused
            booking = get_booking(session, visits["anna"])
            assert booking is not None
            booking.email = "refuse@example.ru"
            session.add(booking)
        await offer_visit_ratings(_context(db_engine, tuesday(13), port))
        assert set(outbox.letters()) == {JOHN}
        assert visits["anna"] not in _rated(db_engine)  # given back
        with session_scope(db_engine) as session:
            booking = get_booking(session, visits["anna"])
            assert booking is not None
            booking.email = ANNA
            session.add(booking)
        await offer_visit_ratings(_context(db_engine, tuesday(13, 15), port))
    assert set(outbox.letters()) == {ANNA, JOHN}
