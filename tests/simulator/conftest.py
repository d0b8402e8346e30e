"""The FastAGI flow fixtures (the real AgiServer with the route table, a real database, a
fixed clock) for the simulator's own tests of the line's dialplan, and the staff directory the
transfer guard reads."""

import pytest
from sqlalchemy.engine import Engine

from tests.factories import add_employee
from tests.ivr.flows.conftest import clock, context, server, settings, sounds

__all__ = ["clock", "context", "server", "settings", "sounds"]


@pytest.fixture
def employees(db_engine: Engine) -> None:
    """The employees a transfer on the line reaches: 301, 302 and 303 on their own phones."""
    for number in ("301", "302", "303"):
        add_employee(db_engine, number, f"PJSIP/{number}")
