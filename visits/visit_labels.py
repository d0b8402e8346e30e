"""The Russian words for a visit booking's stored values (V1–V6, V12), as the client's history,
its document and the call card show them."""

from __future__ import annotations

from typing import Final

from models.tables import Interpreter, VisitChannel, VisitStatus
from visits.confirmation import INTERPRETER_RU

VISIT_STATUS_RU: Final = {
    VisitStatus.BOOKED: "записан",
    VisitStatus.CANCELLED: "запись отменена",
    VisitStatus.VISITED: "приём состоялся",
    VisitStatus.NO_SHOW: "не пришёл",
}
VISIT_CHANNEL_RU: Final = {
    VisitChannel.LINE: "Консультационная линия",
    VisitChannel.WEB: "сайт Минпромторга РД",
    VisitChannel.PORTAL: "Единый портал госуслуг",
    VisitChannel.STAFF: "сотрудник Министерства",
}
INTERPRETER_LABELS_RU: Final = {
    Interpreter.NONE: "не нужен",
    Interpreter.SIGN_LANGUAGE: INTERPRETER_RU[Interpreter.SIGN_LANGUAGE],
    Interpreter.TACTILE: INTERPRETER_RU[Interpreter.TACTILE],
}


def reminders_ru(*, day_before: bool, two_hours: bool, by_email: bool, by_call: bool) -> str:
    """The reminders asked for (V3–V4) in words: «за сутки и за 2 часа; e-mail, звонок»."""
    when = [text for flag, text in ((day_before, "за сутки"), (two_hours, "за 2 часа")) if flag]
    how = [text for flag, text in ((by_email, "e-mail"), (by_call, "звонок")) if flag]
    if not when:
        return "не нужны"
    return " и ".join(when) + (f" ({', '.join(how)})" if how else "")
