"""When a visitor is offered to rate a personal visit (V13): a pure rule.

«По результатам личного посещения клиенту необходимо предложить оценить опыт такого личного
посещения». A visit that took place — neither cancelled nor marked as a no-show, its end passed
— is offered the rating once, by e-mail when the booking has an address:

* two hours after the end of the visit (:data:`DELAY`), while the impression is fresh, when that
  is still within the day (:data:`DAY_OPENS`–:data:`DAY_CLOSES`, local time);
* otherwise at :data:`DAY_OPENS` of the next working day of the production calendar: a visit
  that ended late in the evening gets its letter the next working morning, never at night;
* a visit more than :data:`GIVE_UP_AFTER` ago is not offered any more (after a long stop of the
  server, or when the rating is switched on over old bookings): a letter weeks later would
  confuse more than help.

The job that sends the letters runs only by day; this rule is what it asks, with ``now`` given.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Final

from models.rules.calendar import ProductionCalendar, require_aware
from models.tables.visits import VisitStatus

DELAY: Final = timedelta(hours=2)
DAY_OPENS: Final = time(9, 0)
DAY_CLOSES: Final = time(20, 0)
GIVE_UP_AFTER: Final = timedelta(days=7)
# A visit that took place: still «booked» when nobody marked the attendance, or «visited».
RATED_STATUSES: Final = (VisitStatus.BOOKED, VisitStatus.VISITED)


def daytime(now: datetime, calendar: ProductionCalendar) -> bool:
    """Whether a letter to a visitor may go at ``now`` (local time within the day)."""
    require_aware(now, "now")
    local = now.astimezone(calendar.tz).time()
    return DAY_OPENS <= local < DAY_CLOSES


def offer_at(ends_at: datetime, calendar: ProductionCalendar) -> datetime:
    """The instant the rating of a visit that ended at ``ends_at`` is offered (see the module)."""
    require_aware(ends_at, "ends_at")
    soon = ends_at + DELAY
    local = soon.astimezone(calendar.tz)
    if DAY_OPENS <= local.time() < DAY_CLOSES:
        return soon
    day = local.date()
    if local.time() >= DAY_CLOSES or not calendar.is_working_day(day):
        day = calendar.next_working_day(day)
    return datetime.combine(day, DAY_OPENS, calendar.tz)


def rating_due(
    *, status: VisitStatus, ends_at: datetime, now: datetime, calendar: ProductionCalendar
) -> bool:
    """Whether the visit's rating is to be offered at ``now`` (its link not yet sent)."""
    require_aware(now, "now")
    if status not in RATED_STATUSES or ends_at > now or now - ends_at > GIVE_UP_AFTER:
        return False
    return daytime(now, calendar) and offer_at(ends_at, calendar) <= now
