"""Settings come from CONSULT_LINE_* variables and .env; bad values get a message naming them."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from consult_line.config import ConfigError, load_settings
from models.settings import Settings


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(__import__("os").environ):
        if name.startswith("CONSULT_LINE_"):
            monkeypatch.delenv(name)


def test_defaults_are_the_documented_ports_and_hours() -> None:
    settings = load_settings()
    assert (settings.http_port, settings.agi_port, settings.ami_port) == (8000, 4573, 5038)
    assert settings.working_hours.opens == time(9)
    assert settings.working_hours.closes == time(18)
    assert settings.shortened_days_close_early is False  # C3: the line keeps 9-18
    assert settings.service_level_s == 20  # the wallboard's service level threshold
    assert settings.database_url.startswith("sqlite:///./var/")


def test_defaults_that_carry_a_rule_of_the_order() -> None:
    # Every other test passes these explicitly, so only this one fails if a default drifts.
    settings = load_settings()
    assert settings.max_transfers_per_call == 2  # C10: «не должно превышать двух»
    assert (settings.opening_time, settings.closing_time) == (time(9), time(18))  # C3
    assert settings.timezone == "Europe/Moscow"  # C3: the line's hours are Moscow time
    assert settings.callback_answer_working_days == 3  # C11: the default promised term
    assert settings.short_call_threshold_s == 5.0  # C13: flagged short, never hidden
    assert settings.missed_callback_min_time_s == 0.0  # C13: every missed call called back
    assert settings.cdr_timezone == "local"  # what Asterisk's default usegmtime = no writes
    assert settings.retention_years == 5  # G3: the interaction history is kept five years


def test_sign_in_defaults() -> None:
    settings = load_settings()
    assert settings.session_policy.idle == timedelta(hours=8)
    assert settings.session_policy.longest == timedelta(hours=12)
    assert settings.sign_in_policy.max_attempts == 5
    assert settings.sign_in_policy.lock == timedelta(minutes=15)
    assert settings.console_tls is False
    assert settings.line_title == "Консультационная линия"


def test_environment_overrides_dotenv_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CONSULT_LINE_HTTP_PORT=8100\nCONSULT_LINE_AGI_PORT=4600\n")
    monkeypatch.setenv("CONSULT_LINE_HTTP_PORT", "8200")
    settings = load_settings()
    assert settings.http_port == 8200
    assert settings.agi_port == 4600


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("CONSULT_LINE_HTTP_PORT", "70000", "CONSULT_LINE_HTTP_PORT"),
        ("CONSULT_LINE_TIMEZONE", "Europe/Makhachkala", "неизвестный часовой пояс"),
        # The reports count by UTC hour: a local day must be whole UTC hours.
        ("CONSULT_LINE_TIMEZONE", "Asia/Kolkata", "не на целое число часов"),
        ("CONSULT_LINE_DATABASE_URL", "mysql://x", "sqlite:// и postgresql"),
        ("CONSULT_LINE_AGI_ALLOWED_SOURCES", "10.0.0.1,asterisk", "'asterisk' не является IP"),
        ("CONSULT_LINE_OPENING_TIME", "19:00", "opening_time должно быть раньше closing_time"),
        ("CONSULT_LINE_CLOSING_TIME", "09:45", "длиннее часа"),
        ("CONSULT_LINE_SHORTENED_DAYS_CLOSE_EARLY", "maybe", "SHORTENED_DAYS_CLOSE_EARLY"),
        ("CONSULT_LINE_SESSION_MAX_HOURS", "4", "session_max_hours не может быть меньше"),
        ("CONSULT_LINE_SIGN_IN_MAX_ATTEMPTS", "0", "CONSULT_LINE_SIGN_IN_MAX_ATTEMPTS"),
        # G3: a shorter term would remove history the order keeps.
        ("CONSULT_LINE_RETENTION_YEARS", "4", "RETENTION_YEARS: не меньше 5 лет"),
        ("CONSULT_LINE_RETENTION_YEARS", "101", "RETENTION_YEARS: должно быть не больше 100"),
    ],
)
def test_invalid_value_is_reported_with_the_variable_name(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=expected):
        load_settings()


def test_masked_view_hides_secret_and_database_password() -> None:
    settings = Settings(
        ami_secret="s3cret",  # type: ignore[arg-type]
        database_url="postgresql+psycopg://line:p4ss@db.example.org/line",
    )
    shown = settings.masked()
    assert "s3cret" not in str(shown)
    assert "p4ss" not in str(shown)
    assert shown["database_url"] == "postgresql+psycopg://line:********@db.example.org/line"
    assert shown["ami_secret"] == "********"
