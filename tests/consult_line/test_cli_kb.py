"""``consult-line kb check|load|search``: the knowledge base from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consult_line.cli import main
from models.db import create_db_engine
from tests.models.kb_gap_samples import SAID_EXTEND, SAID_FEE, SAID_GRANT, add_spoken_calls
from tests.scripts_kb.kb_samples import write_content


@pytest.fixture
def migrated(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0


def test_check_prints_a_summary_of_good_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kb", "check", str(write_content(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "ошибок нет" in out
    assert "alco: 4" in out
    assert "faq: 5" in out


def test_check_lists_every_problem_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_content(tmp_path, {"alco/x.md": "---\nid: y\n---\n\n"})
    assert main(["kb", "check", str(root)]) == 2
    err = capsys.readouterr().err
    assert "alco/x.md:1: kind: обязательное поле не указано" in err
    assert "alco/x.md:4: body: пустой текст" in err


def test_load_twice_then_search_in_text_and_jsonl(
    migrated: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(write_content(tmp_path))
    capsys.readouterr()
    assert main(["kb", "load", root]) == 0
    assert "добавлено 6" in capsys.readouterr().out
    assert main(["kb", "load", root]) == 0
    assert "без изменений" in capsys.readouterr().out

    assert main(["kb", "search", "лицензии на продажу алкоголя", "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert "alco-license-fee" in out
    assert "[[" in out

    args = ["kb", "search", "режим работы", "--topic", "hours_and_visits", "--format", "jsonl"]
    assert main(args) == 0
    hits = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert hits[0]["id"] == "hours-ministry"
    assert set(hits[0]) == {"id", "kind", "title", "section", "score", "snippet"}


def test_search_refuses_a_query_with_nothing_to_search_and_says_when_nothing_is_found(
    migrated: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kb", "load", str(write_content(tmp_path))]) == 0
    for query, reason in [
        ("", "Пустой запрос"),
        ("   ", "Пустой запрос"),
        ("?!", "Пустой запрос"),
        ("а и в", "В запросе только служебные слова («а и в»)"),
    ]:
        capsys.readouterr()
        assert main(["kb", "search", query]) == 2, query
        captured = capsys.readouterr()
        assert captured.err.startswith(reason), query
        assert captured.out == ""
    # One word of an entry (лицензия), one of nothing: below the relevance floor.
    assert main(["kb", "search", "лицензия на слона"]) == 0
    assert capsys.readouterr().out == "Ничего не найдено.\n"


def test_search_on_an_empty_knowledge_base_says_so(
    migrated: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kb", "search", "лицензия"]) == 1
    assert "kb load" in capsys.readouterr().err


def test_overdue_lists_sections_not_reviewed_for_a_month(
    migrated: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The command reads the wall clock: one section reviewed long ago, one "in the future".
    root = write_content(tmp_path)
    sections = (root / "sections.yaml").read_text(encoding="utf-8")
    sections = sections.replace("last_reviewed: 2026-11-01", "last_reviewed: 2020-01-31", 1)
    sections = sections.replace("last_reviewed: 2026-11-01", "last_reviewed: 2999-01-01", 1)
    (root / "sections.yaml").write_text(sections, encoding="utf-8")
    assert main(["kb", "load", str(root)]) == 0
    capsys.readouterr()
    assert main(["kb", "overdue"]) == 0
    out = capsys.readouterr().out
    assert "alco  отдел licensing  проверен 2020-01-31, срок 2020-02-29" in out
    assert "hours" not in out


def test_gaps_reports_an_empty_period(migrated: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "gaps", "--since", "2026-11-01", "--until", "2026-11-30"]) == 0
    assert "2026-11-01–2026-11-30: 0, без ответа в базе знаний: 0" in capsys.readouterr().out
    assert main(["kb", "gaps", "--since", "2026-12-01", "--until", "2026-11-30"]) == 2


def test_gaps_lists_what_callers_said(
    migrated: None, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # K7: tests.models.kb_gap_samples, the week 01.12–07.12 counted by hand
    assert main(["kb", "load", str(write_content(tmp_path))]) == 0
    engine = create_db_engine(database_url)
    try:
        add_spoken_calls(engine)
    finally:
        engine.dispose()
    capsys.readouterr()
    assert main(["kb", "gaps", "--since", "2026-12-01", "--until", "2026-12-07"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-4:] == [
        "Вопросы со слов звонящих (распознаны автоматически): звонков 7, "
        "без ответа в базе знаний 3",
        f"      2  без ответа     2  {SAID_GRANT}",
        f"      3  без ответа     1  {SAID_EXTEND}",
        f"      2  без ответа     0  {SAID_FEE}",
    ]
