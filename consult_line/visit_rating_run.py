"""One run of the rating offers after personal visits (V13), as the job ``visit-ratings`` and
``consult-line visits ratings`` make it.

For each visit due (``visits.rating.due_ratings``) the run claims the visit's one rating link,
sends the letter through the outgoing mail server (``mail.sender``) and gives the link back when
the letter could not be sent, so that the next run tries again. Without an outgoing server, or
outside the day (``models.rules.visit_rating.daytime``), nothing is claimed or sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from call_card.lookup import employee_names
from consult_line.message_reminder_run import mail_configured
from consult_line.wiring import Services
from mail.sender import MailSendError, send_mail
from models.db import session_scope
from models.rules.visit_rating import daytime
from models.tables import ReceptionPoint
from visits.rating import claim_rating_link, due_ratings, release_rating_link
from visits.rating_letter import rating_letter


@dataclass(slots=True)
class RatingRun:
    at: datetime
    daytime: bool
    due: int = 0  # visits whose rating was to be offered
    sent: list[int] = field(default_factory=list)  # booking ids
    already: list[int] = field(default_factory=list)  # claimed by another run meanwhile
    failed: list[tuple[int, str]] = field(default_factory=list)  # booking id, why
    not_configured: bool = False  # no outgoing mail server: nothing was sent


def offer_ratings(services: Services) -> RatingRun:
    """Sends the rating letters due now (see the module)."""
    now = services.clock()
    calendar = services.calendar()
    run = RatingRun(at=now, daytime=daytime(now, calendar))
    if not run.daytime:
        return run
    with session_scope(services.engine) as session:
        bookings = due_ratings(session, now, calendar)
        names = employee_names(session, {booking.employee_id for booking in bookings})
        due = [
            (
                booking,
                session.get(ReceptionPoint, booking.point_id),
                names.get(booking.employee_id, ""),
            )
            for booking in bookings
        ]
    run.due = len(due)
    if due and not mail_configured(services):
        run.not_configured = True
        return run
    for booking, point, employee_name in due:
        assert booking.id is not None
        assert point is not None
        link = claim_rating_link(services.engine, services.settings, booking.id, now)
        if link is None:
            run.already.append(booking.id)
            continue
        subject, text = rating_letter(
            booking=booking,
            point=point,
            employee_name=employee_name,
            link=link,
            tz=services.settings.tz,
        )
        try:
            send_mail(services.settings, booking.email, subject, text)
        except (MailSendError, ValueError) as refused:
            release_rating_link(services.engine, booking.id)
            run.failed.append((booking.id, str(refused)))
            continue
        run.sent.append(booking.id)
    return run
