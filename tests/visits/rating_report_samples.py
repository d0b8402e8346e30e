"""Ratings of personal visits for the survey report's «Личный приём» channel (V13), on Tuesday
8 December 2026 (Moscow time), written straight into the database (the visits lie in the past
whatever day the tests run).

=====  ========  ====================  ==================  ==================================
visit  starts    link / taken          answered            answers
=====  ========  ====================  ==================  ==================================
v1     10:00     link 12:30            13:10               да, удовлетворен; «Всё объяснили.»
v2     10:30     link 13:00            —                   —
v3     11:00     on the spot 11:25     11:25               нет, частично удовлетворен
v4     07.12     link 07.12 14:00      08.12 09:00         да, не удовлетворен
=====  ========  ====================  ==================  ==================================

On 08.12: links sent v1, v2 (2; v3 is no link, v4's went before), answered of them v1 (1);
answers received v4, v3, v1 (3, in that order), one commented.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.db import session_scope
from models.rules.survey import AnswerReceived, QualityRating
from models.survey_links import token_hash
from models.tables import (
    Employee,
    ReceptionPoint,
    VisitBooking,
    VisitChannel,
    VisitStatus,
    VisitSurvey,
)
from tests.visits.samples import MSK

COMMENT_V1 = "Всё объяснили."
RECEIVER = "301"  # the example staff's employee who receives on Tuesdays


def msk(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=MSK)


def write_visit(
    engine: Engine,
    starts: datetime,
    *,
    status: VisitStatus = VisitStatus.BOOKED,
    phone: str = "+79281234567",
    **fields: Any,
) -> int:
    """A visit of 30 minutes with the example employee 301 at the example point; ``fields``:
    any other columns of the booking."""
    with session_scope(engine) as session:
        employee = session.exec(
            select(Employee).where(col(Employee.internal_number) == RECEIVER)
        ).one()
        point = session.exec(select(ReceptionPoint)).first()
        assert point is not None
        booking = VisitBooking(
            employee_id=employee.id, point_id=point.id, starts_at=starts,
            ends_at=starts + timedelta(minutes=30), status=status, phone_e164=phone,
            **({"channel": VisitChannel.LINE, "booked_at": starts - timedelta(days=3)} | fields),
        )  # fmt: skip
        session.add(booking)
        session.flush()
        assert booking.id is not None
        return booking.id


def add_sample_ratings(engine: Engine) -> dict[str, int]:
    yes, no = AnswerReceived.YES, AnswerReceived.NO
    starts = {"v1": msk(8, 10), "v2": msk(8, 10, 30), "v3": msk(8, 11), "v4": msk(7, 11, 30)}
    ids = {name: write_visit(engine, at) for name, at in starts.items()}
    rows = [
        ("v1", "1", msk(8, 12, 30), msk(8, 13, 10), yes, QualityRating.SATISFIED, COMMENT_V1, ""),
        ("v2", "2", msk(8, 13), None, None, None, "", ""),
        (
            "v3",
            None,
            msk(8, 11, 25),
            msk(8, 11, 25),
            no,
            QualityRating.PARTLY_SATISFIED,
            "",
            "cli:r",
        ),
        ("v4", "4", msk(7, 14), msk(8, 9), yes, QualityRating.NOT_SATISFIED, "", ""),
    ]
    with Session(engine) as session:
        for name, token, issued, answered, received, quality, comment, by in rows:
            session.add(
                VisitSurvey(
                    booking_id=ids[name], token_hash=token_hash(token * 30) if token else None,
                    issued_at=issued, answered_at=answered, answer_received=received,
                    quality=quality, comment=comment, recorded_by=by,
                )
            )  # fmt: skip
        session.commit()
    return ids
