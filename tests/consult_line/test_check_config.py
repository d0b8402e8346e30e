"""``consult-line check-config``: effective settings, masked secrets, clear failures."""

from __future__ import annotations

import pytest

from consult_line.cli import main


def test_prints_effective_settings_with_secret_masked(
    monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    monkeypatch.setenv("CONSULT_LINE_AMI_SECRET", "very-secret")
    assert main(["migrate"]) == 0
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert "CONSULT_LINE_HTTP_PORT = 8000" in out
    assert "CONSULT_LINE_AMI_SECRET = ********" in out
    assert "very-secret" not in out
    assert "База данных: доступна" in out


def test_invalid_value_exits_non_zero_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSULT_LINE_AGI_PORT", "not-a-port")
    assert main(["check-config"]) == 2
    err = capsys.readouterr().err
    assert "CONSULT_LINE_AGI_PORT" in err
    assert "not-a-port" in err


def test_unreachable_database_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/x")
    assert main(["check-config"]) == 1
    assert "НЕДОСТУПНА" in capsys.readouterr().out
