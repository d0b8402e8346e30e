"""``consult-line report operators`` (C4, K7): the page's CSV for the same period, filters and
day, training states included; an unknown department or state is refused in Russian."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from consult_line.arguments import TRAINING_STATES
from consult_line.cli import build_parser, main
from consult_line.commands import report
from consult_line.wiring import Services
from models.db import create_db_engine
from models.settings import Settings
from models.tables import AuditEntry, Role
from reports.training_state import TrainingState
from tests.agent_console.console import Clock, Console
from tests.reports.operator_samples import NOW, add_operator_calls

DAYS = ["--since", "2026-10-05", "--until", "2026-10-06"]


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[Engine]:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    engine = create_db_engine(database_url)
    add_operator_calls(engine)
    yield engine
    engine.dispose()


def test_the_command_writes_the_pages_csv(engine: Engine, tmp_path: Path) -> None:  # C4
    target = tmp_path / "operators.csv"
    argv = ["report", "operators", *DAYS, "--department", "second", "--output", str(target)]
    services = Services(Settings(), engine, clock=lambda: NOW)  # the day decides the training
    assert report.run(services, build_parser().parse_args(argv)) == 0
    console = Console(engine, Clock(NOW))
    console.add_user("supervisor", Role.SUPERVISOR)
    query = "since=2026-10-05&until=2026-10-06&department=second"
    page = console.signed_in("supervisor").get(f"/reports/operators.csv?{query}")
    assert target.read_bytes() == page.content
    assert [line.split(",")[7] for line in page.text.splitlines()[1:]] == [
        "Срок обучения истёк",  # 203
        "Нет обучения перед первой сменой",  # 204
    ]
    with Session(engine) as session:
        actors = session.exec(
            select(AuditEntry.actor).where(col(AuditEntry.subject) == "report:operators")
        ).all()
    assert [actor.split(":")[0] for actor in actors] == ["cli", "web"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--department", "third"],
            "Ошибка: Неизвестное значение «third» фильтра «отдел»; возможные: second, consult.\n",
        ),
        (["--training", "lapsed"], "аргумент --training: недопустимое значение 'lapsed'"),
    ],
)
def test_an_unknown_filter_value_is_refused(
    engine: Engine, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["report", "operators", *DAYS, *argv]) == 2
    err = capsys.readouterr().err
    assert message in err


def test_the_commands_states_are_the_reports() -> None:
    assert list(TRAINING_STATES) == [state.value for state in TrainingState]
