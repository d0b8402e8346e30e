"""Search over the shipped content: realistic caller questions and the entry each must find.

The questions are written as callers speak on the phone (colloquial, incomplete, a few with
common misspellings), spread over every section. The expected entry was chosen by reading the
entries, not by running the engine. ``top1``: the entry must come first; ``top3``: it must be
among the first three (used where another entry is an equally fair answer).

``OFF_TOPIC`` holds queries nothing in the knowledge base answers (nonsense, everyday
questions sharing one word with an entry, an agency the directory lacks): they must find
nothing. Together with the questions they are the measurement behind the relevance floor.

A question the engine honestly misses is listed in ``MISSES`` with the reason; its test is a
strict xfail, so fixing the engine turns it into a failure that asks to remove the mark.
``test_hit_rates`` reports top-1 and top-3 hit rates over the whole set (as test properties,
in the JUnit XML, and on stdout).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import pytest
from sqlalchemy.engine import Engine

from models.db import session_scope
from scripts_kb.content_files import KbContent, load_content
from scripts_kb.search import SearchIndex
from scripts_kb.store import entry_document, load_documents, load_into_db


@dataclass(frozen=True)
class Question:
    query: str
    expected: str
    rank: Literal["top1", "top3"]
    topic: str | None = None
    language: str | None = None


QUESTIONS: tuple[Question, ...] = (
    # ministry-general: hours, address, functions
    Question("вы до скольки работаете", "ministry-hours", "top1"),
    Question("а в субботу министерство работает?", "ministry-hours", "top3"),
    Question("скажите часы работы у вас обед во сколько", "ministry-hours", "top1"),
    Question("где вы находитесь адрес министерства какой", "ministry-address", "top1"),
    Question("как до вас добраться", "ministry-address", "top3", "hours_and_visits"),
    Question("чем вообще занимается ваше министерство", "ministry-functions", "top1"),
    Question("как подписатся на новости министерства", "ministry-mailing", "top1"),
    Question("можно получить историю всех моих обращений", "ministry-interaction-history", "top1"),
    # alco-licensing
    Question("сколько стоит лицензия на алкоголь", "alco-license-fee", "top1"),
    Question("реквизиты для оплаты пошлины за лицензию", "alco-license-fee", "top1"),
    Question("нужна ли лицензия на пиво", "alco-beer-no-license", "top1"),
    Question("хочу пивом торговать лицензия нужна или нет", "alco-beer-no-license", "top3"),
    Question("где посмотреть реестр лицензий", "alco-license-register", "top1"),
    Question(
        "как проверить есть ли у магазина лицензия на алкаголь", "alco-license-register", "top1"
    ),
    Question(
        "какие документы надо на лицензию на продажу алкоголя", "alco-license-documents", "top1"
    ),
    Question("у меня лицензия заканчивается как продлить", "alco-license-extend", "top1"),
    Question("магазин переезжает на новый адрес что с лицензией", "alco-license-reissue", "top3"),
    Question("подал заявление на лицензию две недели назад где она", "alco-license-status", "top3"),
    Question("можно через госуслуги подать на лицензию", "alco-license-epgu", "top1"),
    Question("на сколько лет дают лицензию", "alco-license-term", "top1"),
    Question("мне отказали в выдаче лицензии почему", "alco-refusal-issue", "top3"),
    Question("лицензию не продлили что теперь делать", "alco-refusal-extend", "top3"),
    Question("декларацию по пиву когда сдавать", "alco-declarations", "top1"),
    # alco-control
    Question(
        "куда пожаловаться на магазин который продаёт пиво ночью",
        "control-report-violation",
        "top3",
    ),
    Question(
        "в магазине возле школы продают водку несовершеннолетним",
        "control-report-violation",
        "top3",
    ),
    Question("до скольки можно продавать спиртное", "control-sale-hours", "top3"),
    Question("к нам пришла проверка какие у нас права", "control-inspection-rights", "top1"),
    Question("как узнать будет ли у нас плановая проверка", "control-plan", "top1"),
    Question("не согласен с результатами проверки как обжаловать", "control-appeal", "top1"),
    Question(
        "что проверяет министерство в магазинах с алкоголем", "control-what-is-checked", "top1"
    ),
    Question("жалобу на решение инспектора отклонили почему", "control-refusal-appeal", "top3"),
    # industry-support
    Question("какие субсидии есть для заводов", "industry-support-overview", "top3"),
    Question(
        "субсидия на модернизацию оборудования кто может участвовать",
        "industry-subsidy-modernization",
        "top1",
    ),
    Question("как получить займ в фонде развития промышленности", "industry-frp-loan", "top3"),
    Question(
        "нужно заключение о подтверждении производства в россии",
        "industry-gisp-confirmation",
        "top1",
    ),
    Question("когда будут результаты отбора на субсидию", "industry-selection-status", "top1"),
    Question("нашу заявку на субсидию отклонили", "industry-refusal-selection", "top1"),
    Question(
        "у меня маленький швейный цех хочу грант на оборудование",
        "industry-example-small-workshop",
        "top3",
    ),
    # trade-market
    Question(
        "купил телефон сломался магазин деньги не возвращает куда жаловаться",
        "trade-consumer-complaint",
        "top3",
    ),
    Question("как поставить киоск возле дома разрешение где брать", "trade-nto", "top1"),
    Question("как попасть на ярмарку выходного дня", "trade-fairs", "top1"),
    Question("цены на хлеб завышают куда жаловатся", "trade-prices", "top3"),
    Question("на рынке подняли плату за место", "trade-example-market", "top1"),
    Question("чем вы занимаетесь по торговле", "trade-what-ministry-does", "top3"),
    # folk-crafts
    Question("что такое народные художественные промыслы", "folk-what-is", "top1"),
    Question("я мастер ковры тку какая поддержка есть", "folk-support", "top3"),
    Question("льготы по ндс для изделий промыслов", "folk-tax", "top1"),
    Question("место традиционного бытования промысла что это", "folk-places", "top1"),
    Question("кубачинский мастер как продавать изделия", "folk-example-kubachi", "top3"),
    # citizen-messages
    Question("я жалобу писал месяц назад ответа нет", "messages-example-late-answer", "top3"),
    Question("как написать жалобу в министерство", "messages-how-to-send", "top1"),
    Question("сколько дней вы отвечаете на обращение", "messages-terms", "top1"),
    Question(
        "почему моё обращение переслали в другое ведомство", "messages-anonymous-redirect", "top1"
    ),
    Question("как узнать что с моим обращением", "messages-status", "top1"),
    Question("мне написали что переписка прекращена", "messages-refusal-repeat", "top3"),
    # personal-visits
    Question("как записаться на приём к министру", "visits-how-to-book", "top1"),
    Question("хочу отменить запись не смогу прийти", "visits-cancel", "top1"),
    Question("можно перенести приём на другой день", "visits-cancel", "top1"),
    Question("у вас есть пандус я на коляске", "visits-accessibility", "top1"),
    Question("будет ли смс напоминание о записи", "visits-reminder", "top1"),
    # external-agencies
    Question("продали просрочку в магазине куда звонить", "agency-rospotrebnadzor", "top3"),
    Question("управляющая компания не делает ремонт в подъезде", "agency-gzhi", "top1"),
    Question("как оформиться самозанятым", "agency-fns", "top1"),
    Question("где взять грант начинающим малый бизнес", "agency-mineconomy", "top3"),
    Question("хочу открыть производство водки куда обращаться", "agency-rosalkogol", "top3"),
    Question("в мфц можно документы подать лично", "agency-mfc", "top1"),
    Question("куда жаловаться на недобросовестную рекламу", "agency-fas", "top3"),
    # external-agencies under the names callers give them (C14)
    Question("налоговая", "agency-fns", "top1"),
    Question("мне в налоговую надо, какой у них телефон", "agency-fns", "top1"),
    Question("налоговая инспекция где находится", "agency-fns", "top1"),
    Question("налоговики кассу проверяют", "agency-fns", "top1"),
    Question("как пожаловаться в потребнадзор на кафе", "agency-rospotrebnadzor", "top1"),
    Question("санэпидстанция телефон", "agency-rospotrebnadzor", "top1"),
    Question("дайте телефон жилинспекции", "agency-gzhi", "top1"),
    Question("куда звонить в милицию", "agency-mvd", "top1"),
    Question("продают пиво детям прямо сейчас милицию вызывать", "agency-mvd", "top3"),
    Question("хочу пожаловаться прокурору на чиновника", "agency-prokuratura", "top1"),
    Question("в прокуратуру можно на министерство пожаловаться", "agency-prokuratura", "top1"),
    Question("в мэрию насчёт места на рынке", "agency-municipal", "top3"),
    Question("минэкономики телефон", "agency-mineconomy", "top1"),
    Question("росалкоголь егаис не работает", "agency-rosalkogol", "top1"),
    Question("антимонопольщики цены сговор", "agency-fas", "top1"),
    Question("многофункциональный центр где ближайший", "agency-mfc", "top1"),
    Question("госуслуги", "alco-license-epgu", "top3"),
    # line-scripts
    Question("соедините меня со специалистом", "script-transfer", "top1"),
    Question("перезвоните мне попозже в удобное время", "script-callback-closing", "top3"),
    Question("какой у вас телефон горячей линии", "line-contacts", "top1"),
    Question(
        "hello, I am a foreign citizen, greeting in english",
        "script-greeting-en",
        "top3",
        language="en",
    ),
)

# Honest expectations the engine misses now: query → why.
MISSES: dict[str, str] = {
    "подал заявление на лицензию две недели назад где она": (
        "the real signal is «где она» (where is my licence) and «где» is a stopword: only "
        "лицензия/заявление remain, which every licensing FAQ matches; the status entry is 4th"
    ),
}


# Queries nothing in the knowledge base answers: each must find nothing (the relevance floor,
# ``scripts_kb.search.MIN_MATCHED_WORDS``). Most of them matched one word of some entry before
# the floor, exactly or by typo.
OFF_TOPIC: tuple[str, ...] = (
    # keyboard mashing and random strings
    "фыва олдж",
    "qwerty",
    "asdfgh jkl",
    "йцукен",
    "кщзгш впрм",
    "xkq zvbw",
    "базы дохувы",
    "лозе понеды",
    "касысо хети",
    # one word of a real entry, the rest about something else
    "купить слона",
    "погода в махачкале",
    "гороскоп на неделю",
    "как похудеть к лету",
    "записаться к стоматологу",
    "где купить дешевый айфон",
    "лучший фильм года",
    "сколько стоит билет на самолет",
    "продам гараж",
    "новости спорта",
    "концерт в махачкале",
    "купить машину в кредит",
    "лечение зубов цены",
    "аренда квартиры посуточно",
    "стоимость проезда в автобусе",
    "поступление в университет",
    # words within a typo of entries' words
    "рецепт плова",
    "смешные котики",
    "банан ракета кошка",
    "как починить кран",
    "рыбалка на каспии",
    # an agency the directory has no entry for (the Social Fund, pensions)
    "пенсионный фонд",
    "пенсионка",
)


@pytest.fixture(scope="module")
def content() -> KbContent:
    return load_content()


@pytest.fixture(scope="module")
def index(content: KbContent) -> SearchIndex:
    """Built once per module straight from the shipped files (same documents as the DB's)."""
    return SearchIndex(entry_document(e) for e in content.entries)


def _ranked(index: SearchIndex, question: Question) -> list[str]:
    hits = index.search(question.query, topic=question.topic, language=question.language)
    return [hit.id for hit in hits]


def _hits(index: SearchIndex, question: Question) -> tuple[bool, bool]:
    ranked = _ranked(index, question)
    return ranked[:1] == [question.expected], question.expected in ranked[:3]


def _params() -> list[object]:
    params: list[object] = []
    for number, question in enumerate(QUESTIONS, 1):
        marks = []
        if question.query in MISSES:
            marks.append(pytest.mark.xfail(strict=True, reason=MISSES[question.query]))
        # ASCII ids (pytest escapes Cyrillic ones); the query is in the assertion message.
        params.append(pytest.param(question, id=f"{number:02d}-{question.expected}", marks=marks))
    return params


def test_questions_are_well_formed(content: KbContent) -> None:
    ids = {e.id for e in content.entries}
    sections = {e.section for e in content.entries if e.id in {q.expected for q in QUESTIONS}}
    assert len(QUESTIONS) >= 40
    assert len({q.query for q in QUESTIONS}) == len(QUESTIONS)
    assert {q.expected for q in QUESTIONS} <= ids
    assert sections == {s.id for s in content.sections}, "every section has questions"
    assert set(MISSES) <= {q.query for q in QUESTIONS}


def test_index_from_files_matches_index_from_database(
    db_engine: Engine, content: KbContent
) -> None:
    with session_scope(db_engine) as session:
        load_into_db(session=session, content=content, now=datetime(2026, 11, 29, tzinfo=UTC))
    with session_scope(db_engine) as session:
        from_db = load_documents(session)
    assert sorted((entry_document(e) for e in content.entries), key=lambda d: d.id) == from_db


@pytest.mark.parametrize("question", _params())
def test_caller_question_finds_its_entry(index: SearchIndex, question: Question) -> None:
    ranked = _ranked(index, question)
    if question.rank == "top1":
        assert ranked[:1] == [question.expected], (question.query, ranked[:5])
    else:
        assert question.expected in ranked[:3], (question.query, ranked[:5])


@pytest.mark.parametrize("query", OFF_TOPIC)
def test_off_topic_query_finds_nothing(index: SearchIndex, query: str) -> None:
    assert [(hit.id, hit.score) for hit in index.search(query)] == []


def test_hit_rates(index: SearchIndex, record_property: Callable[[str, object], None]) -> None:
    results = {q.query: _hits(index, q) for q in QUESTIONS}
    total = len(QUESTIONS)
    top1 = sum(first for first, _ in results.values())
    top3 = sum(in_three for _, in_three in results.values())
    missed = sorted(
        q.query for q in QUESTIONS if not results[q.query][0 if q.rank == "top1" else 1]
    )
    report = (
        f"top-1: {top1}/{total} = {top1 / total:.1%}; "
        f"top-3: {top3}/{total} = {top3 / total:.1%}; "
        f"expectations missed: {len(missed)}/{total}"
    )
    record_property("top1_hit_rate", round(top1 / total, 4))
    record_property("top3_hit_rate", round(top3 / total, 4))
    record_property("hit_rates", report)
    print(report)
    # The misses are exactly the questions marked xfail: a new miss or a fixed one shows here.
    assert missed == sorted(MISSES), report
