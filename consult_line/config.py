"""Reads the settings once, turning validation errors into a message an administrator can act on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from models.settings import Settings

# pydantic's own checks, in Russian; {name} are taken from the error's context.
MESSAGES: dict[str, str] = {
    "int_parsing": "нужно целое число",
    "int_from_float": "нужно целое число",
    "float_parsing": "нужно число",
    "bool_parsing": "нужно true или false",
    "literal_error": "допустимо {expected}",
    "time_parsing": "нужно время ЧЧ:ММ",
    "time_type": "нужно время ЧЧ:ММ",
    "greater_than": "должно быть больше {gt}",
    "greater_than_equal": "должно быть не меньше {ge}",
    "less_than": "должно быть меньше {lt}",
    "less_than_equal": "должно быть не больше {le}",
}


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
        message = _message(error["type"], error["msg"], error.get("ctx") or {})
        lines.append(f"  {name}: {message}{shown}")
    return "\n".join(lines)


def _message(kind: str, text: str, context: Mapping[str, Any]) -> str:
    if kind in MESSAGES:
        values = {k: f"{v:g}" if isinstance(v, float) else v for k, v in context.items()}
        if kind == "literal_error":
            values["expected"] = str(values["expected"]).replace(" or ", " или ")
        return MESSAGES[kind].format(**values)
    return text.removeprefix("Value error, ")
