"""The relevance floor: how many of the query's words an entry must match, and how."""

from __future__ import annotations

import pytest

from scripts_kb.relevance_floor import RelevanceFloor

# Postings of three index stems: entry position → saturated tf.
ALPHA = {0: 1.0, 1: 1.0}
BETA = {1: 1.0, 2: 1.0}
GAMMA = {2: 1.0, 3: 1.0}


@pytest.mark.parametrize(
    ("query_words", "postings", "typos", "position", "passes"),
    [
        (1, [[ALPHA]], [False], 0, True),  # the only word
        (1, [[ALPHA]], [True], 0, True),  # a lone word cannot be told from a misspelling
        (2, [[ALPHA], [BETA]], [False, False], 1, True),
        (2, [[ALPHA], [BETA]], [False, False], 0, False),  # «купить слона»: one of two
        (3, [[ALPHA], [BETA]], [False, False], 0, False),  # a word the index lacks counts
        (6, [[ALPHA], [BETA], [GAMMA]], [False, False, False], 2, True),  # 2 of 6 is enough
        (2, [[ALPHA, GAMMA], [BETA]], [False, False], 2, True),  # any stem of a word
        (2, [[ALPHA], [BETA]], [True, False], 1, True),  # «лицензя на алкаголь»
        (2, [[ALPHA], [BETA]], [True, True], 1, False),  # two typos alone
        (3, [[ALPHA], [BETA], [GAMMA]], [True, True, False], 1, False),
    ],
)
def test_entry_passes_the_floor(
    query_words: int,
    postings: list[list[dict[int, float]]],
    typos: list[bool],
    position: int,
    passes: bool,
) -> None:
    assert RelevanceFloor(query_words, postings, typos).passes(position) is passes


@pytest.mark.parametrize(
    ("query_words", "postings", "typos", "reachable"),
    [
        (1, [], [], False),
        (1, [[ALPHA]], [True], True),
        (2, [[ALPHA]], [False], False),  # one word found anywhere: no entry can pass
        (2, [[ALPHA], [BETA]], [True, True], False),
        (2, [[ALPHA], [BETA]], [False, True], True),
    ],
)
def test_floor_is_unreachable_when_no_entry_could_pass(
    query_words: int, postings: list[list[dict[int, float]]], typos: list[bool], reachable: bool
) -> None:
    assert RelevanceFloor(query_words, postings, typos).reachable() is reachable
