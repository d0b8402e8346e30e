"""Search: morphology, typos, topic boost, snippets; the same on every database and both paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from models.db import session_scope
from models.topics import Topic
from scripts_kb.content_files import load_content
from scripts_kb.search import TOPIC_BOOST, Document, Scoring, SearchIndex
from scripts_kb.search_terms import MAX_QUERY_CHARS, stem
from scripts_kb.store import entry_document, load_documents, load_into_db
from tests.conftest import EngineFactory
from tests.scripts_kb.kb_samples import write_content


@pytest.fixture
def index(tmp_path: Path) -> SearchIndex:
    content = load_content(write_content(tmp_path))
    return SearchIndex(entry_document(e) for e in content.entries)


def _ids(index: SearchIndex, query: str, **kwargs: str) -> list[str]:
    return [hit.id for hit in index.search(query, **kwargs)]


def test_inflected_words_meet_their_stems(index: SearchIndex) -> None:
    # лицензии/лицензия, продажу/продажу, алкоголя/алкогольной (алкогол → алкогольн).
    assert _ids(index, "лицензии на продажу алкоголя")[0] == "alco-license-fee"
    assert stem("приём") == stem("приема")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("лицензя на алкаголь", "alco-license-fee"),
        ("субсидя заводам", "subsidy-plants"),
        ("режм работы министерства", "hours-ministry"),
    ],
)
def test_common_misspellings_still_find_the_entry(
    index: SearchIndex, query: str, expected: str
) -> None:
    assert _ids(index, query)[0] == expected


def test_call_topic_lifts_entries_of_that_topic(index: SearchIndex) -> None:
    assert _ids(index, "лицензии")[0] != "hours-ministry"
    plain = {hit.id: hit.score for hit in index.search("лицензии")}
    boosted = {hit.id: hit.score for hit in index.search("лицензии", topic="hours_and_visits")}
    assert boosted["hours-ministry"] > plain["hours-ministry"]
    assert boosted["alco-license-term"] == plain["alco-license-term"]


# Common words (in auto mode summed densely), rare ones (sparsely), typos, a synonym, an
# agency's other name, a refusal (secondary kinds not damped), English, an off-topic query.
PATH_QUERIES = (
    "лицензия",
    "министерство работа",
    "сколько стоит лицензия на алкоголь",
    "куда пожаловаться на магазин который продаёт пиво ночью",
    "пандус коляска",
    "лицензя на алкаголь",
    "субсидии заводам",
    "налоговая",
    "мне отказали в выдаче лицензии",
    "opening hours greeting",
    "купить слона",
)


@pytest.fixture(scope="module")
def shipped() -> list[Document]:
    return [entry_document(e) for e in load_content().entries]


@pytest.fixture(scope="module")
def both_paths(shipped: list[Document]) -> tuple[SearchIndex, SearchIndex]:
    return SearchIndex(shipped, scoring="dense"), SearchIndex(shipped, scoring="sparse")


@pytest.mark.parametrize("topic", [None, *Topic])
@pytest.mark.parametrize("query", PATH_QUERIES)
def test_dense_and_sparse_scoring_rank_alike(
    both_paths: tuple[SearchIndex, SearchIndex], query: str, topic: Topic | None
) -> None:
    dense, sparse = both_paths
    for language in (None, "ru", "en"):
        for limit in (1, 3, 10, 200):
            found = [
                index.search(query, topic=topic, limit=limit, language=language)
                for index in (dense, sparse)
            ]
            assert [hit.id for hit in found[0]] == [hit.id for hit in found[1]], (language, limit)
            assert [hit.score for hit in found[0]] == pytest.approx(
                [hit.score for hit in found[1]], rel=1e-9
            )
            assert [hit.snippet for hit in found[0]] == [hit.snippet for hit in found[1]]


@pytest.mark.parametrize("scoring", ["dense", "sparse"])
@pytest.mark.parametrize("topic", list(Topic))
def test_topic_boost_is_the_same_on_both_paths(
    shipped: list[Document], scoring: Scoring, topic: Topic
) -> None:
    index = SearchIndex(shipped, scoring=scoring)
    with_topic = {doc.id for doc in shipped if topic in doc.topics}
    for query in PATH_QUERIES:
        plain = {hit.id: hit.score for hit in index.search(query, limit=200)}
        boosted = {hit.id: hit.score for hit in index.search(query, topic=topic, limit=200)}
        assert boosted.keys() == plain.keys(), query  # the boost reorders, never filters
        for entry, score in plain.items():
            factor = TOPIC_BOOST if entry in with_topic else 1.0
            # Hit scores are rounded to 4 places: each off by up to 0.5e-4, the plain one times 1.5.
            assert boosted[entry] == pytest.approx(score * factor, abs=2e-4), (query, entry)


def test_title_weighs_more_than_body(index: SearchIndex) -> None:
    assert _ids(index, "срок действия")[0] == "alco-license-term"


def test_snippet_marks_matched_words(index: SearchIndex) -> None:
    hit = index.search("ночью продают алкоголь")[0]
    assert hit.id == "alco-night-sale"
    assert "[[алкоголя]]" in hit.snippet


def test_language_filter_and_english_stems(index: SearchIndex) -> None:
    assert _ids(index, "opening hours", language="en") == ["hours-ministry-en"]
    assert "hours-ministry-en" not in _ids(index, "opening hours", language="ru")


@pytest.mark.parametrize(
    "query", ["", "   ", "и в на", ".*(a+)+$", "[[", "\\", "а" * (MAX_QUERY_CHARS * 10)]
)
def test_hostile_or_empty_queries_are_harmless(index: SearchIndex, query: str) -> None:
    assert isinstance(index.search(query), list)


def test_limit_is_respected(index: SearchIndex) -> None:
    assert len(index.search("лицензия министерство алкоголь", limit=2)) <= 2
    assert index.search("лицензия", limit=0) == []


def test_same_ranking_on_two_fresh_databases(
    engine_factory: EngineFactory, db_engine: Engine, tmp_path: Path
) -> None:
    content = load_content(write_content(tmp_path))
    results = []
    for engine in (db_engine, engine_factory()):
        with session_scope(engine) as session:
            load_into_db(session=session, content=content, now=_now())
        with session_scope(engine) as session:
            index = SearchIndex(load_documents(session))
        results.append([index.search(q) for q in ("лицензия алкоголь", "режим работы", "субсидии")])
    assert results[0] == results[1]
    assert results[0][0]


def _now() -> object:
    from datetime import UTC, datetime

    return datetime(2026, 11, 29, tzinfo=UTC)
