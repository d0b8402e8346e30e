"""CSRF: every state-changing request carries a token that a page of the console gave out.

A signed-in user's token belongs to their session (``user_sessions.csrf_token``); before
sign-in, the sign-in form's token is kept in a cookie of its own (double submit). Forms send it
in a hidden field (``csrf_token``), ``fetch`` in the ``X-CSRF-Token`` header
(``static/csrf.js`` reads it from ``<meta name="csrf-token">``). The access rule of every route
checks it (:mod:`agent_console.auth.rules`), so no route can forget to.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

from agent_console.auth.cookies import CSRF_COOKIE
from models.user_sessions import TOKEN_BYTES, SignedIn

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_MESSAGE = (
    "Запрос отклонён: нет действительного токена защиты от подделки запросов (CSRF). "
    "Обновите страницу и повторите действие."
)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.split(";", 1)[0].strip().lower() in _FORM_TYPES


async def sent_token(request: Request) -> str | None:
    """The token the request carries: the header, else a form's hidden field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if is_form(request):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def expected_token(request: Request, user: SignedIn | None) -> str | None:
    if user is not None:
        return user.csrf_token
    return request.cookies.get(CSRF_COOKIE)


def tokens_match(sent: str | None, expected: str | None) -> bool:
    if not sent or not expected:
        return False
    return hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))


def anonymous_token(request: Request) -> tuple[str, bool]:
    """The sign-in form's token: the cookie's, or a new one (True: set the cookie)."""
    existing = request.cookies.get(CSRF_COOKIE)
    if existing and 20 <= len(existing) <= 128:
        return existing, False
    return secrets.token_urlsafe(TOKEN_BYTES), True
