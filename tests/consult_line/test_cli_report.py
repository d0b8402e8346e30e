"""``consult-line report missed``: the page's figures for cron and spreadsheets (C13). The
command writes the same CSV as the page's download for the same period and filters, an XLSX
to a file or a pipe but never to a terminal, refuses bad input with a Russian sentence, and
is audited."""

from __future__ import annotations

import csv
import io
import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from consult_line.arguments import (
    CALLBACK_STATES,
    CALLBACK_STATUSES,
    CALLBACK_TERMS,
    MISSED_REASONS,
    SHORT_CALLS,
    TOPICS_OR_NONE,
    TRANSFER_OUTCOMES,
)
from consult_line.cli import main
from models.db import create_db_engine
from models.rules.callbacks import CallbackStatus
from models.rules.missed import MissedReason
from models.rules.transfers import TransferOutcome
from models.tables import AuditEntry, Role
from reports.callbacks import Term
from reports.missed import TOPIC_CHOICES, CallbackState, ShortCalls
from tests.agent_console.console import Clock, Console
from tests.reports.callback_samples import add_sample_tasks, add_sample_transfers
from tests.reports.samples import add_sample_calls

DAYS = ["--since", "2026-10-05", "--until", "2026-10-06"]


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[Engine]:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    engine = create_db_engine(database_url)
    add_sample_calls(engine)
    yield engine
    engine.dispose()


def _audit(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == "report_export")))


def _report(*argv: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "consult_line.cli", "report", "missed", *argv],
        capture_output=True,
        timeout=60,
        check=False,
        env=os.environ.copy(),
    )


def test_the_command_writes_the_pages_csv(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # C13
    target = tmp_path / "missed.csv"
    filters = ["--reason", "abandoned_in_queue", "--reason", "queue_timeout", "--short", "without"]
    assert main(["report", "missed", *DAYS, *filters, "--output", str(target)]) == 0
    assert capsys.readouterr().err == "Строк в отчёте: 4\n"  # m2, m3, m5, m6
    written = target.read_bytes()
    console = Console(engine, Clock(datetime(2026, 10, 14, 7, tzinfo=UTC)))
    console.add_user("supervisor", Role.SUPERVISOR)
    query = "since=2026-10-05&until=2026-10-06&reason=abandoned_in_queue&reason=queue_timeout"
    page = console.signed_in("supervisor").get(f"/reports/missed.csv?{query}&short=without")
    assert written == page.content
    rows = list(csv.reader(io.StringIO(written.decode())))
    assert [row[3] for row in rows[1:]] == [
        "Звонящий положил трубку в очереди",
        "Истекло время ожидания в очереди",
        "Звонящий положил трубку в очереди",
        "Истекло время ожидания в очереди",
    ]
    cli, web = _audit(engine)
    assert cli.actor.startswith("cli:")
    assert cli.detail == (
        "since=2026-10-05 until=2026-10-06 reason=abandoned_in_queue,queue_timeout "
        "short=without format=csv rows=4"
    )
    assert web.actor == "web:supervisor"


def test_xlsx_goes_to_a_file_or_a_pipe_never_to_a_terminal(engine: Engine, tmp_path: Path) -> None:
    target = tmp_path / "missed.xlsx"
    assert main(["report", "missed", *DAYS, "--format", "xlsx", "--output", str(target)]) == 0
    from_file = openpyxl.load_workbook(target)["Пропущенные звонки"]
    assert from_file.max_row == 9  # the header and the eight missed calls
    piped = _report(*DAYS, "--callback", "done", "--format", "xlsx")
    assert (piped.returncode, piped.stderr.decode()) == (0, "Строк в отчёте: 2\n")
    sheet = openpyxl.load_workbook(io.BytesIO(piped.stdout))["Пропущенные звонки"]
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == ["+79280000003"] * 2
    before = len(_audit(engine))
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "consult_line.cli",
                "report",
                "missed",
                *DAYS,
                "--format",
                "xlsx",
            ],
            stdout=follower,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2
    assert done.stderr.decode() == (
        "XLSX — двоичный файл, в терминал он не выводится: укажите --output ФАЙЛ "
        "или перенаправьте вывод в файл.\n"
    )
    assert len(_audit(engine)) == before  # nothing was written


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--since", "2026-10-31", "--until", "2026-10-01"],
            "Ошибка: Конец периода (01.10.2026) раньше начала (31.10.2026).\n",
        ),
        (
            ["--since", "2025-01-01", "--until", "2026-10-01"],
            "Ошибка: Период длиннее 366 дней (639): выберите не больше года.\n",
        ),
        (
            [*DAYS, "--reason", "hung_up"],
            "consult-line report missed: аргумент --reason: недопустимое значение 'hung_up', "
            "возможные: 'abandoned_in_ivr', 'abandoned_in_queue', 'queue_timeout', "
            "'no_operators', 'left_queue_by_key', 'unknown' "
            "(справка: consult-line report missed --help)\n",
        ),
        (
            ["--since", "05.10.2026", "--until", "2026-10-06"],
            "consult-line report missed: аргумент --since: дата в виде ГГГГ-ММ-ДД, получено "
            "'05.10.2026' (справка: consult-line report missed --help)\n",
        ),
        (
            ["--until", "2026-10-06"],
            "consult-line report missed: не указаны обязательные аргументы: --since "
            "(справка: consult-line report missed --help)\n",
        ),
    ],
)
def test_bad_input_is_one_russian_sentence_and_exit_2_without_audit(
    engine: Engine, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["report", "missed", *argv]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", message)
    assert _audit(engine) == []


def test_the_commands_filter_values_are_the_reports() -> None:
    assert list(MISSED_REASONS) == [reason.value for reason in MissedReason]
    assert list(CALLBACK_STATES) == [state.value for state in CallbackState]
    assert list(SHORT_CALLS) == [short.value for short in ShortCalls]
    assert list(TOPICS_OR_NONE) == list(TOPIC_CHOICES)


def test_report_help_is_russian(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "missed", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("использование: consult-line report missed [-h] --since ДАТА")
    assert "--reason ПРИЧИНА" in out
    assert "usage" not in out


@pytest.mark.parametrize(
    ("argv", "query", "rows"),
    [
        # Closed tasks: their terms do not depend on when the report is made (C11). Six of
        # the callback samples (t1–t4, t9, t10), two of the missed-call samples' tasks.
        (["callbacks", "--status", "done", "--status", "failed"], "status=done&status=failed", 8),
        (
            ["transfers", "--department", "law", "--outcome", "completed"],
            "department=law&outcome=completed",
            2,
        ),
    ],
)
def test_the_callback_and_transfer_commands_write_the_pages_csv(
    engine: Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    query: str,
    rows: int,
) -> None:  # C10, C11
    add_sample_tasks(engine)
    add_sample_transfers(engine)
    target = tmp_path / "report.csv"
    assert main(["report", argv[0], *DAYS, *argv[1:], "--output", str(target)]) == 0
    assert capsys.readouterr().err == f"Строк в отчёте: {rows}\n"
    console = Console(engine, Clock(datetime(2026, 10, 14, 7, tzinfo=UTC)))
    console.add_user("supervisor", Role.SUPERVISOR)
    page = console.signed_in("supervisor").get(
        f"/reports/{argv[0]}.csv?since=2026-10-05&until=2026-10-06&{query}"
    )
    assert target.read_bytes() == page.content
    assert _audit(engine)[0].subject == f"report:{argv[0]}"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["callbacks", *DAYS, "--owner", "999"],
            "Ошибка: Неизвестное значение «999» фильтра «ответственный»",
        ),
        (
            ["transfers", *DAYS, "--department", "tax"],
            "Ошибка: Неизвестное значение «tax» фильтра «отдел»",
        ),
    ],
)
def test_a_number_or_code_of_nobody_is_refused_without_audit(
    engine: Engine, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["report", *argv]) == 2
    assert capsys.readouterr().err.startswith(message)
    assert _audit(engine) == []


def test_the_callback_and_transfer_filter_values_are_the_reports() -> None:
    assert list(CALLBACK_STATUSES) == [status.value for status in CallbackStatus]
    assert list(CALLBACK_TERMS) == [term.value for term in Term]
    assert list(TRANSFER_OUTCOMES) == [outcome.value for outcome in TransferOutcome]
