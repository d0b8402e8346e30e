"""``GET /health`` tells an operator-facing monitor what is wrong, in words."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from agent_console.app import create_app
from agent_console.deps import AppContext
from consult_line.health import check
from consult_line.wiring import Services, build_backend, build_services
from models.calendar_store import confirm_year
from models.db import session_scope
from models.settings import Settings


def _client(services: Services) -> TestClient:
    context = AppContext(
        health=lambda: check(services), version="test", backend=build_backend(services)
    )
    return TestClient(create_app(context))


def test_database_down_gives_503_with_reason() -> None:
    # Nothing listens on port 1: the database is "briefly gone".
    settings = Settings(database_url="postgresql+psycopg://postgres@127.0.0.1:1/x")
    services = build_services(settings)
    response = _client(services).get("/health")
    services.engine.dispose()
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert "недоступна" in response.json()["warnings"][0]


def test_year_without_known_decree_is_reported_as_degraded(db_engine: Engine) -> None:
    # C3: a year whose transfer decree is unknown is served, with a loud warning.
    settings = Settings(database_url=db_engine.url.render_as_string(hide_password=False))
    services = Services(
        settings=settings, engine=db_engine, clock=lambda: datetime(2031, 3, 3, 7, tzinfo=UTC)
    )
    body = _client(services).get("/health").json()
    assert body["status"] == "degraded"
    assert body["calendar"][0]["source"] == "statutory_only"
    assert any("2031" in warning for warning in body["warnings"])
    assert body["line_open"] is True  # Monday 10:00 MSK


def test_known_year_in_december_also_checks_next_year(db_engine: Engine) -> None:
    # C3: the 2027 decree is known, its official shortened days are not: loud until confirmed.
    settings = Settings(database_url=db_engine.url.render_as_string(hide_password=False))
    now = datetime(2026, 12, 1, 7, tzinfo=UTC)
    services = Services(settings=settings, engine=db_engine, clock=lambda: now)
    body = _client(services).get("/health").json()
    assert [year["year"] for year in body["calendar"]] == [2026, 2027]
    assert body["status"] == "degraded"
    (warning,) = body["warnings"]
    assert "2027" in warning
    assert "ст. 95 ТК РФ" in warning

    with session_scope(db_engine) as session:
        confirm_year(
            session=session, year=2027, source="Производственный календарь", actor="t", now=now
        )
    assert _client(services).get("/health").json()["status"] == "ok"
