"""What of a client's personal visits goes to the client (G4), decided field by field.

The booking is the client's own, and the confirmation told them most of it: the booking's
number, the time, the place, the employee who receives (V5), how they booked and by which
channel they cancelled (V6), the interpreter and the reminders they asked for (V3–V4, V12), its
state, and their own rating (V13), whether they gave it by the link or to the employee at the
reception. What stays with the staff: which employee booked or cancelled it for them (how the
Ministry organises its work) and the rating link's own bookkeeping.
"""

from __future__ import annotations

from datetime import tzinfo

from call_card.labels import ANSWER_RECEIVED_LABELS_RU, LANGUAGE_LABELS_RU, QUALITY_LABELS_RU
from client_history.audience import RECORD_KEY, THEIR_OWN, WHEN, WHO, Decision
from client_history.audience import for_client as client
from client_history.audience import for_staff as staff
from client_history.document import DocVisit, DocVisitRating
from client_history.records import VisitRecord, VisitSurveyRecord
from client_history.timeline import VisitEntry
from visits.visit_labels import (
    INTERPRETER_LABELS_RU,
    VISIT_CHANNEL_RU,
    VISIT_STATUS_RU,
    reminders_ru,
)

_BOOKED = "what they booked, as the confirmation told them (V5)"

VISIT_DISCLOSURE: dict[type, dict[str, Decision]] = {
    VisitRecord: {
        "id": client("the booking's number, given in the confirmation"),
        "starts_at": client(_BOOKED),
        "ends_at": client(_BOOKED),
        "employee": client("who receives them: named in the confirmation (V5)"),
        "point": client(_BOOKED),
        "status": client("where their booking stands"),
        "phone_e164": client(THEIR_OWN),
        "name": client(THEIR_OWN),
        "email": client(THEIR_OWN),
        "language": client("the language they asked for (V11)"),
        "interpreter": client("the interpreter they asked for (V12)"),
        "remind_day_before": client("the reminders they asked for (V3–V4)"),
        "remind_two_hours": client("the reminders they asked for (V3–V4)"),
        "remind_by_email": client("the reminders they asked for (V3–V4)"),
        "remind_by_call": client("the reminders they asked for (V3–V4)"),
        "channel": client("how they booked (V1–V2)"),
        "booked_by": staff(WHO),
        "booked_at": client(WHEN),
        "cancelled_at": client(WHEN),
        "cancelled_via": client("how it was cancelled (V6)"),
        "cancelled_by": staff(WHO),
    },
    VisitSurveyRecord: {
        "booking_id": staff(RECORD_KEY),
        "issued_at": staff("the link's own bookkeeping"),
        "answered_at": client(WHEN),
        "answer_received": client("their own answer (V13)"),
        "quality": client("their own answer (V13)"),
        "comment": client("their own words (V13)"),
        "recorded_by": staff(WHO),
    },
}


def visit_doc(entry: VisitEntry, tz: tzinfo) -> DocVisit:
    """The client's part of one visit (see :data:`VISIT_DISCLOSURE`), instants in ``tz``."""
    visit = entry.visit
    via = visit.cancelled_via
    return DocVisit(
        number=visit.id,
        starts_at=visit.starts_at.astimezone(tz),
        ends_at=visit.ends_at.astimezone(tz),
        received_by=visit.employee.full_name if visit.employee else None,
        place=visit.point,
        booked_at=visit.booked_at.astimezone(tz),
        channel=visit.channel.value,
        channel_label=VISIT_CHANNEL_RU[visit.channel],
        name=visit.name,
        phone=visit.phone_e164,
        email=visit.email,
        language=visit.language.value,
        language_label=LANGUAGE_LABELS_RU[visit.language],
        interpreter=visit.interpreter.value,
        interpreter_label=INTERPRETER_LABELS_RU[visit.interpreter],
        remind_day_before=visit.remind_day_before,
        remind_two_hours=visit.remind_two_hours,
        remind_by_email=visit.remind_by_email,
        remind_by_call=visit.remind_by_call,
        reminders_label=reminders_ru(
            day_before=visit.remind_day_before,
            two_hours=visit.remind_two_hours,
            by_email=visit.remind_by_email,
            by_call=visit.remind_by_call,
        ),
        status=visit.status.value,
        status_label=VISIT_STATUS_RU[visit.status],
        cancelled_at=visit.cancelled_at.astimezone(tz) if visit.cancelled_at else None,
        cancelled_via=via.value if via else None,
        cancelled_via_label=VISIT_CHANNEL_RU[via] if via else None,
        rating=_rating(entry.rating, tz),
    )


def _rating(row: VisitSurveyRecord | None, tz: tzinfo) -> DocVisitRating | None:
    if row is None or row.answered_at is None:
        return None
    answer, quality = row.answer_received, row.quality
    return DocVisitRating(
        at=row.answered_at.astimezone(tz),
        answer_received=answer.value if answer else None,
        answer_received_label=ANSWER_RECEIVED_LABELS_RU[answer] if answer else None,
        quality=quality.value if quality else None,
        quality_label=QUALITY_LABELS_RU[quality] if quality else None,
        comment=row.comment,
        at_reception=bool(row.recorded_by),
    )
