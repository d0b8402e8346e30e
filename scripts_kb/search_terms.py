"""Knowledge-base search terms: how a text (an entry or a caller's query) becomes stems.

* Words are lower-cased, «ё» read as «е», and reduced to Snowball stems (Russian for Cyrillic,
  English for Latin words), so «лицензии на продажу алкоголя» meets «лицензия на розничную
  продажу алкогольной продукции».
* Stopwords are compared as stems, so every form of a listed word is left out; the list holds
  function words and the words callers wrap a question in («сколько», «куда звонить», «хочу»).
* A few query words also stand for their synonyms (``SYNONYMS``: «завод» → предприятие,
  «водка» → алкоголь, …), and the names callers give the agencies of the directory of other
  agencies stand for their official names (``AGENCY_NAMES``: «налоговая» → ФНС, «жилинспекция»
  → Госжилинспекция, «милиция» → полиция, …).
* The query is untrusted: it is cut to ``MAX_QUERY_CHARS`` characters and ``MAX_QUERY_TERMS``
  words, and only ever split by a fixed pattern, never compiled into one. A query with no
  meaningful word left is refused with a reason (``query_problem``), not searched.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

import snowballstemmer

MAX_QUERY_CHARS = 300
MAX_QUERY_TERMS = 16

WORD = re.compile(r"[0-9a-zа-яё]+", re.IGNORECASE)
_CYRILLIC = re.compile(r"[а-я]")

# Words that carry no meaning for a search (the stems of common Russian function words).
_STOPWORD_TEXT = """
    а и в во на по с со к ко о об обо от до из у за для при про без над под же ли бы не ни
    но да или то это этот эта эти тот та те как так что чтобы кто где когда какой какая какие
    какое мне меня мы вы я он она они оно его ее их вас нас вам нам мой моя мое мои моего
    моей моим моих ваш наш есть был была
    было были будет быть можно нужно надо ещ еще уже там тут здесь вот ну все всё весь очень
    the a an of to in on for and or is are be how what i you we my your it do does can
"""
# What callers wrap a question in, not what they ask about: how much/long, "at all", where to
# call or turn to, "I want", "ago", "your", politeness. Short on purpose: each word here is
# dropped from entries too.
_INTENT_TEXT = """
    сколько скольки вообще чем хочу хотел хотела хотим куда звонить позвонить обращаться
    обратиться назад ваш ваше вашего вашей ваши скажите подскажите пожалуйста здравствуйте
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split()) | frozenset(_INTENT_TEXT.split())

# Query word → words it also stands for (compared as stems; one way: a query's word is widened,
# an entry's is not). Small and explicit: each pair is a plain synonym or hypernym in this domain.
_SYNONYM_TEXT = """
    завод заводы фабрика комбинат: предприятие промышленность
    водка вино коньяк спиртное спиртные самогон: алкоголь алкогольный
    заканчивается закончилась кончается: истекает продление
    просрочка просрочку: просроченный годности
    жаловаться пожаловаться жаловатся: жалоба
    киоск ларек палатка: нестационарный
    госпошлина: пошлина
    обед: перерыв
    оформиться зарегистрироваться: регистрация
"""
# What callers call the agencies of the directory (external-agencies) → the names in their
# entries: the same agency, so (unlike a synonym) as good as its name. «налоговая» is stemmed
# as the adjective «налоговый» (налоговые льготы, налоговый режим): without its line the tax
# benefits of folk crafts came before the tax service, and «налоговая инспекция» found the
# housing inspection. Only agencies the directory has: there is no entry for the Social Fund
# (pensions), so «пенсионный» stands for nothing.
_AGENCY_NAME_TEXT = """
    налоговая налоговик: фнс уфнс
    потребнадзор роспотреб санэпидемстанция санэпидстанция сэс: роспотребнадзор
    жилинспекция жилнадзор гжи: госжилинспекция
    милиция полицейский участковый: полиция мвд
    прокурор: прокуратура
    мэрия горадминистрация: администрация муниципалитет
    минэкономики минэконом: минэкономразвития
    росалкоголь рар: росалкогольтабакконтроль
    антимонопольщики: антимонопольная уфас
    епгу: госуслуги
"""

# Words Snowball cuts too short (it reads «-ем», «-им», «-ь» as endings here).
_STEM_EXCEPTIONS = {"прием": "прием", "режим": "режим", "запись": "запис"}

_RU = snowballstemmer.stemmer("russian")
_EN = snowballstemmer.stemmer("english")

# Shown where a query cannot be searched (the CLI and the HTTP API).
EMPTY_QUERY = "Пустой запрос: введите слова, которые нужно найти."
STOPWORDS_ONLY = "В запросе только служебные слова ({words}): добавьте, что именно нужно найти."
_QUOTED_WORDS = 5


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    word = word.lower().replace("ё", "е")
    if word in _STEM_EXCEPTIONS:
        return _STEM_EXCEPTIONS[word]
    if _CYRILLIC.search(word):
        return str(_RU.stemWord(word))
    return str(_EN.stemWord(word)) if word.isalpha() else word


def words(text: str) -> list[str]:
    found = WORD.findall(text)
    if not found:
        return []
    # One ``lower`` over the joined words is the same as one per word (no word holds a space,
    # and no letter the pattern takes lower-cases differently by its neighbours), only faster.
    return " ".join(found).lower().replace("ё", "е").split(" ")


def terms(text: str) -> list[str]:
    """The stems of ``text``'s meaningful words, in order."""
    found = [stem(word) for word in words(text) if word not in _STOPWORDS]
    return [term for term in found if term not in _STOP_STEMS]


def query_terms(query: str) -> list[str]:
    """A query's distinct terms, in order, within the query limits."""
    return list(dict.fromkeys(terms(query[:MAX_QUERY_CHARS])))[:MAX_QUERY_TERMS]


def query_problem(query: str) -> str | None:
    """Why ``query`` cannot be searched, as one Russian sentence; ``None`` if it can."""
    found = words(query[:MAX_QUERY_CHARS])
    if not found:
        return EMPTY_QUERY
    if not query_terms(query):
        quoted = " ".join(found[:_QUOTED_WORDS]) + (" …" if len(found) > _QUOTED_WORDS else "")
        return STOPWORDS_ONLY.format(words=f"«{quoted}»")
    return None


def _synonyms(text: str) -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = defaultdict(list)
    for line in text.strip().splitlines():
        sources, targets = line.split(":")
        related = [stem(word) for word in targets.split()]
        for source in sources.split():
            table[stem(source)].extend(t for t in related if t not in table[stem(source)])
    return {term: tuple(related) for term, related in table.items()}


# Stopwords are also compared as stems, so «ваше», «скольки», «этом» go with «ваш», «сколько»,
# «это». Not stems under 3 letters (заём → за, ней → не: another word's stem as often as not;
# such stopwords are listed form by form), nor «так», whose stem is also that of «такое» in
# «что такое …», which asks for a definition.
_STOP_STEMS = frozenset(stem(word) for word in _STOPWORDS if len(stem(word)) >= 3) - {"так"}
SYNONYMS: dict[str, tuple[str, ...]] = _synonyms(_SYNONYM_TEXT)
AGENCY_NAMES: dict[str, tuple[str, ...]] = _synonyms(_AGENCY_NAME_TEXT)
