"""The web app as ``serve`` runs it: the app with its context and live feed, and the HTTP
server that ends the live streams when it stops."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

import uvicorn
from fastapi import FastAPI

from agent_console import live_stream
from agent_console.app import create_app
from agent_console.deps import AppContext
from agent_console.live_stream import LiveFeed, Snapshot
from ami.bridge import CALLBACKS_TOPIC, LINK_TOPIC, TRANSFERS_TOPIC
from ami.live_state import OPERATORS_TOPIC, QUEUE_TOPIC
from consult_line.health import check
from consult_line.lifespan import Background, background_services
from consult_line.scheduler import SUPERVISOR_TOPIC
from consult_line.wiring import Services, build_backend

AMI_DISABLED: Mapping[str, Any] = {
    "state": "disabled",
    "label": "Связь с Asterisk выключена (CONSULT_LINE_AMI_ENABLED=false)",
}


def live_topics(background: Background) -> dict[str, Snapshot | None]:
    """Every topic published on the live bus and its snapshot; None: the page reloads it."""
    bridge = background.bridge
    if bridge is None:

        def picture() -> Mapping[str, Any]:
            return {"waiting": [], "operators": []}

        def link() -> Mapping[str, Any]:
            return AMI_DISABLED

    else:
        picture = bridge.live_snapshot
        link = bridge.connection.status
    return {
        QUEUE_TOPIC: picture,  # the queue and operators topics both carry the whole picture
        OPERATORS_TOPIC: picture,
        LINK_TOPIC: link,
        CALLBACKS_TOPIC: None,
        TRANSFERS_TOPIC: None,
        SUPERVISOR_TOPIC: None,
    }


def build_app(services: Services, background: Background) -> FastAPI:
    """The app with its health report, data routes, live feed and the background parts run by
    its lifespan."""
    probes = background.probes()
    context = AppContext(
        health=lambda: check(services, probes),
        version=version("consult-line"),
        backend=build_backend(services),
        bridge=background.bridge,
        bus=background.bus,
        training_line=services.settings.training_line,
    )
    app = create_app(context, lifespan=background_services(services, background))
    live_stream.install(app, LiveFeed(background.bus, live_topics(background)))
    return app


class HttpServer(uvicorn.Server):
    """uvicorn's server that lets the live streams in while it serves and ends them first
    when it stops: uvicorn waits for every open response before it stops, and an event stream
    never ends by itself."""

    def __init__(self, config: uvicorn.Config, live: LiveFeed | None) -> None:
        super().__init__(config)
        self._live = live

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        if self._live is not None:
            self._live.open()
        await super().startup(sockets)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self._live is not None:
            self._live.close()
        await super().shutdown(sockets)
