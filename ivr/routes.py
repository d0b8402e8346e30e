"""The route table: which flow answers ``AGI(${CONSULT_AGI}/<name>,...)``.

One explicit table, keyed exactly by ``ivr.route_names.ROUTE_NAMES`` (the dialplan contract);
nothing registers itself on import. The server gets closures over one FlowContext.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import Final

from ivr import route_names
from ivr.agi.channel import AgiChannel
from ivr.agi.server import Route
from ivr.flows import callback_dialout, entry, survey, transfer, visit_reminder
from ivr.flows.context import FlowContext

RouteHandler = Callable[[AgiChannel, FlowContext], Awaitable[None]]

ROUTES: Final[Mapping[str, RouteHandler]] = MappingProxyType(
    {
        route_names.ENTRY: entry.run,
        route_names.SURVEY: survey.run,
        route_names.TRANSFER: transfer.run,
        route_names.TRANSFER_FAILED: transfer.run_failed,
        route_names.CALLBACK_DIALOUT: callback_dialout.run,
        route_names.VISIT_REMINDER: visit_reminder.run,
    }
)


def bind_routes(context: FlowContext) -> dict[str, Route]:
    """The table as the server takes it: ``route(channel)``, the context bound in."""
    return {name: _bind(handler, context) for name, handler in ROUTES.items()}


def _bind(handler: RouteHandler, context: FlowContext) -> Route:
    async def route(channel: AgiChannel) -> None:
        await handler(channel, context)

    return route
