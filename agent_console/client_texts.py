"""How the pages of a client's history write instants, dates, durations and file sizes."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from models.phones import format_phone

NONE = "—"


def when_text(value: datetime | None, tz: tzinfo | None = None) -> str:
    """``07.12.2026 10:15`` in ``tz`` (or as given); ``—`` for no value."""
    if value is None:
        return NONE
    local = value.astimezone(tz) if tz is not None else value
    return f"{local:%d.%m.%Y %H:%M}"


def time_text(value: datetime | None, tz: tzinfo | None = None, *, seconds: bool = True) -> str:
    """``10:15:03`` (``10:15`` without ``seconds``); ``—`` for no value."""
    if value is None:
        return NONE
    local = value.astimezone(tz) if tz is not None else value
    return f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"


def window_text(starts_at: datetime, ends_at: datetime, tz: tzinfo | None = None) -> str:
    """A time window agreed for a call back: ``03.12.2026 11:00–12:00``."""
    return f"{when_text(starts_at, tz)}–{time_text(ends_at, tz, seconds=False)}"


def date_text(value: date | None) -> str:
    return NONE if value is None else f"{value:%d.%m.%Y}"


def duration_text(seconds: float | None) -> str:
    """``45 с``, ``3 мин 05 с``, ``1 ч 02 мин``; ``—`` for no value."""
    if seconds is None:
        return NONE
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} ч {minutes:02d} мин"
    if minutes:
        return f"{minutes} мин {secs:02d} с"
    return f"{secs} с"


def phone_text(value: str | None) -> str:
    return NONE if not value else format_phone(value)


def size_text(size: int) -> str:
    """A file's size: ``512 Б``, ``245 КБ``, ``3,4 МБ``."""
    if size < 1024:
        return f"{size} Б"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} КБ"
    return f"{size / 1024 / 1024:.1f} МБ".replace(".", ",")
