"""``consult-line visits rate`` (V13: the rating the visitor gives the employee at the
reception) and the survey report's «Личный приём» channel (``report survey --channel visits``,
the page and its CSV and XLSX)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from consult_line.cli import main
from models.db import create_db_engine
from models.rules.survey import AnswerReceived, QualityRating
from models.tables import AuditEntry, Role, VisitStatus, VisitSurvey
from tests.agent_console.console import Clock, Console
from tests.visits.rating_report_samples import COMMENT_V1, add_sample_ratings, msk, write_visit
from tests.visits.samples import EXAMPLES

DAY = ["--since", "2026-12-08", "--until", "2026-12-08"]


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[Engine]:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    assert main(["staff", "import", str(EXAMPLES / "staff.yaml")]) == 0
    assert main(["visits", "schedule", str(EXAMPLES / "reception.yaml")]) == 0
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


def _ratings(engine: Engine) -> list[VisitSurvey]:
    with Session(engine) as session:
        return list(session.exec(select(VisitSurvey)).all())


def test_the_employee_records_the_rating_given_at_the_reception(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:  # V13
    visit = write_visit(engine, msk(1, 10))
    rate = ["visits", "rate", str(visit), "--received", "yes", "--quality", "partly_satisfied"]
    assert main([*rate, "--comment", "Долго ждал у входа."]) == 0
    assert capsys.readouterr().out == f"Оценка приёма по записи № {visit} записана.\n"
    [rating] = _ratings(engine)
    assert rating.token_hash is None  # no link: taken on the spot
    assert (rating.answer_received, rating.quality) == (
        AnswerReceived.YES,
        QualityRating.PARTLY_SATISFIED,
    )
    assert rating.comment == "Долго ждал у входа."
    assert rating.recorded_by.startswith("cli:")
    with Session(engine) as session:
        audit = session.exec(
            select(AuditEntry).where(col(AuditEntry.action) == "visit_rated")
        ).one()
    assert (audit.subject, audit.detail) == (f"visit:{visit}", "yes/partly_satisfied")
    # once: a second rating is refused and changes nothing
    assert main([*rate[:4], "no", "--quality", "not_satisfied"]) == 2
    assert capsys.readouterr().err == "Оценка этого приёма уже получена.\n"
    assert _ratings(engine)[0].quality is QualityRating.PARTLY_SATISFIED


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (VisitStatus.CANCELLED, "Приём не состоялся"),
        (VisitStatus.NO_SHOW, "Приём не состоялся"),
    ],
)
def test_a_visit_that_did_not_take_place_is_not_rated(
    engine: Engine, capsys: pytest.CaptureFixture[str], status: VisitStatus, error: str
) -> None:  # V13
    visit = write_visit(engine, msk(1, 10), status=status)
    assert main(["visits", "rate", str(visit), "--received", "yes", "--quality", "satisfied"]) == 2
    assert capsys.readouterr().err.startswith(error)
    assert _ratings(engine) == []


def test_an_unknown_booking_is_refused(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["visits", "rate", "999", "--received", "yes", "--quality", "satisfied"]) == 2
    assert capsys.readouterr().err == "Записи № 999 нет.\n"


def test_the_visits_channel_of_the_survey_report(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # V13
    add_sample_ratings(engine)
    target = tmp_path / "visits.csv"
    assert main(["report", "survey", *DAY, "--channel", "visits", "--output", str(target)]) == 0
    assert capsys.readouterr().err == "Строк в отчёте: 3\n"  # v4, v3, v1
    console = Console(engine, Clock(datetime(2026, 12, 14, 7, tzinfo=UTC)))
    console.add_user("supervisor", Role.SUPERVISOR)
    supervisor = console.signed_in("supervisor")
    query = "since=2026-12-08&until=2026-12-08&channel=visits"
    assert target.read_bytes() == supervisor.get(f"/reports/survey.csv?{query}").content
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Принимал(а),Время приёма,")
    assert len(lines) == 4
    assert COMMENT_V1 in lines[3]
    page = supervisor.get(f"/reports/survey?{query}")
    assert page.status_code == 200
    assert "Личный приём" in page.text
    assert "Оценки личного приёма за" in page.text
    assert "Оценка приёма" in page.text
    book = tmp_path / "visits.xlsx"
    assert main(["report", "survey", *DAY, "--channel", "visits", "--format", "xlsx",
                 "--output", str(book)]) == 0  # fmt: skip
    totals = openpyxl.load_workbook(book)["Итоги"]
    figures = {row[0].value: row[1].value for row in totals.iter_rows(min_row=2)}
    # links sent v1, v2 (v3 taken on the spot is no link), answered of them v1
    assert (figures["Отправлено ссылок"], figures["Из них ответили"]) == (2, 1)
    assert (figures["Ответов за период"], figures["С комментарием"]) == (3, 1)
    assert (figures["Удовлетворен"], figures["Частично удовлетворен"]) == (1, 1)
    assert figures["Не удовлетворен"] == 1
