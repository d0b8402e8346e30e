"""The console's cookies: the session's token and, before sign-in, the sign-in form's CSRF
token. Both HttpOnly (no script reads them) and SameSite=Strict (no other site's page sends
them); Secure when ``CONSULT_LINE_CONSOLE_TLS`` says the console is opened over https."""

from __future__ import annotations

from starlette.responses import Response

from models.settings import Settings

SESSION_COOKIE = "consult_line_session"
CSRF_COOKIE = "consult_line_csrf"  # only until sign-in; then the session holds the token


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    _set(response, SESSION_COOKIE, token, settings, max_age=_seconds(settings.session_max_hours))


def clear_session_cookie(response: Response, settings: Settings) -> None:
    _clear(response, SESSION_COOKIE, settings)


def set_csrf_cookie(response: Response, token: str, settings: Settings) -> None:
    _set(response, CSRF_COOKIE, token, settings, max_age=None)


def clear_csrf_cookie(response: Response, settings: Settings) -> None:
    _clear(response, CSRF_COOKIE, settings)


def _set(
    response: Response, name: str, value: str, settings: Settings, *, max_age: int | None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=settings.console_tls,
        httponly=True,
        samesite="strict",
    )


def _clear(response: Response, name: str, settings: Settings) -> None:
    response.delete_cookie(
        name, path="/", secure=settings.console_tls, httponly=True, samesite="strict"
    )


def _seconds(hours: float) -> int:
    return round(hours * 3600)
