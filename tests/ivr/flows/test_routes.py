"""The route table is the dialplan contract: exactly the names in ivr.route_names."""

from __future__ import annotations

import threading

from ivr.flows.context import FlowContext
from ivr.route_names import ROUTE_NAMES
from ivr.routes import ROUTES, bind_routes


def test_route_table_has_exactly_the_contract_names() -> None:
    assert set(ROUTES) == set(ROUTE_NAMES)


def test_bound_routes_cover_every_name_with_a_coroutine_function(context: FlowContext) -> None:
    bound = bind_routes(context)
    assert set(bound) == set(ROUTE_NAMES)
    assert all(callable(route) for route in bound.values())


async def test_database_work_runs_off_the_event_loop_thread(context: FlowContext) -> None:
    # One slow query must not stall every other call in progress (docs/asterisk.md §6).
    assert await context.blocking(threading.get_ident) != threading.get_ident()
