"""What a report is asked for, as the page's query string and ``consult-line report`` give it:
each filter a name with zero or more values (``reason=queue_timeout&reason=no_operators``).

A value the report does not know is refused with a Russian sentence naming the filter and
the values it takes; nothing is read from the database before the request is understood.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import TypeVar

FilterValues = Mapping[str, Sequence[str]]

_T = TypeVar("_T")
_E = TypeVar("_E", bound=StrEnum)
_SHOWN_MAX = 40


class InputError(ValueError):
    """A request a report cannot answer; ``message`` is for the user, ``field`` names the
    form's field at fault ("" for none in particular)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def chosen(values: FilterValues, field: str, what: str, allowed: Mapping[str, _T]) -> frozenset[_T]:
    """The values of filter ``field`` (``what``: its name for the user); empty: no filter."""
    found: set[_T] = set()
    for value in values.get(field, ()):
        text = value.strip()
        if not text:
            continue  # an empty choice sent by a form: no filter
        if text not in allowed:
            raise InputError(_unknown(text, what, allowed), field)
        found.add(allowed[text])
    return frozenset(found)


def one_of(values: FilterValues, field: str, what: str, enum: type[_E], default: _E) -> _E:
    """The one value of ``field`` (the last if sent twice), ``default`` when none is sent."""
    sent = [value.strip() for value in values.get(field, ()) if value.strip()]
    if not sent:
        return default
    allowed = {member.value: member for member in enum}
    if sent[-1] not in allowed:
        raise InputError(_unknown(sent[-1], what, allowed), field)
    return allowed[sent[-1]]


def single(values: FilterValues, field: str) -> str | None:
    """A free value (a date, a page number): the last sent, None when none is."""
    sent = values.get(field, ())
    return sent[-1] if sent else None


def _unknown(text: str, what: str, allowed: Mapping[str, object]) -> str:
    shown = text if len(text) <= _SHOWN_MAX else text[:_SHOWN_MAX] + "…"
    return f"Неизвестное значение «{shown}» фильтра «{what}»; возможные: {', '.join(allowed)}."
