"""Filling a knowledge-base script's placeholders (C5, C11, C14, V11). Pure.

Scripts mark what the console fills in with ``{name}``: the operator's name, the caller's,
the promised date and window of a callback, the agency of an out-of-remit answer, the
department a call is transferred to (:class:`Slot`). A value the console does not know yet is
shown as a bracketed blank for the operator to say themselves (``[ведомство]``), except the
caller's name: a script addresses the caller by name as «{caller_name}, …», and without a
name the address is dropped («Я могу Вам ещё чем-нибудь помочь?»). Values are inserted as
they are; nothing in them is read as a placeholder again. A ``{word}`` that is not a slot is
left as written (``models.text_slots``, shared with the written notices).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, tzinfo
from enum import StrEnum

from models.rules.callbacks import TimeWindow
from models.tables import Language
from models.text_slots import day_and_month_ru, fill_slots, russian_date
from models.text_slots import placeholders as placeholders


class Slot(StrEnum):
    OPERATOR_NAME = "operator_name"
    CALLER_NAME = "caller_name"
    PROMISED_DATE = "promised_date"
    WINDOW = "window"
    AGENCY = "agency"
    DEPARTMENT = "department"


_BLANKS: dict[Language, dict[Slot, str]] = {
    Language.RU: {
        Slot.OPERATOR_NAME: "[имя оператора]",
        Slot.CALLER_NAME: "[имя звонящего]",
        Slot.PROMISED_DATE: "[дата ответа]",
        Slot.WINDOW: "[время звонка]",
        Slot.AGENCY: "[ведомство]",
        Slot.DEPARTMENT: "[отдел]",
    },
    Language.EN: {
        Slot.OPERATOR_NAME: "[operator's name]",
        Slot.CALLER_NAME: "[caller's name]",
        Slot.PROMISED_DATE: "[answer date]",
        Slot.WINDOW: "[call-back time]",
        Slot.AGENCY: "[agency]",
        Slot.DEPARTMENT: "[department]",
    },
}

_ZONE_NAMES_EN = {"Europe/Moscow": "Moscow time"}

_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def fill(text: str, values: Mapping[Slot, str], language: Language) -> str:
    """``text`` with the slots in ``values`` filled; empty or missing values as blanks."""
    named = {slot.value: value for slot, value in values.items()}
    blanks = {slot.value: blank for slot, blank in _BLANKS[language].items()}
    return fill_slots(text, named, blanks)


def spoken_name(full_name: str) -> str:
    """The name an operator introduces themselves with: the given name of a directory name
    written «Фамилия Имя [Отчество]» (``examples/staff.yaml``), else the name as written."""
    words = full_name.split()
    return words[1] if len(words) in (2, 3) else " ".join(words)


def spoken_date(day: date, language: Language) -> str:
    """«11 декабря 2026 г.» / «11 December 2026»."""
    if language is Language.EN:
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    return russian_date(day)


def spoken_windows(
    windows: Sequence[TimeWindow], promised_on: date, tz: tzinfo, language: Language
) -> str:
    """The agreed windows for a read-back, in the line's local time; a window on another day
    than ``promised_on`` names its day. «с 10:00 до 12:00 или 14 декабря с 14:00 до 16:00» /
    «between 10:00 and 12:00 Moscow time» (an English speaker is told the zone)."""
    parts = []
    for window in sorted(windows, key=lambda w: w.starts_at):
        starts, ends = window.starts_at.astimezone(tz), window.ends_at.astimezone(tz)
        day = ""
        if starts.date() != promised_on:
            day = _day_month(starts.date(), language) + " "
        if language is Language.EN:
            parts.append(f"{day}between {starts:%H:%M} and {ends:%H:%M}")
        else:
            parts.append(f"{day}с {starts:%H:%M} до {ends:%H:%M}")
    if language is Language.EN:
        zone = _ZONE_NAMES_EN.get(getattr(tz, "key", ""), "local time")
        return " or ".join(parts) + (f" {zone}" if parts else "")
    return " или ".join(parts)


def _day_month(day: date, language: Language) -> str:
    if language is Language.EN:
        return f"on {day.day} {_MONTHS_EN[day.month - 1]}"
    return day_and_month_ru(day)
