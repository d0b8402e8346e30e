"""The knowledge base over HTTP: search, edits with history, reviews (K6) and gaps (K7)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from consult_line.wiring import Services, build_backend
from models.db import session_scope
from models.settings import Settings
from models.tables import CallWrapup, KbEntry, KbSource, Role
from models.topics import Topic
from tests.agent_console.kb_line import NOW, Line
from tests.models.kb_gap_samples import SAID_EXTEND, SAID_FEE, SAID_GRANT, add_spoken_calls


@pytest.fixture
def line(db_engine: Engine, tmp_path: Path) -> Line:
    return Line(db_engine, tmp_path / "kb")


# --- search -----------------------------------------------------------------------------------


def test_search_ranks_by_relevance_and_highlights_matches(line: Line) -> None:
    response = line.client.get("/kb/search", params={"q": "лицензии на продажу алкоголя"})
    assert response.status_code == 200
    hits = response.json()
    assert hits[0]["id"] == "alco-license-fee"
    assert hits[0]["section"] == "alco"
    assert "[[" in hits[0]["snippet"]
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True)


def test_search_topic_boost_and_limit(line: Line) -> None:
    assert len(line.client.get("/kb/search", params={"q": "лицензия", "limit": 1}).json()) == 1
    plain = line.client.get("/kb/search", params={"q": "лицензия"}).json()
    boosted = line.client.get(
        "/kb/search", params={"q": "лицензия", "topic": "hours_and_visits"}
    ).json()
    score = {hit["id"]: hit["score"] for hit in plain}
    boosted_score = {hit["id"]: hit["score"] for hit in boosted}
    assert boosted_score["hours-ministry"] > score["hours-ministry"]
    assert boosted_score["alco-license-fee"] == score["alco-license-fee"]


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "лицензия", "topic": "weather"}, {"q": "лицензия", "limit": 0}],
)
def test_search_refuses_bad_parameters_with_422(line: Line, params: dict[str, str]) -> None:
    assert line.client.get("/kb/search", params=params).status_code == 422


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("", "Пустой запрос"),
        ("   ", "Пустой запрос"),
        ("?!", "Пустой запрос"),
        ("а и в", "В запросе только служебные слова («а и в»)"),
    ],
)
def test_search_refuses_a_query_with_nothing_to_search(line: Line, query: str, reason: str) -> None:
    response = line.client.get("/kb/search", params={"q": query})
    assert response.status_code == 422
    assert response.json()["detail"].startswith(reason)


def test_search_below_the_relevance_floor_finds_nothing(line: Line) -> None:
    # One word of an entry (лицензия), one of nothing.
    response = line.client.get("/kb/search", params={"q": "лицензия на слона"})
    assert response.status_code == 200
    assert response.json() == []


def test_index_is_cached_and_rebuilt_after_a_reload_from_another_process(line: Line) -> None:
    line.client.get("/kb/search", params={"q": "лицензия"})
    line.client.get("/kb/search", params={"q": "пошлина"})
    assert line.backend.kb_index.builds == 1
    extra = (line.root / "hours/hours-ministry.md").read_text(encoding="utf-8")
    extra = extra.replace("id: hours-ministry", "id: hours-lunch").replace(
        "Министерство работает", "Перерыв на обед с 13:00 до 13:45. Министерство работает"
    )
    (line.root / "hours/hours-lunch.md").write_text(extra, encoding="utf-8")
    assert line.load(NOW).added == ["hours-lunch"]  # as `consult-line kb load` would
    hits = line.client.get("/kb/search", params={"q": "обед"}).json()
    assert [hit["id"] for hit in hits] == ["hours-lunch"]
    assert line.backend.kb_index.builds == 2


# --- entries and their history ----------------------------------------------------------------


def test_entry_and_its_first_version_from_the_file(line: Line) -> None:
    entry = line.client.get("/kb/entries/alco-license-term").json()
    assert entry["source"] == "file"
    assert entry["version"] == 1
    assert entry["topics"] == ["state_services"]
    versions = line.client.get("/kb/entries/alco-license-term/versions").json()
    assert [(v["version"], v["changed_by"], v["source"]) for v in versions] == [
        (1, "kb load", "file")
    ]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("patch", "/kb/entries/alco-license-term", {"title": "Новый заголовок"}),
        ("post", "/kb/sections/alco/reviewed", None),
    ],
)
def test_an_operator_cannot_change_the_knowledge_base(
    line: Line, method: str, path: str, body: dict[str, object] | None
) -> None:
    response = line.operator.request(method.upper(), path, json=body)
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Недостаточно прав: нужна одна из ролей «редактор базы знаний», «администратор»."
    )
    assert line.client.get("/kb/entries/alco-license-term").json()["version"] == 1
    sections = {s["id"]: s for s in line.client.get("/kb/sections").json()}
    assert sections["alco"]["last_reviewed"] == "2026-11-01"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/kb/search?q=лицензия", None),
        ("get", "/kb/entries/alco-license-term", None),
        ("patch", "/kb/entries/alco-license-term", {"title": "Новый заголовок"}),
        ("post", "/kb/sections/alco/reviewed", None),
        ("post", "/card/calls/1700000000.1/wrapup", {"kb_answer_found": True}),
    ],
)
def test_without_a_session_the_api_answers_401(
    line: Line, method: str, path: str, body: dict[str, object] | None
) -> None:
    line.add_call("1700000000.1")
    response = line.console.browser().request(method.upper(), path, json=body)
    assert response.status_code == 401
    assert response.json() == {"detail": "Требуется вход в систему."}
    assert line.client.get("/kb/entries/alco-license-term").json()["version"] == 1


def test_edit_appends_a_version_and_a_reload_reports_the_conflict(line: Line) -> None:
    response = line.client.patch(
        "/kb/entries/alco-license-term",
        json={"body": "Лицензия выдаётся не более чем на пять лет; продление — по заявлению."},
    )
    assert response.status_code == 200
    assert response.json()["source"] == "edit"
    assert response.json()["version"] == 2
    versions = line.client.get("/kb/entries/alco-license-term/versions").json()
    assert [(v["version"], v["changed_by"], v["source"]) for v in versions] == [
        (1, "kb load", "file"),
        (2, "ivanova", "edit"),  # the signed-in editor's login
    ]
    assert versions[1]["changed_at"].startswith("2026-12-07T09:00")
    # The edit is searchable at once: the cached index was dropped.
    hits = line.client.get("/kb/search", params={"q": "продление"}).json()
    assert hits[0]["id"] == "alco-license-term"

    path = line.root / "alco/alco-license-term.md"
    path.write_text(path.read_text(encoding="utf-8") + "Ещё строка из файла.\n", "utf-8")
    summary = line.load(NOW + timedelta(hours=1))
    assert summary.conflicts == ["alco-license-term"]
    entry = line.client.get("/kb/entries/alco-license-term").json()
    assert entry["body"].startswith("Лицензия выдаётся не более чем на пять лет")
    assert entry["version"] == 2  # the reload wrote no version


def test_an_edit_based_on_an_older_version_is_refused_and_changes_nothing(line: Line) -> None:
    first = line.client.patch(
        "/kb/entries/alco-license-term", json={"title": "Срок лицензии", "version": 1}
    )
    assert (first.status_code, first.json()["version"]) == (200, 2)
    stale = line.client.patch(
        "/kb/entries/alco-license-term", json={"title": "Другой заголовок", "version": 1}
    )
    assert stale.status_code == 409
    assert stale.json()["detail"] == (
        "Запись изменена после версии 1: сейчас версия 2 (ivanova). "
        "Перечитайте запись и повторите правку."
    )
    entry = line.client.get("/kb/entries/alco-license-term").json()
    assert (entry["title"], entry["version"]) == ("Срок лицензии", 2)
    assert (
        line.client.patch("/kb/entries/alco-license-term", json={"version": 2}).status_code == 422
    )


def test_repeating_the_same_edit_records_no_new_version(line: Line) -> None:
    edit = {"tags": ["срок", "продление"], "topics": ["state_services", "general"]}
    for _ in range(2):
        response = line.client.patch("/kb/entries/alco-license-term", json=edit)
        assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.json()["tags"] == ["срок", "продление"]


def test_file_brought_in_line_with_the_edit_is_no_longer_a_conflict(line: Line) -> None:
    line.client.patch("/kb/entries/alco-license-term", json={"title": "Срок лицензии"})
    path = line.root / "alco/alco-license-term.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Срок действия лицензии", "title: Срок лицензии"), "utf-8")
    summary = line.load(NOW + timedelta(hours=1))
    assert summary.conflicts == []
    with session_scope(line.engine) as session:
        row = session.get(KbEntry, "alco-license-term")
        assert row is not None
        assert row.source == KbSource.EDIT


@pytest.mark.parametrize(
    "body",
    [
        {"title": "   "},
        {"body": ""},
        {"topics": ["weather"]},
        {"topics": []},
        {"tags": [""]},
        {"kind": "faq"},  # not editable
        {},
    ],
)
def test_invalid_edit_is_422_and_changes_nothing(line: Line, body: dict[str, object]) -> None:
    response = line.client.patch("/kb/entries/alco-license-term", json=body)
    assert response.status_code == 422
    assert line.client.get("/kb/entries/alco-license-term").json()["version"] == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/kb/entries/no-such-entry"),
        ("get", "/kb/entries/no-such-entry/versions"),
        ("patch", "/kb/entries/no-such-entry"),
        ("post", "/kb/sections/no-such-section/reviewed"),
    ],
)
def test_unknown_ids_are_404_in_russian(line: Line, method: str, path: str) -> None:
    body = {"title": "Заголовок"} if method == "patch" else None
    response = line.client.request(method.upper(), path, json=body)
    assert response.status_code == 404
    assert "не найден" in response.json()["detail"]


# --- freshness (K6) ---------------------------------------------------------------------------


def test_reviewed_section_is_no_longer_overdue_and_a_reload_keeps_the_review(line: Line) -> None:
    sections = {s["id"]: s for s in line.client.get("/kb/sections").json()}
    assert sections["alco"]["last_reviewed"] == "2026-11-01"
    assert sections["alco"]["review_due"] == "2026-12-01"
    assert sections["alco"]["overdue"] is True
    assert sections["alco"]["owner"] == "licensing"

    response = line.client.post("/kb/sections/alco/reviewed")
    assert response.status_code == 200
    assert response.json()["last_reviewed"] == "2026-12-07"
    assert response.json()["overdue"] is False

    line.load(NOW + timedelta(hours=1))  # sections.yaml still says 2026-11-01
    sections = {s["id"]: s for s in line.client.get("/kb/sections").json()}
    assert (sections["alco"]["overdue"], sections["hours"]["overdue"]) == (False, True)


# --- wrap-ups and gaps (K7) -------------------------------------------------------------------


def test_wrapup_without_answer_is_counted_in_the_gap_report(line: Line) -> None:
    line.add_call("1700000000.1", topic=Topic.SUPPORT_MEASURES)
    line.add_call("1700000000.2")
    line.add_call("1700000000.3")
    first = line.operator.post(
        "/card/calls/1700000000.1/wrapup",
        json={"kb_answer_found": False, "question": "Как получить грант на ремёсла?"},
    )
    assert first.status_code == 201
    assert first.json()["topic"] == "support_measures"  # from the IVR
    line.operator.post(
        "/card/calls/1700000000.2/wrapup",
        json={
            "kb_answer_found": False,
            "question": "как  получить грант на ремёсла",
            "topic": "support_measures",
        },
    )
    line.operator.post(
        "/card/calls/1700000000.3/wrapup",
        json={"kb_answer_found": True, "kb_entry_id": "alco-license-fee"},
    )
    report = line.client.get("/kb/gaps").json()
    assert (report["since"], report["until"]) == ("2026-11-08", "2026-12-07")
    assert (report["wrapups"], report["without_answer"]) == (3, 2)
    assert report["topics"] == [{"topic": "support_measures", "count": 2}]
    assert report["questions"] == [
        {"question": "Как получить грант на ремёсла?", "topic": "support_measures", "count": 2}
    ]
    before = line.client.get("/kb/gaps", params={"until": "2026-12-06"}).json()
    assert before["wrapups"] == 0


def test_the_gap_report_carries_what_callers_said(line: Line) -> None:
    # K7: tests.models.kb_gap_samples, the week 01.12–07.12 counted by hand
    add_spoken_calls(line.engine)
    report = line.client.get("/kb/gaps", params={"since": "2026-12-01"}).json()
    assert (report["spoken_calls"], report["spoken_without_answer"]) == (7, 3)
    assert report["spoken_questions"] == [
        {
            "question": SAID_GRANT,
            "topic": "support_measures",
            "calls": 2,
            "without_answer": 2,
            "answered_in": [],
        },
        {
            "question": SAID_EXTEND,
            "topic": "state_services",
            "calls": 3,
            "without_answer": 1,
            "answered_in": ["alco-license-term"],
        },
        {
            "question": SAID_FEE,
            "topic": "state_services",
            "calls": 2,
            "without_answer": 0,
            "answered_in": ["alco-license-fee"],
        },
    ]
    quiet = line.client.get("/kb/gaps", params={"until": "2026-10-31"}).json()
    assert (quiet["spoken_calls"], quiet["spoken_questions"]) == (0, [])


def test_wrapup_errors(line: Line) -> None:
    line.add_call("1700000000.1")
    post = line.operator.post
    url = "/card/calls/1700000000.1/wrapup"
    unknown_entry = post(url, json={"kb_answer_found": True, "kb_entry_id": "nope"})
    assert (unknown_entry.status_code, unknown_entry.json()["detail"]) == (
        404,
        "Записи базы знаний 'nope' нет.",
    )
    assert (
        post(url, json={"kb_answer_found": False, "kb_entry_id": "alco-license-fee"})
    ).status_code == 422
    assert post(url, json={"question": "?"}).status_code == 422
    assert post(url, json={"kb_answer_found": True}).status_code == 201
    conflict = post(url, json={"kb_answer_found": True})
    assert conflict.status_code == 409
    assert "уже записан" in conflict.json()["detail"]
    missing = post("/card/calls/nope/wrapup", json={"kb_answer_found": True})
    assert missing.status_code == 404
    assert "не найден" in missing.json()["detail"]


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        (
            {"since": "2026-12-07", "until": "2026-12-01"},
            "Начало периода (07.12.2026) позже его конца (01.12.2026).",
        ),
        # Its instants would not fit a datetime: refused, not a 500.
        ({"until": "9999-12-31"}, "Период должен лежать между 01.01.2000 и 31.12.2099."),
        ({"until": "0001-01-02"}, "Период должен лежать между 01.01.2000 и 31.12.2099."),
    ],
)
def test_a_gap_period_that_cannot_be_is_422(
    line: Line, params: dict[str, str], detail: str
) -> None:
    response = line.client.get("/kb/gaps", params=params)
    assert (response.status_code, response.json()["detail"]) == (422, detail)


def test_today_is_the_lines_local_date() -> None:
    # 23:30 UTC on 6 December is already 7 December in Moscow.
    services = Services(
        settings=Settings(),
        engine=None,  # type: ignore[arg-type]
        clock=lambda: datetime(2026, 12, 6, 23, 30, tzinfo=UTC),
    )
    assert build_backend(services).today() == date(2026, 12, 7)


def test_wrapup_is_written_by_the_signed_in_operator(line: Line) -> None:
    line.add_call("1700000000.1", operator_id=line.operator_id)  # the call log: petrov answered
    response = line.operator.post("/card/calls/1700000000.1/wrapup", json={"kb_answer_found": True})
    assert response.status_code == 201
    assert response.json()["operator_id"] == line.operator_id
    line.add_call("1700000000.2")  # who answered is not known (no AMI): the author is
    response = line.operator.post("/card/calls/1700000000.2/wrapup", json={"kb_answer_found": True})
    assert response.json()["operator_id"] == line.operator_id


def test_an_operator_cannot_wrap_up_another_operators_call(line: Line) -> None:
    other = line.console.add_user("sidorov", Role.OPERATOR)
    line.add_call("1700000000.1", operator_id=other)
    response = line.operator.post("/card/calls/1700000000.1/wrapup", json={"kb_answer_found": True})
    assert response.status_code == 403
    assert response.json()["detail"] == ("Звонок принял другой оператор: итог записывает он.")
    with session_scope(line.engine) as session:
        assert session.exec(select(CallWrapup)).all() == []


def test_only_an_operator_writes_a_wrapup(line: Line) -> None:
    line.add_call("1700000000.1")
    response = line.client.post("/card/calls/1700000000.1/wrapup", json={"kb_answer_found": True})
    assert response.status_code == 403
    assert response.json()["detail"] == "Недостаточно прав: нужна роль «оператор»."
