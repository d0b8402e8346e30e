"""How a refused request is answered: JSON for the API, the sign-in page or a 403 page for
pages (``agent_console.auth.rules.AccessDeniedError``)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.responses import Response

from agent_console.auth.cookies import SESSION_COOKIE, clear_session_cookie
from agent_console.auth.current import looked_up_user
from agent_console.auth.rules import AccessDeniedError
from agent_console.deps import get_context
from agent_console.templating import Layout, render

SIGN_IN_PATH = "/sign-in"
HOME_PATH = "/"
PUBLIC_REFUSAL = "public_refused.html"  # a page for the public: no menu, no sign-in
# A public page's link (in a letter) that is not ours: mistyped, forged, cut short.
LINK_NOT_FOUND = (
    "Ссылка не найдена. Проверьте, что она скопирована из письма целиком, до последнего знака."
)


@dataclass(frozen=True, slots=True)
class ErrorPage:
    message: str
    back_href: str
    back_label: str


def local_path(text: str | None) -> str:
    """``text`` if it is a path of this site (``/kb?q=1``), else ``/``: no open redirect."""
    if not text or not text.startswith("/") or text.startswith("//") or "\\" in text:
        return HOME_PATH
    if any(ord(char) < 32 for char in text):
        return HOME_PATH
    return text


def sign_in_url(next_path: str) -> str:
    target = local_path(next_path)
    return SIGN_IN_PATH if target == HOME_PATH else f"{SIGN_IN_PATH}?{urlencode({'next': target})}"


async def access_denied(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AccessDeniedError)
    if not exc.page:
        return JSONResponse({"detail": exc.message}, status_code=exc.status)
    settings = get_context(request).backend.settings
    if exc.status == 401:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        response: Response = RedirectResponse(
            sign_in_url(here if request.method == "GET" else HOME_PATH), status_code=303
        )
        if SESSION_COOKIE in request.cookies:  # forged or ended: the browser forgets it
            clear_session_cookie(response, settings)
        return response
    if exc.public_form:  # someone from the public: the form again, no word of signing in
        shown = ErrorPage(exc.message, request.url.path, "Открыть форму заново")
        layout = Layout.of(settings.line_title, None)
        title = "Форма не принята"
        return render(
            request, PUBLIC_REFUSAL, layout=layout, title=title, page=shown, status=exc.status
        )
    user = looked_up_user(request)
    layout = Layout.of(settings.line_title, user)
    back = ErrorPage(exc.message, HOME_PATH, "На главную")
    if user is None:
        back = ErrorPage(exc.message, SIGN_IN_PATH, "Ко входу")
    title = "Доступ запрещён"
    return render(request, "error.html", layout=layout, title=title, page=back, status=exc.status)
