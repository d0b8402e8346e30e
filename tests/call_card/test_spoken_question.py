"""The caller's spoken question on the call card (C8, K7): the transcript as said, the
recognizer's confidence as a hint when low, and the knowledge-base entries it finds, against a
small index whose answers are plain to see."""

from __future__ import annotations

import math

import pytest

from call_card.spoken_question import (
    UNCERTAIN_BELOW,
    KbMatch,
    SpokenQuestion,
    confidence_of,
    percent,
    spoken_question,
)
from models.topics import Topic
from scripts_kb.search import Document, SearchIndex


def _entry(entry_id: str, title: str, topic: Topic, body: str = "Ответ.") -> Document:
    return Document(
        id=entry_id,
        kind="faq",
        title=title,
        section="alco-licensing",
        topics=(topic.value,),
        tags=(),
        language="ru",
        body=body,
    )


INDEX = SearchIndex(
    [
        _entry("fee", "Сколько стоит лицензия на алкоголь и как платить госпошлину", Topic.GENERAL),
        _entry("term", "Срок действия лицензии на алкоголь", Topic.GENERAL),
        _entry("grant", "Гранты мастерам народных промыслов", Topic.SUPPORT_MEASURES),
        _entry("retail", "Лицензия на алкоголь: розница", Topic.STATE_SERVICES),
        _entry("wholesale", "Лицензия на алкоголь: опт", Topic.CONTROL_SUPERVISION),
    ]
)


def test_nothing_said_is_no_question_on_the_card() -> None:
    for said in ("", "   ", "\n\t"):
        assert spoken_question(said, 0.9, topic=None, index=INDEX) is None


def test_the_question_is_shown_as_said_with_the_entries_it_finds_best_first() -> None:
    # C8: «госпошлина» and «платить» are the fee entry's alone: it matches 4 of the words, the
    # term entry 2 («лицензия», «алкоголь», the floor), the grant entry none.
    found = spoken_question(
        "  как платить госпошлину за лицензию на алкоголь ", 0.93, topic=None, index=INDEX
    )
    assert isinstance(found, SpokenQuestion)
    assert (found.text, found.confidence, found.uncertain, found.hint) == (
        "как платить госпошлину за лицензию на алкоголь",
        0.93,
        False,
        "",
    )
    assert found.kb_matches[0] == KbMatch(
        "fee", "Сколько стоит лицензия на алкоголь и как платить госпошлину", "вопрос и ответ"
    )
    assert "grant" not in [match.id for match in found.kb_matches]
    assert len(found.kb_matches) == 3  # KB_MATCHES


def test_the_calls_topic_raises_its_own_entries() -> None:
    # the retail and wholesale entries say the same words; the topic chosen in the menu decides
    first = [
        spoken_question("лицензия на алкоголь опт розница", 0.8, topic=topic, index=INDEX)
        for topic in (Topic.STATE_SERVICES, Topic.CONTROL_SUPERVISION)
    ]
    assert [found.kb_matches[0].id if found else None for found in first] == [
        "retail",
        "wholesale",
    ]


def test_a_question_the_kb_has_nothing_for_is_shown_without_entries() -> None:
    for said in ("погода в махачкале", "алло алло"):
        found = spoken_question(said, 0.9, topic=None, index=INDEX)
        assert found is not None
        assert (found.text, found.kb_matches) == (said, ())
    # without an index nothing is looked for, the question is still shown
    found = spoken_question("лицензия на алкоголь", 0.9, topic=None, index=None)
    assert found is not None
    assert found.kb_matches == ()


@pytest.mark.parametrize(
    ("confidence", "uncertain", "hint"),
    [
        (0.59, True, "распознано неуверенно (уверенность 59\u00a0%)"),
        (0.0, True, "распознано неуверенно (уверенность 0\u00a0%)"),
        (0.42, True, "распознано неуверенно (уверенность 42\u00a0%)"),
        (UNCERTAIN_BELOW, False, ""),  # 0.6 itself is sure enough
        (1.0, False, ""),
        (None, False, ""),  # the recognizer gave none: «распознано автоматически» says enough
    ],
)
def test_a_low_confidence_is_told_as_a_hint(
    confidence: float | None, uncertain: bool, hint: str
) -> None:
    found = spoken_question("лицензия на алкоголь", confidence, topic=None, index=INDEX)
    assert found is not None
    assert (found.confidence, found.uncertain, found.hint) == (confidence, uncertain, hint)


@pytest.mark.parametrize("stored", [math.nan, math.inf, -math.inf, -0.1, 1.01, 42.0])
def test_a_stored_confidence_that_is_none_is_shown_as_none(stored: float) -> None:
    # not a number from 0 to 1: no confidence (a NaN would not even go into JSON)
    assert confidence_of(stored) is None
    found = spoken_question("лицензия на алкоголь", stored, topic=None, index=INDEX)
    assert found is not None
    assert (found.confidence, found.uncertain, found.hint) == (None, False, "")


def test_markup_in_the_transcript_stays_text() -> None:
    # the caller's words are handed over as they are: escaping is the page's (HTML) and the
    # encoder's (JSON) job, and the search sees words only
    said = '<script>alert(1)</script> лицензия на алкоголь "}'
    found = spoken_question(said, 0.9, topic=None, index=INDEX)
    assert found is not None
    assert found.text == said
    assert {match.id for match in found.kb_matches} >= {"retail", "wholesale"}


def test_percent_rounds_halves_up() -> None:
    # 0.125 and 0.375 are exact in binary: true halves
    assert [percent(value) for value in (0.424, 0.125, 0.375, 1.0, None)] == [
        "42\u00a0%",
        "13\u00a0%",
        "38\u00a0%",
        "100\u00a0%",
        "—",
    ]
