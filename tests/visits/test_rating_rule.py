"""When the rating of a visit is offered (V13): two hours after it by day, else the next working
morning, never at night, never for a visit cancelled or missed, not after a week."""

from __future__ import annotations

from datetime import datetime

import pytest

from models.rules.visit_rating import daytime, offer_at, rating_due
from models.tables import VisitStatus
from tests.visits.samples import CALENDAR, MSK


def msk(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=MSK)


@pytest.mark.parametrize(
    ("ends", "offered"),
    [
        (msk(8, 10, 30), msk(8, 12, 30)),  # Tuesday morning: two hours later
        (msk(8, 17, 59), msk(8, 19, 59)),  # still before 20:00
        (msk(8, 18, 0), msk(9, 9, 0)),  # would be 20:00: the next working morning
        (msk(11, 18, 30), msk(14, 9, 0)),  # Friday evening: Monday morning
        (msk(31, 18, 30), datetime(2027, 1, 11, 9, 0, tzinfo=MSK)),  # after the New Year holidays
    ],
)
def test_the_rating_is_offered_two_hours_after_or_the_next_working_morning(
    ends: datetime, offered: datetime
) -> None:  # V13
    assert offer_at(ends, CALENDAR) == offered


def test_never_at_night() -> None:  # V13
    assert daytime(msk(8, 9, 0), CALENDAR)
    assert daytime(msk(8, 19, 59), CALENDAR)
    assert not daytime(msk(8, 20, 0), CALENDAR)
    assert not daytime(msk(9, 8, 59), CALENDAR)


@pytest.mark.parametrize(
    ("status", "now", "due"),
    [
        (VisitStatus.BOOKED, msk(8, 12, 30), True),  # nobody marked the attendance
        (VisitStatus.VISITED, msk(8, 12, 30), True),
        (VisitStatus.CANCELLED, msk(8, 12, 30), False),
        (VisitStatus.NO_SHOW, msk(8, 12, 30), False),
        (VisitStatus.BOOKED, msk(8, 12, 29), False),  # not yet
        (VisitStatus.BOOKED, msk(8, 21, 0), False),  # night
        (VisitStatus.BOOKED, msk(15, 10, 29), True),  # within the week
        (VisitStatus.BOOKED, msk(15, 10, 31), False),  # a week later: given up
    ],
)
def test_only_a_visit_that_took_place_is_offered_the_rating(
    status: VisitStatus, now: datetime, due: bool
) -> None:  # V13
    ends = msk(8, 10, 30)
    assert rating_due(status=status, ends_at=ends, now=now, calendar=CALENDAR) is due
