"""Search terms: what a query leaves to search, and the names callers give other agencies."""

from __future__ import annotations

import pytest

from scripts_kb.content_files import load_content
from scripts_kb.search_terms import (
    AGENCY_NAMES,
    EMPTY_QUERY,
    MAX_QUERY_CHARS,
    SYNONYMS,
    query_problem,
    terms,
)
from scripts_kb.store import entry_document


@pytest.mark.parametrize(
    "query", ["", "   ", "?!", "…—«»", " \t\n", " " * MAX_QUERY_CHARS + "лицензия"]
)
def test_a_query_without_words_is_empty(query: str) -> None:
    assert query_problem(query) == EMPTY_QUERY


@pytest.mark.parametrize(
    ("query", "quoted"),
    [
        ("а и в", "«а и в»"),
        ("Что? Где? Когда?", "«что где когда»"),
        ("куда звонить, скажите пожалуйста", "«куда звонить скажите пожалуйста»"),
        ("и и и и и и и", "«и и и и и …»"),
    ],
)
def test_a_query_of_stopwords_only_says_so(query: str, quoted: str) -> None:
    problem = query_problem(query)
    assert problem is not None
    assert problem.startswith(f"В запросе только служебные слова ({quoted})")


@pytest.mark.parametrize("query", ["лицензия", "а лицензия?", "102", "qwerty", "что такое НХП"])
def test_a_query_with_a_meaningful_word_can_be_searched(query: str) -> None:
    assert query_problem(query) is None


def test_synonyms_and_agency_names_point_at_words_of_the_shipped_entries() -> None:
    # A line whose targets no entry holds widens nothing: the name would silently find nothing.
    stems = {
        term
        for doc in map(entry_document, load_content().entries)
        for field in (doc.title, " ".join(doc.tags), doc.body)
        for term in terms(field)
    }
    for table in (SYNONYMS, AGENCY_NAMES):
        for source, targets in table.items():
            assert any(target in stems for target in targets), (source, targets)
    assert set(AGENCY_NAMES["налогов"]) <= stems  # «налоговая»: the tax service's own words
