"""What the HTTP layer needs from the rest of the application, handed in by the app factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from agent_console.health import HealthReport


@dataclass(frozen=True, slots=True)
class AppContext:
    health: Callable[[], HealthReport]
    version: str


def get_context(request: Request) -> AppContext:
    context = request.app.state.context
    assert isinstance(context, AppContext)
    return context


ContextDep = Annotated[AppContext, Depends(get_context)]
