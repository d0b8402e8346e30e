"""Who may use each route: every route declares exactly one rule, as a dependency.

* ``allow(Role.X, ...)`` — a JSON API route for signed-in users with one of these roles:
  401 JSON without a session, 403 JSON with none of the roles;
* ``page(Role.X, ...)`` — an HTML page for the same: without a session the browser is sent to
  the sign-in page (and back afterwards), with none of the roles it gets a 403 page;
* ``public`` — anyone, signed in or not (``/health``, the sign-in page);
* ``public_form`` — an HTML form anyone may send without a session or cookie (the public
  message form): its CSRF token is a signed, time-limited one (``agent_console.auth.form_tokens``);
* ``public_link`` — a page behind a secret link from a letter (a mailing's unsubscribe link,
  a subscription's confirmation link): its POST carries no CSRF token, because the random token
  in the path is itself the proof, and a mail program's one-click unsubscribe (RFC 8058) posts
  with no page in between.

The rule is also how a route gets the signed-in user::

    @router.patch("/entries/{entry_id}")
    def update_entry(user: Annotated[SignedIn, allow(Role.KB_EDITOR, Role.ADMIN)], ...): ...

    @router.get("/sections", dependencies=[allow(Role.SUPERVISOR, Role.ADMIN)])
    def list_sections(...): ...

Every rule also checks the CSRF token of a POST, PUT, PATCH or DELETE (after the session and the
roles), so a state-changing route cannot be without it. Static files are served by
:class:`PublicFiles`, which carries the ``public`` rule. :func:`declared_routes` reads every
route's rules back; the access-matrix test uses it on the real app.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.routing import Mount

from agent_console.auth.csrf import (
    CSRF_MESSAGE,
    UNSAFE_METHODS,
    expected_token,
    is_form,
    sent_token,
    tokens_match,
)
from agent_console.auth.current import current_user
from agent_console.auth.form_tokens import TokenCheck, check
from agent_console.auth.roles import EVERYONE, role_titles
from agent_console.deps import Backend, BackendDep
from models.tables import Role
from models.user_sessions import SignedIn

log = logging.getLogger(__name__)

SIGN_IN_REQUIRED = "Требуется вход в систему."
FORM_EXPIRED = (
    "Форма устарела: она была открыта слишком давно. Откройте её заново и отправьте ещё раз — "
    "введённый текст лучше сначала скопировать."
)
FORM_FORGED = "Форма не принята: она получена не с этой страницы. Откройте форму заново."


@dataclass(frozen=True, slots=True)
class Rule:
    roles: frozenset[Role] | None  # None: public
    page: bool  # refusals as HTML (sign-in redirect, 403 page) rather than JSON
    signed_form: bool = False  # CSRF by a signed form token, not by a session or cookie
    secret_link: bool = False  # no CSRF token: the path's secret token is the proof

    def describe(self) -> str:
        if self.signed_form:
            return "public: signed form"
        if self.secret_link:
            return "public: secret link"
        if self.roles is None:
            return "public"
        kind = "page" if self.page else "api"
        if self.roles == frozenset(EVERYONE):
            return f"{kind}: any role"
        return f"{kind}: " + ", ".join(role.value for role in Role if role in self.roles)


class AccessDeniedError(Exception):
    """Raised by a rule; ``agent_console.auth.refusals`` turns it into the response."""

    def __init__(self, status: int, message: str, *, page: bool, public_form: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.page = page
        self.public_form = public_form  # the page offers the form afresh, not the sign-in


class Access:
    """The dependency behind a rule: checks the session, the roles, then the CSRF token."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    async def __call__(self, request: Request, backend: BackendDep) -> SignedIn | None:
        rule = self.rule
        user = await self._user(request, backend)
        if rule.roles is not None:
            if user is None:
                raise AccessDeniedError(401, SIGN_IN_REQUIRED, page=rule.page)
            if not user.has_any(rule.roles):
                raise AccessDeniedError(403, _wrong_role(rule.roles), page=rule.page)
        if rule.secret_link:
            return user
        if request.method in UNSAFE_METHODS and rule.signed_form:
            verdict = check(await sent_token(request), backend.form_key(), backend.clock())
            if verdict is not TokenCheck.VALID:
                message = FORM_EXPIRED if verdict is TokenCheck.EXPIRED else FORM_FORGED
                raise AccessDeniedError(403, message, page=True, public_form=True)
        elif request.method in UNSAFE_METHODS:
            sent = await sent_token(request)
            if not tokens_match(sent, expected_token(request, user)):
                raise AccessDeniedError(403, CSRF_MESSAGE, page=rule.page or is_form(request))
        return user

    def __repr__(self) -> str:
        return f"Access({self.rule.describe()})"

    async def _user(self, request: Request, backend: Backend) -> SignedIn | None:
        try:
            return await run_in_threadpool(current_user, request, backend)
        except SQLAlchemyError as exc:
            if self.rule.roles is not None:
                raise
            # A public route (/health above all) answers while the database is away.
            log.warning("сеанс не проверен, база данных недоступна: %s", exc)
            return None


def allow(*roles: Role) -> Any:
    """A JSON API route for signed-in users with any of ``roles`` (see the module's doc)."""
    return Depends(Access(Rule(_named(roles), page=False)))


def page(*roles: Role) -> Any:
    """An HTML page for signed-in users with any of ``roles`` (see the module's doc)."""
    return Depends(Access(Rule(_named(roles), page=True)))


public: Any = Depends(Access(Rule(None, page=False)))
public_form: Any = Depends(Access(Rule(None, page=True, signed_form=True)))
public_link: Any = Depends(Access(Rule(None, page=True, secret_link=True)))


class PublicFiles(StaticFiles):
    """Static files anyone may fetch (the sign-in page needs its CSS): the ``public`` rule."""

    rule = Rule(None, page=False)


@dataclass(frozen=True, slots=True)
class DeclaredRoute:
    method: str  # GET, POST…; MOUNT for a mounted app; ? for anything else
    path: str
    rules: tuple[Rule, ...]  # in order when there is exactly one


def declared_routes(app: FastAPI) -> list[DeclaredRoute]:
    """Every route the app serves, with the rules it declares (routers' included)."""
    found: list[DeclaredRoute] = []
    for context in iter_route_contexts(app.routes):
        original = context.original_route
        dependant = getattr(context, "dependant", None)
        if isinstance(dependant, Dependant):
            rules = _rules_in(dependant)
            methods = sorted(context.methods or {"WEBSOCKET"})
            found += [DeclaredRoute(method, str(context.path), rules) for method in methods]
        elif isinstance(original, Mount):
            rules = (original.app.rule,) if isinstance(original.app, PublicFiles) else ()
            found.append(DeclaredRoute("MOUNT", original.path, rules))
        else:
            found.append(DeclaredRoute("?", str(context.path or original), ()))
    return found


def _rules_in(dependant: Dependant) -> tuple[Rule, ...]:
    found: list[Rule] = []
    pending = list(dependant.dependencies)
    while pending:
        sub = pending.pop()
        if isinstance(sub.call, Access):
            found.append(sub.call.rule)
        pending.extend(sub.dependencies)
    return tuple(found)


def _named(roles: tuple[Role, ...]) -> frozenset[Role]:
    if not roles:
        raise ValueError("name at least one role; use `public` for routes open to anyone")
    return frozenset(roles)


def _wrong_role(roles: frozenset[Role]) -> str:
    titles = [f"«{title}»" for title in role_titles(roles)]
    if len(titles) == 1:
        return f"Недостаточно прав: нужна роль {titles[0]}."
    return f"Недостаточно прав: нужна одна из ролей {', '.join(titles)}."
