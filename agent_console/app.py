"""The FastAPI app factory. Routers are listed here explicitly; nothing registers itself.

Every route declares who may use it (``agent_console.auth.rules``); FastAPI's own documentation
routes are off, ``agent_console.routes.api_docs`` serves them to administrators instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import APIRouter, FastAPI
from swagger_ui_bundle import swagger_ui_path

from agent_console.auth.refusals import access_denied
from agent_console.auth.rules import AccessDeniedError, PublicFiles
from agent_console.deps import AppContext
from agent_console.routes import (
    api_docs,
    card,
    card_visits,
    clients,
    health,
    home,
    kb,
    kb_entry_page,
    kb_find,
    kb_gap_report,
    kb_review,
    live,
    mailings,
    message_handling,
    message_notices,
    messages,
    my_callbacks,
    operators_report,
    public_mailing,
    public_message,
    public_survey,
    public_visits,
    queue,
    reports,
    sign_in,
    training_phone,
    visits,
    wallboard,
)
from agent_console.security_headers import SecurityHeaders
from agent_console.templating import STATIC_DIR

ROUTERS: tuple[APIRouter, ...] = (
    sign_in.router,
    home.router,
    health.router,
    kb.router,
    kb_review.router,
    kb_gap_report.router,
    kb_entry_page.router,
    kb_find.router,
    card.router,
    card_visits.router,
    queue.router,
    api_docs.router,
    live.router,
    my_callbacks.router,
    wallboard.router,
    reports.router,
    operators_report.router,
    clients.router,
    messages.router,
    message_handling.router,
    message_notices.router,
    mailings.router,
    public_message.router,
    public_survey.router,
    public_mailing.router,
    public_visits.router,
    visits.router,
)

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


@asynccontextmanager
async def _no_background(_app: FastAPI) -> AsyncIterator[None]:
    yield


def create_app(context: AppContext, *, lifespan: Lifespan = _no_background) -> FastAPI:
    app = FastAPI(
        title="Консультационная линия",
        description="Контакт-центр консультационной линии (Asterisk, FastAGI, AMI). "
        "Вход — на странице /sign-in; запросы, меняющие данные, несут заголовок X-CSRF-Token "
        "(его значение отдаёт GET /session).",
        version=context.version,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.context = context
    for router in ROUTERS:
        app.include_router(router)
    if context.training_line:  # the simulated phone's keys exist on the training line only
        app.include_router(training_phone.router)
    app.mount("/static", PublicFiles(directory=STATIC_DIR), name="static")
    app.mount(api_docs.SWAGGER_UI_PATH, PublicFiles(directory=swagger_ui_path), name="swagger-ui")
    app.add_exception_handler(AccessDeniedError, access_denied)
    app.add_middleware(SecurityHeaders)
    return app
