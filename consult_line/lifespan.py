"""What runs beside the web app in ``serve``: the scheduler and the FastAGI server."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from consult_line.scheduler import build_scheduler
from consult_line.wiring import Services
from ivr.agi.server import AgiServer
from ivr.flows.context import FlowContext
from ivr.routes import bind_routes
from models.line_store import LineStore

log = logging.getLogger(__name__)

# Calls in progress get this long to finish their AGI dialogue on shutdown.
AGI_DRAIN_TIMEOUT_S = 10.0


def build_agi_server(services: Services) -> AgiServer:
    settings = services.settings
    context = FlowContext(
        store=LineStore(services.engine, settings), clock=services.clock, settings=settings
    )
    return AgiServer(
        bind_routes(context),
        host=settings.agi_host,
        port=settings.agi_port,
        max_sessions=settings.agi_max_sessions,
        session_timeout_s=settings.agi_session_timeout_s,
        allowed_sources=settings.allowed_agi_sources,
    )


def background_services(
    services: Services,
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        scheduler = build_scheduler(services)
        agi = build_agi_server(services)
        await agi.start()
        log.info("FastAGI: agi://%s:%d", services.settings.agi_host, agi.port)
        scheduler.start()
        log.info("планировщик запущен")
        try:
            yield
        finally:
            scheduler.shutdown(wait=True)
            log.info("планировщик остановлен")
            await agi.stop(AGI_DRAIN_TIMEOUT_S)
            log.info("FastAGI остановлен")

    return lifespan
