"""«База знаний: поиск» as a page: the search of ``GET /kb/search``, hits linking to the entry
pages, matched words marked; a query with nothing to search or an unknown topic explained."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.agent_console.kb_line import Line


@pytest.fixture
def line(db_engine: Engine, tmp_path: Path) -> Line:
    return Line(db_engine, tmp_path / "kb")


def _hits(html: str) -> list[str]:
    return re.findall(r'class="kb-hit__title" href="/kb/view/([\w-]+)"', html)


def test_hits_link_to_their_entries_with_the_matched_words_marked(line: Line) -> None:
    page = line.client.get("/kb/find", params={"q": "лицензии на продажу алкоголя"})
    assert page.status_code == 200
    hits = _hits(page.text)
    assert hits[0] == "alco-license-fee"  # as GET /kb/search ranks it
    api = line.client.get("/kb/search", params={"q": "лицензии на продажу алкоголя", "limit": 20})
    assert hits == [hit["id"] for hit in api.json()]
    assert "<mark>" in page.text
    assert "раздел «Лицензирование розничной продажи алкогольной продукции»" in page.text


def test_the_topic_raises_its_entries_and_stays_chosen(line: Line) -> None:
    query = {"q": "лицензии выдаются"}
    assert _hits(line.client.get("/kb/find", params=query).text)[0] == "alco-license-term"
    page = line.client.get("/kb/find", params=query | {"topic": "hours_and_visits"}).text
    assert _hits(page)[0] == "hours-ministry"
    assert '<option value="hours_and_visits" selected>' in page


def test_nothing_found_says_so(line: Line) -> None:
    page = line.client.get("/kb/find", params={"q": "лицензия на слона"})
    assert page.status_code == 200
    assert _hits(page.text) == []
    assert "Ничего не найдено." in page.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "а и в"}, "В запросе только служебные слова («а и в»)"),
        ({"q": "лицензия", "topic": "weather"}, "Неизвестная тема «weather»"),
    ],
)
def test_a_query_that_cannot_be_searched_is_explained(
    line: Line, params: dict[str, str], message: str
) -> None:
    page = line.client.get("/kb/find", params=params)
    assert page.status_code == 422
    assert message in page.text
    assert _hits(page.text) == []


def test_an_operator_gets_403(line: Line) -> None:
    page = line.operator.get("/kb/find", params={"q": "лицензия"})
    assert page.status_code == 403
    assert _hits(page.text) == []
