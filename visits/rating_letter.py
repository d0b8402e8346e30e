"""The letter that offers a visitor to rate a personal visit (V13): a pure function.

Russian, or English when the booking is in English (V11). It names the visit (day, time, place,
whom) and carries the rating link; it does not say the visitor came — nobody may have marked
the attendance — and asks to disregard it if the visit did not take place.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from models.tables import Language, ReceptionPoint, VisitBooking
from visits.confirmation import LINE_PHONE, when_text

SUBJECT_RU = "Оцените, пожалуйста, личный приём"
SUBJECT_EN = "Please rate your visit"


def rating_letter(
    *,
    booking: VisitBooking,
    point: ReceptionPoint,
    employee_name: str,
    link: str,
    tz: ZoneInfo,
) -> tuple[str, str]:
    """The letter's subject and plain text."""
    when = when_text(booking.starts_at.astimezone(tz), booking.language)
    if booking.language is Language.EN:
        hello = f"Dear {booking.name}," if booking.name else "Hello,"
        lines = [
            hello,
            "",
            f"You were booked for a personal visit to {point.name_en} on {when} "
            f"(received by {employee_name}).",
            "Please tell us how it went: two questions and, if you wish, a comment, at",
            link,
            "",
            "The link accepts one answer. If the visit did not take place, please disregard "
            "this letter.",
            f"Consultation line: {LINE_PHONE}.",
        ]
        return SUBJECT_EN, "\n".join(lines)
    hello = f"Здравствуйте, {booking.name}!" if booking.name else "Здравствуйте!"
    lines = [
        hello,
        "",
        f"Вы были записаны на личный приём в {point.name_ru} на {when} "
        f"(принимал(а): {employee_name}).",
        "Пожалуйста, оцените, как прошёл приём: два вопроса и, по желанию, комментарий — по ссылке",
        link,
        "",
        "Ответ принимается один раз. Если приём не состоялся, не обращайте внимания на это письмо.",
        f"Консультационная линия Минпромторга РД: {LINE_PHONE}.",
    ]
    return SUBJECT_RU, "\n".join(lines)
