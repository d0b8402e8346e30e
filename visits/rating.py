"""The rating after a personal visit (V13): which visits are due a link, the link claimed once,
the answers an employee takes at the reception.

A visit has at most one ``visit_surveys`` row (its ``booking_id`` is unique): the row is claimed
in a transaction of its own before the letter goes (of two runs at once one gets it, the other
``None``) and given back when the letter could not be sent, so that a later run tries again.
The answers go in through ``models.survey_answers.record_answers``, once, whether the visitor
answers by the link or an employee records them on the spot; a rating recorded on the spot
before the letter means no letter is sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, exists
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.audit_trail import record_event
from models.db import session_scope
from models.rules.calendar import ProductionCalendar
from models.rules.visit_rating import GIVE_UP_AFTER, RATED_STATUSES, rating_due
from models.settings import Settings
from models.survey_answers import SurveyAnswers, SurveyKind, record_answers
from models.survey_links import issue_visit_survey_link
from models.tables import VisitBooking, VisitSurvey

NOT_HELD = "Приём не состоялся (запись отменена или посетитель не пришёл): оценку не записать."
NOT_YET = "Приём ещё не начался: оценку можно записать после него."
ALREADY = "Оценка этого приёма уже получена."


class RatingError(Exception):
    """The rating refused; ``str(error)`` is the Russian sentence for the employee."""


def due_ratings(
    session: Session, now: datetime, calendar: ProductionCalendar
) -> list[VisitBooking]:
    """The visits whose rating link is to go now (``models.rules.visit_rating``): with an
    e-mail, and without a ``visit_surveys`` row."""
    rated = exists().where(col(VisitSurvey.booking_id) == col(VisitBooking.id))
    found = session.exec(
        select(VisitBooking)
        .where(
            col(VisitBooking.status).in_(RATED_STATUSES),
            col(VisitBooking.email) != "",
            col(VisitBooking.ends_at) <= now,
            col(VisitBooking.ends_at) >= now - GIVE_UP_AFTER,
            # a slot is at most a few hours long: lets ix_visit_bookings_starts_at narrow it
            col(VisitBooking.starts_at) >= now - GIVE_UP_AFTER - timedelta(days=1),
            ~rated,
        )
        .order_by(col(VisitBooking.ends_at), col(VisitBooking.id))
    ).all()
    return [
        booking
        for booking in found
        if rating_due(status=booking.status, ends_at=booking.ends_at, now=now, calendar=calendar)
    ]


def claim_rating_link(
    engine: Engine, settings: Settings, booking_id: int, now: datetime
) -> str | None:
    """The visit's one rating link, its row committed; None when the visit has its row already
    (another run's, or a rating taken on the spot)."""
    try:
        with session_scope(engine) as session:
            return issue_visit_survey_link(session, settings, booking_id, now)
    except IntegrityError:
        return None


def release_rating_link(engine: Engine, booking_id: int) -> None:
    """Gives back a claimed link whose letter did not go (unless it is answered meanwhile)."""
    with session_scope(engine) as session:
        session.connection().execute(
            delete(VisitSurvey).where(
                col(VisitSurvey.booking_id) == booking_id,
                col(VisitSurvey.answered_at).is_(None),
                col(VisitSurvey.token_hash).is_not(None),
            )
        )


def record_on_spot(
    *,
    session: Session,
    booking: VisitBooking,
    answers: SurveyAnswers,
    actor: str,
    now: datetime,
) -> None:
    """Stores the rating the visitor gave the employee at the reception (audited as
    ``visit_rated``). Raises :class:`RatingError` for a visit that did not take place, has not
    begun, or is rated already."""
    if booking.status not in RATED_STATUSES:
        raise RatingError(NOT_HELD)
    if booking.starts_at > now:
        raise RatingError(NOT_YET)
    assert booking.id is not None
    survey = rating_of(session, booking.id)
    if survey is None:
        try:
            with session.begin_nested():
                session.add(VisitSurvey(booking_id=booking.id, issued_at=now))
        except IntegrityError:  # the letter's run claimed the row meanwhile
            pass
        survey = rating_of(session, booking.id)
    assert survey is not None
    assert survey.id is not None
    if not record_answers(
        session, survey.id, answers, now, kind=SurveyKind.VISIT, recorded_by=actor
    ):
        raise RatingError(ALREADY)
    record_event(
        session=session,
        at=now,
        actor=actor,
        action="visit_rated",
        subject=f"visit:{booking.id}",
        detail=f"{answers.received.value}/{answers.quality.value}",
        client_id=booking.client_id,
    )
    session.flush()


def rating_of(session: Session, booking_id: int) -> VisitSurvey | None:
    """The visit's rating row (link sent or rating taken), if any."""
    return session.exec(
        select(VisitSurvey).where(col(VisitSurvey.booking_id) == booking_id)
    ).first()
