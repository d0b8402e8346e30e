"""Who sent the request: the session of the cookie, looked up once per request."""

from __future__ import annotations

from fastapi import Request

from agent_console.auth.cookies import SESSION_COOKIE
from agent_console.deps import Backend
from models.db import session_scope
from models.user_sessions import SignedIn, find_signed_in

_STATE_KEY = "signed_in"


def current_user(request: Request, backend: Backend) -> SignedIn | None:
    """The signed-in user, or None (no cookie, a forged or ended session, an expired one).

    Asked by the route's access rule (``agent_console.auth.rules``), which hands the user on.
    """
    if hasattr(request.state, _STATE_KEY):
        cached: SignedIn | None = getattr(request.state, _STATE_KEY)
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    user = None
    if token:
        with session_scope(backend.engine) as session:
            user = find_signed_in(
                session=session,
                token=token,
                now=backend.clock(),
                policy=backend.settings.session_policy,
            )
    setattr(request.state, _STATE_KEY, user)
    return user


def looked_up_user(request: Request) -> SignedIn | None:
    """The user :func:`current_user` found for this request, without looking again."""
    user: SignedIn | None = getattr(request.state, _STATE_KEY, None)
    return user
