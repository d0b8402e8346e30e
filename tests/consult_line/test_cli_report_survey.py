"""``consult-line report survey``: the survey page's table for cron and spreadsheets (C15), the
same CSV as the page's download, its figures sheets in the XLSX; an operator number nobody has
is refused with a Russian sentence and exit 2, nothing audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from consult_line.arguments import LANGUAGES, SURVEY_CHANNELS
from consult_line.cli import main
from models.db import create_db_engine
from models.tables import AuditEntry, Language, Role
from reports.message_survey import Channel
from reports.survey import CALLS_ONLY
from tests.agent_console.console import Clock, Console
from tests.reports.message_survey_samples import add_sample_message_surveys
from tests.reports.survey_samples import add_sample_surveys

DAYS = ["--since", "2026-10-05", "--until", "2026-10-06"]


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[Engine]:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    engine = create_db_engine(database_url)
    add_sample_surveys(engine)
    add_sample_message_surveys(engine)  # the calls' figures stay as they were (W12)
    yield engine
    engine.dispose()


def _audit(engine: Engine) -> list[str]:
    with Session(engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "report_export"))
        return [entry.detail for entry in entries]


def test_the_command_writes_the_pages_csv_and_the_figures(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # C15
    target = tmp_path / "survey.csv"
    filters = ["--operator", "201", "--operator", "202", "--language", "en"]
    assert main(["report", "survey", *DAYS, *filters, "--output", str(target)]) == 0
    assert capsys.readouterr().err == "Строк в отчёте: 1\n"  # s6 (s3 offered, not answered)
    console = Console(engine, Clock(datetime(2026, 10, 14, 7, tzinfo=UTC)))
    console.add_user("supervisor", Role.SUPERVISOR)
    query = "since=2026-10-05&until=2026-10-06&operator=201&operator=202&language=en"
    assert (
        target.read_bytes()
        == console.signed_in("supervisor").get(f"/reports/survey.csv?{query}").content
    )
    book_path = tmp_path / "survey.xlsx"
    assert main(["report", "survey", *DAYS, "--format", "xlsx", "--output", str(book_path)]) == 0
    totals = openpyxl.load_workbook(book_path)["Итоги"]
    figures = {row[0].value: row[1].value for row in totals.iter_rows(min_row=2)}
    assert (figures["Опрос предложен"], figures["Доля ответивших, %"]) == (8, 87.5)
    assert figures["Доля удовлетворенных, %"] == 60
    assert _audit(engine) == [
        "since=2026-10-05 until=2026-10-06 operator=201,202 language=en format=csv rows=1",
        "since=2026-10-05 until=2026-10-06 operator=201,202 language=en format=csv",
        "since=2026-10-05 until=2026-10-06 format=xlsx rows=7",
    ]


def test_an_unknown_operator_is_refused_and_nothing_is_written(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "survey", *DAYS, "--operator", "299"]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (
        "",
        "Ошибка: Неизвестное значение «299» фильтра «оператор»: "
        "укажите внутренний номер сотрудника линии.\n",
    )
    assert _audit(engine) == []


def test_the_commands_languages_are_the_lines() -> None:
    assert list(LANGUAGES) == [language.value for language in Language]


def test_the_written_messages_survey_is_the_pages_csv_too(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # W12
    target = tmp_path / "messages.csv"
    assert main(["report", "survey", *DAYS, "--channel", "messages", "--output", str(target)]) == 0
    assert capsys.readouterr().err == "Строк в отчёте: 3\n"  # m4, m1, m2
    console = Console(engine, Clock(datetime(2026, 10, 14, 7, tzinfo=UTC)))
    console.add_user("supervisor", Role.SUPERVISOR)
    query = "since=2026-10-05&until=2026-10-06&channel=messages"
    page = console.signed_in("supervisor").get(f"/reports/survey.csv?{query}")
    assert target.read_bytes() == page.content
    assert _audit(engine)[0] == (
        "since=2026-10-05 until=2026-10-06 channel=messages format=csv rows=3"
    )


def test_the_calls_filters_are_refused_with_the_messages(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "survey", *DAYS, "--channel", "messages", "--language", "ru"]) == 2
    assert capsys.readouterr().err == f"Ошибка: {CALLS_ONLY}\n"
    assert _audit(engine) == []


def test_the_commands_channels_are_the_reports() -> None:
    assert list(SURVEY_CHANNELS) == [channel.value for channel in Channel]
