"""Scheduled jobs: the daily production-calendar check warns about unknown years (C3)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from consult_line.scheduler import warn_unknown_calendar_years
from consult_line.wiring import Services
from models.settings import Settings


def _services(engine: Engine, now: datetime) -> Services:
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False))
    return Services(settings=settings, engine=engine, clock=lambda: now)


def test_calendar_check_warns_for_a_year_without_decree(
    db_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="consult_line.scheduler"):
        warn_unknown_calendar_years(_services(db_engine, datetime(2031, 5, 4, 6, tzinfo=UTC)))
    assert any("2031" in record.getMessage() for record in caplog.records)


def test_calendar_check_is_silent_for_a_year_with_decree(
    db_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="consult_line.scheduler"):
        warn_unknown_calendar_years(_services(db_engine, datetime(2026, 5, 4, 6, tzinfo=UTC)))
    assert caplog.records == []
