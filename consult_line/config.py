"""Reads the settings once, turning validation errors into a message an administrator can act on."""

from __future__ import annotations

from pydantic import ValidationError

from models.settings import Settings


class ConfigError(Exception):
    """Invalid settings; the message names each environment variable and what is wrong."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc)) from None


def describe_errors(exc: ValidationError) -> str:
    lines = ["Неверные настройки:"]
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"])
        name = f"CONSULT_LINE_{field.upper()}" if field else "(настройки)"
        given = error.get("input")
        shown = "" if isinstance(given, dict) else f" (задано: {given!r})"
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"  {name}: {message}{shown}")
    return "\n".join(lines)
