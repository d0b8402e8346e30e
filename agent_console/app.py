"""The FastAPI app factory. Routers are listed here explicitly; nothing registers itself."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import APIRouter, FastAPI

from agent_console.deps import AppContext
from agent_console.routes import calls, health, kb, live

ROUTERS: tuple[APIRouter, ...] = (health.router, kb.router, calls.router, live.router)

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


@asynccontextmanager
async def _no_background(_app: FastAPI) -> AsyncIterator[None]:
    yield


def create_app(context: AppContext, *, lifespan: Lifespan = _no_background) -> FastAPI:
    app = FastAPI(
        title="Консультационная линия",
        description="Контакт-центр консультационной линии (Asterisk, FastAGI, AMI).",
        version=context.version,
        lifespan=lifespan,
    )
    app.state.context = context
    for router in ROUTERS:
        app.include_router(router)
    return app
