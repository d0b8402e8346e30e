"""``consult-line migrate``: safe to run on every start, clear when the database is gone."""

from __future__ import annotations

import pytest

from consult_line.cli import main
from models.migrate import shipped_head


def test_first_run_creates_the_schema_and_second_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    head = shipped_head()
    assert f"пустая база → {head}." in capsys.readouterr().out
    assert main(["migrate"]) == 0
    assert f"уже актуальна (ревизия {head})" in capsys.readouterr().out


def test_unreachable_database_exits_1_with_reason(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/x")
    assert main(["migrate"]) == 1
    assert "База данных недоступна (postgresql+psycopg://postgres@127.0.0.1:1/x)" in (
        capsys.readouterr().err
    )
