"""A written message's topic and typical need as the knowledge base suggests them (W2): real
letters against the line's own content, and the rules of the suggestion on entries made up
for it."""

from __future__ import annotations

import pytest

from models.topics import Topic
from scripts_kb.content_files import load_content
from scripts_kb.search import Document, SearchIndex
from scripts_kb.search_terms import MAX_QUERY_CHARS
from scripts_kb.store import entry_document
from scripts_kb.suggestion import BODY_PIECES, NeedOption, pieces, suggest

GREETING = (
    "Уважаемый министр! Обращается к Вам житель города Махачкалы, проживающий по адресу "
    "улица Ленина, дом 1, квартира 5, пенсионер, ветеран труда. "
) * 2


@pytest.fixture(scope="module")
def line_index() -> SearchIndex:
    return SearchIndex(entry_document(entry) for entry in load_content().entries)


@pytest.mark.parametrize(
    ("subject", "body", "topic", "need_from"),
    [
        (
            "Лицензия на алкоголь",
            "Хочу открыть магазин и продавать алкоголь. Сколько стоит госпошлина за лицензию?",
            Topic.STATE_SERVICES,
            "alco-license-fee",
        ),
        (
            "",
            "Прошу разъяснить порядок получения субсидии на модернизацию производства.",
            Topic.SUPPORT_MEASURES,
            "industry-subsidy-modernization",
        ),
        (
            "Жалоба",
            "Магазин у дома продаёт водку ночью после 23 часов, сообщаю о нарушении.",
            Topic.CONTROL_SUPERVISION,
            "control-report-violation",
        ),
        # The question comes after the greetings: the text is searched piece by piece.
        (
            "",
            GREETING + "Прошу сообщить, как получить субсидию на модернизацию производства.",
            Topic.SUPPORT_MEASURES,
            "industry-subsidy-modernization",
        ),
    ],
)
def test_a_letter_gets_its_topic_and_need(
    line_index: SearchIndex, subject: str, body: str, topic: Topic, need_from: str
) -> None:  # W2
    found = suggest(line_index, subject, body)
    assert found is not None
    assert found.topic is topic
    assert found.needs[0].entry_id == need_from
    assert 1 <= len(found.needs) <= 3


def test_another_agencys_question_is_said_to_be_theirs(line_index: SearchIndex) -> None:
    found = suggest(
        line_index, "ЖКХ", "Третий месяц нет горячей воды, управляющая компания не отвечает."
    )
    assert found is not None
    assert found.needs[0].text == (
        "Вопрос в ведении другого ведомства: Государственная жилищная инспекция Республики Дагестан"
    )


def test_nothing_found_is_no_suggestion(line_index: SearchIndex) -> None:
    assert suggest(line_index, "", "Привет, как дела?") is None
    assert suggest(line_index, "", "") is None


def _doc(id_: str, kind: str, title: str, topics: tuple[str, ...], body: str) -> Document:
    return Document(id_, kind, title, "section", topics, (), "ru", body)


def test_an_entry_of_several_topics_shares_its_score_among_them() -> None:
    index = SearchIndex(
        [
            _doc(
                "shared",
                "faq",
                "Ярмарка мастеров промыслов",
                ("general", "state_services"),
                "ярмарка",
            ),
            _doc(
                "single", "faq", "Мастера", ("control_supervision",), "ярмарка мастеров промыслов"
            ),
            _doc("script", "script", "Приветствие", ("hours_and_visits",), "ярмарка мастеров"),
        ]
    )
    scores = {hit.id: hit.score for hit in index.search("ярмарка мастеров промыслов")}
    # The shared entry is found best, but half its score is less than the single one's.
    assert scores["shared"] > scores["single"] > scores["shared"] / 2 > scores["script"]
    found = suggest(index, "", "ярмарка мастеров промыслов")
    assert found is not None
    assert found.topic is Topic.CONTROL_SUPERVISION
    # Needs come from FAQ entries only, best first (a script is no client's need).
    assert found.needs == (
        NeedOption("Ярмарка мастеров промыслов", "shared"),
        NeedOption("Мастера", "single"),
    )


def test_the_pieces_searched() -> None:
    words = [f"слово{n}" for n in range(400)]
    body = " ".join(words)
    found = pieces("Тема письма", body)
    assert found[0] == "Тема письма"
    assert len(found) == 1 + BODY_PIECES
    assert all(len(piece) <= MAX_QUERY_CHARS for piece in found)
    assert " ".join(found[1:]).split() == words[: len(" ".join(found[1:]).split())]
    assert pieces("", "  коротко  ") == ["коротко"]
    assert pieces("  ", "") == []
