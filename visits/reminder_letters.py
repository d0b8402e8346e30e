"""The letters of a booking (V3–V5, V11): the confirmation and the reminders, one pure function.

The body is the confirmation text (``visits.confirmation``: when, whom, where and how to get
there, how to cancel, with a fresh cancellation link), a reminder's opening with «Напоминаем:».
The subject is the line's own words and the visit's date — nothing the visitor typed goes into
a header. English for a booking in English (V11).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

from models.rules.visit_reminders import MessageKind
from models.tables import Language, VisitBooking

_SUBJECT_RU: Final = {
    MessageKind.CONFIRMATION: "Запись на личный приём {date}: подтверждение",
    MessageKind.DAY_BEFORE: "Напоминание: личный приём {date}",
    MessageKind.TWO_HOURS: "Напоминание: личный приём сегодня, {date}",
}
_SUBJECT_EN: Final = {
    MessageKind.CONFIRMATION: "Your personal visit on {date}: booking confirmed",
    MessageKind.DAY_BEFORE: "Reminder: your personal visit on {date}",
    MessageKind.TWO_HOURS: "Reminder: your personal visit today, {date}",
}


@dataclass(frozen=True, slots=True)
class Letter:
    subject: str
    text: str


def letter_for(kind: MessageKind, booking: VisitBooking, confirmation: str, tz: ZoneInfo) -> Letter:
    """The letter of ``kind`` around the booking's ``confirmation`` text."""
    when = booking.starts_at.astimezone(tz)
    english = booking.language is Language.EN
    subject = (_SUBJECT_EN if english else _SUBJECT_RU)[kind].format(date=f"{when:%d.%m.%Y %H:%M}")
    if kind is MessageKind.CONFIRMATION:
        return Letter(subject, confirmation + "\n")
    if english:
        return Letter(subject, f"Reminder: {confirmation[:1].lower()}{confirmation[1:]}\n")
    return Letter(subject, f"Напоминаем: {confirmation}\n")
