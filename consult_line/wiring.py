"""Builds the long-lived objects from settings: the one place that knows how parts fit."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from consult_line.clock import Clock, system_clock
from models.calendar_store import load_calendar
from models.db import create_db_engine, session_scope
from models.line_scope import scope_to_line
from models.rules.calendar import ProductionCalendar
from models.settings import (
    DEFAULT_DATABASE_FOLDER,
    DEFAULT_DATABASE_URL,
    TRAINING_DATABASE_URL,
    Settings,
)

if TYPE_CHECKING:
    from agent_console.deps import Backend


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    engine: Engine
    clock: Clock

    def calendar(self) -> ProductionCalendar:
        """Fresh from the override tables, so an admin's edit applies without a restart."""
        with session_scope(self.engine) as session:
            return load_calendar(session=session, settings=self.settings)


def build_services(settings: Settings, *, clock: Clock = system_clock) -> Services:
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Alembic announces its context and plugins on every schema check (e.g. each /health request).
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # APScheduler announces every job twice at start; the scheduler's own line says it started.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if settings.database_url in (DEFAULT_DATABASE_URL, TRAINING_DATABASE_URL):
        # Only the default database's folder is created; settings refuse any other missing one.
        DEFAULT_DATABASE_FOLDER.mkdir(exist_ok=True)
    engine = create_db_engine(settings.database_url)
    scope_to_line(engine, training=settings.training_line)  # each line sees its own calls
    return Services(settings=settings, engine=engine, clock=clock)


def build_backend(services: Services) -> Backend:
    """What the web app's data routes need; the search index is built on first use."""
    # Imported here: the web framework loads for `serve`, not for every command.
    from agent_console.deps import Backend
    from scripts_kb.index_cache import IndexCache

    return Backend(
        engine=services.engine,
        settings=services.settings,
        clock=services.clock,
        kb_index=IndexCache(services.engine),
    )
