"""``consult-line serve``: the web app and the scheduler in one process."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import socket

import uvicorn
from sqlalchemy.exc import OperationalError

from agent_console.live_stream import live_feed
from consult_line.access_log import hide_link_tokens
from consult_line.health import check, describe_line, file_probes
from consult_line.lifespan import build_background
from consult_line.web import HttpServer, build_app
from consult_line.wiring import Services
from models.migrate import pending_migrations
from models.os_errors import listen_error, os_error_reason
from models.settings import Settings

log = logging.getLogger(__name__)


def run(services: Services, _args: argparse.Namespace) -> int:
    settings = services.settings
    try:
        if pending_migrations(services.engine):
            log.error("схема базы данных устарела или не создана: выполните consult-line migrate")
            return 1
    except OperationalError as exc:
        # Asterisk keeps calling while the database is briefly gone: serve anyway, /health
        # reports the outage until the database is back.
        log.error("база данных недоступна, служба запускается без неё: %s", exc.orig)
    line = describe_line(settings)
    if line["kind"] == "training":
        log.warning("%s; база данных: %s", line["label"], settings.masked()["database_url"])
    else:
        log.info("%s", line["label"])
    busy = _unavailable_port(settings)
    if busy is not None:
        log.error("%s", busy)
        return 1
    background = build_background(services)  # the training line's records exist from here
    for warning in check(services, file_probes(settings)).warnings:
        log.warning("%s", warning)
    app = build_app(services, background)
    server = HttpServer(
        uvicorn.Config(
            app,
            host=settings.http_host,
            port=settings.http_port,
            log_level=settings.log_level.lower(),
            lifespan="on",
        ),
        live=live_feed(app),
    )
    hide_link_tokens()  # uvicorn has set its loggers up by now
    # uvicorn re-raises the stop signal after its graceful shutdown; with these handlers
    # in place that re-raise is harmless and SIGTERM ends the process with status 0.
    signal.signal(signal.SIGTERM, lambda *_: None)
    signal.signal(signal.SIGINT, lambda *_: None)
    log.info("консультационная линия: http://%s:%d", settings.http_host, settings.http_port)
    with contextlib.suppress(SystemExit):  # uvicorn exits when the app cannot start
        server.run()
    if not server.started:
        log.error("служба не запустилась")
        return 1
    log.info("служба остановлена")
    return 0


def _unavailable_port(settings: Settings) -> str | None:
    """Why the web app or FastAGI could not listen, said before anything starts."""
    for prefix, host, port in (
        ("CONSULT_LINE_HTTP", settings.http_host, settings.http_port),
        ("CONSULT_LINE_AGI", settings.agi_host, settings.agi_port),
    ):
        exc = listen_error(host, port)
        if isinstance(exc, socket.gaierror):
            return f"адрес {host} ({prefix}_HOST) не найден"
        if exc is not None:
            return f"порт {host}:{port} ({prefix}_PORT) недоступен: {os_error_reason(exc)}"
    return None
