"""The FastAGI flow fixtures (the real AgiServer with the route table, a real database, a
fixed clock) for the simulator's own tests of the line's dialplan."""

from tests.ivr.flows.conftest import clock, context, server, settings, sounds

__all__ = ["clock", "context", "server", "settings", "sounds"]
