"""What the HTTP layer needs from the rest of the application, handed in by the app factory."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.engine import Engine

from agent_console.auth.passwords import PRODUCTION, Passwords
from agent_console.health import HealthReport
from agent_console.public_limits import PublicLimit, subscription_limit, survey_limit
from agent_console.public_message_desk import OnceDesk, PublicMessageDesk, visit_desk
from agent_console.visit_form import Confirmed
from ami.bridge import AmiBridge
from ami.bus import LiveBus
from ami.connection import AmiConnection
from models.settings import Settings
from scripts_kb.index_cache import IndexCache


@dataclass(frozen=True, slots=True)
class Backend:
    """The database and what the data routes read with it; built by the composition root."""

    engine: Engine
    settings: Settings
    clock: Callable[[], datetime]
    kb_index: IndexCache
    passwords: Passwords = PRODUCTION  # tests pass cheaper argon2 parameters
    # Signs the public form's tokens while the settings name no key (a key per start).
    random_form_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    def today(self) -> date:
        """The line's local date (K6 reviews are days at the Ministry, not UTC days)."""
        return self.clock().astimezone(self.settings.tz).date()

    def form_key(self) -> bytes:
        """The key of the public form's tokens (``agent_console.auth.form_tokens``)."""
        configured = self.settings.public_form_secret.get_secret_value()
        return configured.encode("utf-8") if configured else self.random_form_key


@dataclass(frozen=True, slots=True)
class AppContext:
    health: Callable[[], HealthReport]
    version: str
    backend: Backend
    bridge: AmiBridge | None = None  # the AMI link; None: switched off (or a test without it)
    bus: LiveBus | None = None  # where the console tells supervisors (topic "supervisor")
    # The training line (a simulated Asterisk, models.settings): every page says so and the
    # operator's simulated phone has its buttons (agent_console.routes.training_phone).
    training_line: bool = False
    # The public message form's limits and the forms already registered (in memory).
    public_messages: PublicMessageDesk = field(default_factory=PublicMessageDesk)
    # The survey page's limits (W12): answers sent lately, by address and in all (in memory).
    public_surveys: PublicLimit = field(default_factory=survey_limit)
    # The mailing subscription page's limits (M3): requests lately, by address and in all.
    public_subscriptions: PublicLimit = field(default_factory=subscription_limit)
    # The public booking page's limits and the forms already booked (V1), by the form's nonce.
    public_visits: OnceDesk[Confirmed] = field(default_factory=visit_desk)

    @property
    def ami(self) -> AmiConnection | None:
        """The AMI connection queue and transfer actions go through; None while it is off."""
        return self.bridge.connection if self.bridge is not None else None

    def live_snapshot(self) -> Mapping[str, Any]:
        """The live picture of the queue and operators (empty while the AMI link is off).
        Read it in the event loop's thread: the bridge changes it there."""
        return self.bridge.live_snapshot() if self.bridge is not None else {}


def get_context(request: Request) -> AppContext:
    context = request.app.state.context
    assert isinstance(context, AppContext)
    return context


ContextDep = Annotated[AppContext, Depends(get_context)]


def get_backend(context: ContextDep) -> Backend:
    return context.backend


BackendDep = Annotated[Backend, Depends(get_backend)]


def get_bridge(context: ContextDep) -> AmiBridge | None:
    return context.bridge


BridgeDep = Annotated[AmiBridge | None, Depends(get_bridge)]
