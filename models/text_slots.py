"""Filling the ``{name}`` slots of a knowledge-base text, and dates as Russian texts write them.
Pure.

A KB script or template marks what is filled in with ``{name}``. A value that is not known is
shown as a bracketed blank for a person to complete (``[ведомство]``), except the client's
name: a text addresses them as «{caller_name}, …», and without a name the address is dropped
(«Я могу Вам ещё чем-нибудь помочь?»). Values are inserted as they are; nothing in them is read
as a slot again. A ``{word}`` that is not a slot is left as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Final

CALLER_NAME: Final = "caller_name"
_SLOT: Final = re.compile(r"\{([a-z_]+)\}")
# «{caller_name}, я могу…» without a name: «Я могу…».
_ADDRESS: Final = re.compile(r"\{caller_name\},\s*(\S)")

MONTHS_RU: Final = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def placeholders(text: str) -> set[str]:
    """Every ``{name}`` written in ``text``, slot or not."""
    return set(_SLOT.findall(text))


def fill_slots(text: str, values: Mapping[str, str], blanks: Mapping[str, str]) -> str:
    """``text`` with the slots named in ``blanks`` filled from ``values``; a slot with an empty
    or missing value gets its blank (the client's name: the address is dropped)."""
    known = {name: value.strip() for name, value in values.items() if value.strip()}
    if CALLER_NAME not in known:
        text = drop_address(text)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in blanks:
            return match.group(0)
        return known.get(name, blanks[name])

    return _SLOT.sub(replace, text)


def drop_address(text: str) -> str:
    """«{caller_name}, я могу…» → «Я могу…», wherever the text addresses the client so."""
    return _ADDRESS.sub(lambda match: match.group(1).upper(), text)


def russian_date(day: date) -> str:
    """«11 декабря 2026 г.»"""
    return f"{day.day} {MONTHS_RU[day.month - 1]} {day.year} г."


def day_and_month_ru(day: date) -> str:
    """«11 декабря»"""
    return f"{day.day} {MONTHS_RU[day.month - 1]}"
