"""«База знаний: пробелы» (K7) as a page and as CSV, against wrap-ups written by hand: the figures
below are counted by hand from :data:`WRAPUPS` (and, for what callers said, from
``tests.models.kb_gap_samples``), the period's edges in Moscow time (the line's zone), not UTC."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from models.tables import Role
from models.topics import Topic
from tests.agent_console.kb_line import Line, add_wrapup
from tests.models.kb_gap_samples import (
    SAID_EXTEND,
    SAID_FEE,
    SAID_GRANT,
    SpokenCall,
    Wrapup,
    add_spoken_call,
    add_spoken_calls,
)

GRANT = "Как получить грант на ремёсла?"
TERM = "На сколько лет дают лицензию на алкоголь"

# (UTC instant, entry the answer was found in or None, question, topic); today is 07.12.2026.
WRAPUPS: list[tuple[datetime, str | None, str, Topic | None]] = [
    # 30.11 23:30 MSK: before 01.12, inside the default 30 days
    (datetime(2026, 11, 30, 20, 30, tzinfo=UTC), None, GRANT, Topic.SUPPORT_MEASURES),
    # 01.12 00:30 MSK (still 30.11 in UTC): inside 01.12–07.12
    (datetime(2026, 11, 30, 21, 30, tzinfo=UTC), None, GRANT, Topic.SUPPORT_MEASURES),
    (
        datetime(2026, 12, 3, 7, 0, tzinfo=UTC),
        None,
        "как  получить грант на ремёсла",
        Topic.SUPPORT_MEASURES,
    ),
    (datetime(2026, 12, 4, 8, 0, tzinfo=UTC), None, GRANT, Topic.SUPPORT_MEASURES),
    (datetime(2026, 12, 5, 8, 0, tzinfo=UTC), None, TERM, Topic.STATE_SERVICES),
    (datetime(2026, 12, 5, 9, 0, tzinfo=UTC), None, "", None),  # no question, no topic
    (
        datetime(2026, 12, 6, 8, 0, tzinfo=UTC),
        "alco-license-fee",
        "Сколько стоит лицензия",
        Topic.STATE_SERVICES,
    ),
    (
        datetime(2026, 12, 6, 9, 0, tzinfo=UTC),
        "alco-license-term",
        "на сколько лет дают лицензию  на алкоголь?",
        Topic.STATE_SERVICES,
    ),
    (datetime(2026, 12, 7, 6, 0, tzinfo=UTC), "alco-license-fee", "", None),
    # 08.12 00:10 MSK: after 07.12
    (datetime(2026, 12, 7, 21, 10, tzinfo=UTC), None, GRANT, Topic.SUPPORT_MEASURES),
]
WEEK = {"since": "2026-12-01", "until": "2026-12-07"}


@pytest.fixture
def line(db_engine: Engine, tmp_path: Path) -> Line:
    line = Line(db_engine, tmp_path / "kb")
    for number, (at, entry, question, topic) in enumerate(WRAPUPS, start=1):
        add_wrapup(db_engine, f"1700000000.{number}", at, question, entry=entry, topic=topic)
    return line


@pytest.fixture
def supervisor(line: Line) -> TestClient:
    line.console.add_user("sidorova", Role.SUPERVISOR)
    return line.console.signed_in("sidorova")


def _table(html: str, table_id: str) -> list[list[str]]:
    """The rows of a table as the eye reads them: each cell's text, tags and spaces dropped."""
    match = re.search(
        rf'<table class="kb-table" id="{table_id}">.*?<tbody>(.*?)</tbody>', html, re.S
    )
    assert match is not None, table_id
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S)
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]


def test_the_report_for_a_week_counts_by_hand(supervisor: TestClient) -> None:  # K7
    page = supervisor.get("/kb/gap-report", params=WEEK)
    assert page.status_code == 200
    html = page.text
    summary = " ".join(
        re.sub(r"<[^>]+>", " ", html.split('id="kb-gap-summary">')[1].split("</p>")[0]).split()
    )
    assert summary == (
        "За 01.12.2026 — 07.12.2026: итогов звонков — 8 , без ответа в базе знаний — 5 (63 %)."
    )
    # 3 + 1 + 1 = 5 without an answer; ties by the topic's code, «без темы» first
    assert _table(html, "kb-gap-topics") == [
        ["Меры государственной поддержки", "3", "60 %"],
        ["без темы", "1", "20 %"],
        ["Государственные услуги и статус заявлений", "1", "20 %"],
    ]
    assert _table(html, "kb-gap-questions") == [
        ["1", GRANT, "Меры государственной поддержки", "3", "Искать"],
        [
            "2",
            TERM,
            "Государственные услуги и статус заявлений",
            "1",
            "Искать Другие операторы находили ответ: Срок действия лицензии",
        ],
    ]
    assert _table(html, "kb-gap-entries") == [
        ["Сколько стоит лицензия на розничную продажу алкогольной продукции", "2"],
        ["Срок действия лицензии", "1"],
    ]
    assert 'href="/kb/view/alco-license-term"' in html
    assert 'href="/kb/view/alco-license-fee"' in html


def test_by_default_the_last_30_days_up_to_today_in_the_lines_zone(line: Line) -> None:
    html = line.client.get("/kb/gap-report").text
    assert 'name="since" type="date" value="2026-11-08"' in html
    assert 'name="until" type="date" value="2026-12-07"' in html
    # the week's 8, and 30.11 23:30 MSK; not 08.12 00:10 MSK
    assert re.search(r'data-field="wrapups">9<', html)
    assert re.search(r'data-field="without-answer">6<', html)
    assert _table(html, "kb-gap-questions")[0][:4] == [
        "1",
        GRANT,
        "Меры государственной поддержки",
        "4",
    ]


def test_each_question_links_to_a_search_that_finds_entries(line: Line) -> None:
    html = line.client.get("/kb/gap-report", params=WEEK).text
    links = re.findall(r'<a href="(/kb/find\?[^"]+)">Искать</a>', html)
    assert len(links) == 2
    query = parse_qs(urlsplit(links[1].replace("&amp;", "&")).query)
    assert query == {"q": [TERM], "topic": ["state_services"]}
    found = line.client.get(links[1].replace("&amp;", "&"))
    assert found.status_code == 200
    assert f'value="{TERM}"' in found.text
    assert re.findall(r'class="kb-hit__title" href="([^"]+)"', found.text)[0] == (
        "/kb/view/alco-license-term"
    )


def test_the_questions_as_csv(line: Line) -> None:
    html = line.client.get("/kb/gap-report", params=WEEK).text
    assert 'href="/kb/gap-report.csv?since=2026-12-01&amp;until=2026-12-07"' in html
    response = line.client.get("/kb/gap-report.csv", params=WEEK)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="kb-gaps-2026-12-01-2026-12-07.csv"'
    )
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["вопрос", "тема", "звонков без ответа", "ответ находили в записях"],
        [GRANT, "Меры государственной поддержки", "3", ""],
        [
            TERM,
            "Государственные услуги и статус заявлений",
            "1",
            "Срок действия лицензии (alco-license-term)",
        ],
    ]


def test_an_operator_gets_403_on_the_report_and_its_csv(line: Line) -> None:
    for path in ("/kb/gap-report", "/kb/gap-report.csv", "/kb/gap-report-spoken.csv"):
        response = line.operator.get(path, params=WEEK)
        assert response.status_code == 403, path
        assert "Недостаточно прав" in response.text
        assert GRANT not in response.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"since": "2026-12-07", "until": "2026-12-01"},
            "Начало периода (07.12.2026) позже его конца (01.12.2026).",
        ),
        ({"since": "вчера"}, "Дата начала «вчера» не распознана: укажите её как ДД.ММ.ГГГГ."),
        ({"until": "31.02.2026"}, "Дата конца «31.02.2026» не распознана"),
        ({"until": "9999-12-31"}, "Период должен лежать между 01.01.2000 и 31.12.2099."),
    ],
)
def test_a_period_that_cannot_be_is_explained_and_nothing_is_counted(
    line: Line, params: dict[str, str], message: str
) -> None:
    for path in ("/kb/gap-report", "/kb/gap-report.csv", "/kb/gap-report-spoken.csv"):
        page = line.client.get(path, params=params)
        assert page.status_code == 422
        assert message in page.text
        assert 'id="kb-gap-summary"' not in page.text
        assert '<form class="kb-filter" method="get" action="/kb/gap-report">' in page.text


def test_dates_typed_the_russian_way_are_understood(line: Line) -> None:
    html = line.client.get("/kb/gap-report", params={"since": "01.12.2026", "until": "7.12.2026"})
    assert re.search(r'data-field="wrapups">8<', html.text)


# --- what callers said (speech) ----------------------------------------------------------------


@pytest.fixture
def spoken_line(db_engine: Engine, tmp_path: Path) -> Line:
    line = Line(db_engine, tmp_path / "kb")
    add_spoken_calls(db_engine)
    return line


def test_what_callers_said_in_the_week_counts_by_hand(spoken_line: Line) -> None:  # K7
    html = spoken_line.client.get("/kb/gap-report", params=WEEK).text
    summary = " ".join(
        re.sub(
            r"<[^>]+>", " ", html.split('id="kb-gap-spoken-summary">')[1].split("</p>")[0]
        ).split()
    )
    # tests.models.kb_gap_samples: 7 calls said something in the week, 3 found no answer
    assert summary == (
        "Звонков с вопросом, названным голосом, — 7 , из них без ответа в базе знаний — 3 ."
    )
    assert _table(html, "kb-gap-spoken") == [
        ["1", SAID_GRANT, "Меры государственной поддержки", "2", "2", "Искать"],
        [
            "2",
            SAID_EXTEND,
            "Государственные услуги и статус заявлений",
            "3",
            "1",
            "Искать Операторы находили ответ: Срок действия лицензии",
        ],
        [
            "3",
            SAID_FEE,
            "Государственные услуги и статус заявлений",
            "2",
            "0",
            "Искать Операторы находили ответ: Сколько стоит лицензия на розничную продажу "
            "алкогольной продукции",
        ],
    ]
    search = re.findall(r'<a href="(/kb/find\?[^"]+)">Искать</a>', html)[-3]
    query = parse_qs(urlsplit(search.replace("&amp;", "&")).query)
    assert query == {"q": [SAID_GRANT], "topic": ["support_measures"]}


def test_no_spoken_question_in_the_period_says_so(spoken_line: Line) -> None:
    html = spoken_line.client.get("/kb/gap-report", params={"until": "2026-10-31"}).text
    assert "За период звонящие не называли вопрос голосом." in html
    assert 'id="kb-gap-spoken"' not in html


def test_a_spoken_question_with_markup_is_shown_as_text(spoken_line: Line) -> None:
    # the transcript is the caller's text: escaped in the page, in the search link, in the CSV
    said = '<script>alert(1)</script> "><img src=x onerror=alert(2)>'
    add_spoken_call(
        spoken_line.engine,
        "1800000001.1",
        SpokenCall(datetime(2026, 12, 2, 9, 0, tzinfo=UTC), said, None, Wrapup(None)),
    )
    html = spoken_line.client.get("/kb/gap-report", params=WEEK).text
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; &#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    )
    # one call, without an answer: after the grant (2) and the first question (1 of 3 calls)
    assert _table(html, "kb-gap-spoken")[2][:5] == ["3", _escaped(said), "без темы", "1", "1"]
    response = spoken_line.client.get("/kb/gap-report-spoken.csv", params=WEEK)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[3][0] == said  # a cell of text, quoted as CSV quotes


def _escaped(text: str) -> str:
    """How :func:`_table` reads a cell holding ``text``: escaped, as the page writes it."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
    )


def test_what_callers_said_as_csv(spoken_line: Line) -> None:
    html = spoken_line.client.get("/kb/gap-report", params=WEEK).text
    assert 'href="/kb/gap-report-spoken.csv?since=2026-12-01&amp;until=2026-12-07"' in html
    response = spoken_line.client.get("/kb/gap-report-spoken.csv", params=WEEK)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="kb-gaps-spoken-2026-12-01-2026-12-07.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        [
            "вопрос звонящего (распознан автоматически)",
            "тема",
            "звонков",
            "из них без ответа в базе знаний",
            "ответ находили в записях",
        ],
        [SAID_GRANT, "Меры государственной поддержки", "2", "2", ""],
        [
            SAID_EXTEND,
            "Государственные услуги и статус заявлений",
            "3",
            "1",
            "Срок действия лицензии (alco-license-term)",
        ],
        [
            SAID_FEE,
            "Государственные услуги и статус заявлений",
            "2",
            "0",
            "Сколько стоит лицензия на розничную продажу алкогольной продукции (alco-license-fee)",
        ],
    ]
