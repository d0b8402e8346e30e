"""``consult-line serve``: the web app and the scheduler in one process."""

from __future__ import annotations

import logging
import signal
from importlib.metadata import version

import uvicorn
from sqlalchemy.exc import OperationalError

from agent_console.app import create_app
from agent_console.deps import AppContext
from consult_line.health import check
from consult_line.lifespan import background_services, build_background
from consult_line.wiring import Services, build_backend
from models.migrate import pending_migrations

log = logging.getLogger(__name__)


def serve(services: Services) -> int:
    settings = services.settings
    try:
        if pending_migrations(services.engine):
            log.error("схема базы данных устарела или не создана: выполните consult-line migrate")
            return 1
    except OperationalError as exc:
        # Asterisk keeps calling while the database is briefly gone: serve anyway, /health
        # reports the outage until the database is back.
        log.error("база данных недоступна, служба запускается без неё: %s", exc.orig)
    for warning in check(services).warnings:
        log.warning("%s", warning)
    background = build_background(services)
    probes = background.probes()
    context = AppContext(
        health=lambda: check(services, probes),
        version=version("consult-line"),
        backend=build_backend(services),
    )
    app = create_app(context, lifespan=background_services(services, background))
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=settings.http_host,
            port=settings.http_port,
            log_level=settings.log_level.lower(),
            lifespan="on",
        )
    )
    # uvicorn re-raises the stop signal after its graceful shutdown; with these handlers
    # in place that re-raise is harmless and SIGTERM ends the process with status 0.
    signal.signal(signal.SIGTERM, lambda *_: None)
    signal.signal(signal.SIGINT, lambda *_: None)
    log.info("консультационная линия: http://%s:%d", settings.http_host, settings.http_port)
    server.run()
    if not server.started:
        return 1
    log.info("служба остановлена")
    return 0
