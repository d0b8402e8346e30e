"""Knowledge-base search: an in-memory index over the loaded entries, for Russian callers.

* Words are lower-cased, «ё» read as «е», and reduced to Snowball stems (Russian for Cyrillic,
  English for Latin words), so «лицензии на продажу алкоголя» meets «лицензия на розничную
  продажу алкогольной продукции».
* A query stem also matches longer index stems it begins (алкогол → алкогольн) and slightly
  shorter ones that begin it (работа → работ), at a lower weight.
* A query stem found nowhere in the index is matched to index stems within edit distance 1
  (stems of 4–7 letters) or 2 (8 and more), e.g. «алкаголь» → алкогол, at a lower weight still.
* Ranking is BM25F: title weighs 3, tags 2, body 1; the call's topic multiplies the score of
  entries with that topic by ``TOPIC_BOOST``.
* The snippet is the body fragment with the most matched words, matched words in ``[[…]]``
  (Markdown's own ``**`` may already be in a body, so the marker cannot be confused with it).
* The query is untrusted: it is cut to ``MAX_QUERY_CHARS`` characters and ``MAX_QUERY_TERMS``
  words, and only ever split by a fixed pattern, never compiled into one.

The index is built from database rows (``scripts_kb.store.load_documents``), so results are
the same on SQLite and PostgreSQL by construction.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

MAX_QUERY_CHARS = 300
MAX_QUERY_TERMS = 16
TOPIC_BOOST = 1.5
FIELD_WEIGHTS = {"title": 3.0, "tags": 2.0, "body": 1.0}
K1 = 1.2
B = 0.75
PREFIX_WEIGHT = 0.7
FUZZY_WEIGHT = 0.6
SNIPPET_CHARS = 220

_WORD = re.compile(r"[0-9a-zа-яё]+", re.IGNORECASE)
_FRAGMENT = re.compile(r"(?<=[.!?…;:])\s+|\n+")
_MARKUP = re.compile(r"[#*_`>|]+|\[([^\]]*)\]\([^)]*\)")
_CYRILLIC = re.compile(r"[а-я]")

# Words that carry no meaning for a search (the stems of common Russian function words).
_STOPWORD_TEXT = """
    а и в во на по с со к ко о об обо от до из у за для при про без над под же ли бы не ни
    но да или то это этот эта эти тот та те как так что чтобы кто где когда какой какая какие
    какое мне меня мы вы я он она они оно его ее их вас нас вам нам мой ваш наш есть был была
    было были будет быть можно нужно надо ещ еще уже там тут здесь вот ну все всё весь очень
    the a an of to in on for and or is are be how what i you we my your it do does can
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Words Snowball cuts too short (it reads «-ем», «-им», «-ь» as endings here).
_STEM_EXCEPTIONS = {"прием": "прием", "режим": "режим", "запись": "запис"}

_RU = snowballstemmer.stemmer("russian")
_EN = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    word = word.lower().replace("ё", "е")
    if word in _STEM_EXCEPTIONS:
        return _STEM_EXCEPTIONS[word]
    if _CYRILLIC.search(word):
        return str(_RU.stemWord(word))
    return str(_EN.stemWord(word)) if word.isalpha() else word


def words(text: str) -> list[str]:
    return [match.group().lower().replace("ё", "е") for match in _WORD.finditer(text)]


def terms(text: str) -> list[str]:
    """The stems of ``text``'s meaningful words, in order."""
    return [stem(word) for word in words(text) if word not in _STOPWORDS]


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    kind: str
    title: str
    section: str
    topics: tuple[str, ...]
    tags: tuple[str, ...]
    language: str
    body: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: str
    kind: str
    title: str
    section: str
    score: float
    snippet: str


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a transposition counts 1), cut off above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _deletes(word: str, depth: int) -> set[str]:
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def _max_distance(term: str) -> int:
    if len(term) < 4:
        return 0
    return 1 if len(term) < 8 else 2


class SearchIndex:
    """Built once from the entries; ``search`` is read-only and safe to share across threads."""

    def __init__(self, documents: Iterable[Document]) -> None:
        self.documents: tuple[Document, ...] = tuple(documents)
        self._postings: dict[str, list[tuple[int, float]]] = {}
        self._idf: dict[str, float] = {}
        self._fragments: list[list[tuple[str, frozenset[str]]]] = []
        self._build()
        self._vocabulary = sorted(self._postings)
        self._by_prefix: dict[str, list[str]] = defaultdict(list)
        self._by_delete: dict[str, list[str]] = defaultdict(list)
        for term in self._vocabulary:
            self._by_prefix[term[:4]].append(term)
            for variant in _deletes(term, 1):
                self._by_delete[variant].append(term)

    def _build(self) -> None:
        fields_of = [
            {
                "title": terms(doc.title),
                "tags": terms(" ".join(doc.tags)),
                "body": terms(doc.body),
            }
            for doc in self.documents
        ]
        count = max(len(self.documents), 1)
        average = {
            name: max(sum(len(f[name]) for f in fields_of) / count, 1.0) for name in FIELD_WEIGHTS
        }
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for position, fields in enumerate(fields_of):
            weighted: dict[str, float] = defaultdict(float)
            for name, weight in FIELD_WEIGHTS.items():
                tokens = fields[name]
                norm = 1 - B + B * len(tokens) / average[name]
                for term in tokens:
                    weighted[term] += weight / norm
            for term, tf in weighted.items():
                postings[term].append((position, tf * (K1 + 1) / (tf + K1)))
        self._postings = dict(postings)
        self._idf = {
            term: math.log(1 + (count - len(docs) + 0.5) / (len(docs) + 0.5))
            for term, docs in postings.items()
        }
        self._fragments = [_fragments(doc.body) for doc in self.documents]

    def _expand(self, term: str) -> dict[str, float]:
        """Index stems that ``term`` stands for, with their weights."""
        matches: dict[str, float] = {}
        if term in self._postings:
            matches[term] = 1.0
        if len(term) >= 4:
            for other in self._by_prefix.get(term[:4], ()):
                if other == term:
                    continue
                longer = other.startswith(term)
                shorter = term.startswith(other) and len(other) >= 5 and len(term) - len(other) <= 2
                if longer or shorter:
                    matches[other] = PREFIX_WEIGHT
        if matches:
            return matches
        limit = _max_distance(term)
        if limit == 0:
            return matches
        candidates = {
            other for variant in _deletes(term, limit) for other in self._by_delete.get(variant, ())
        }
        for other in sorted(candidates):
            if _edit_distance(term, other, limit) <= limit:
                matches[other] = FUZZY_WEIGHT
        return matches

    def search(
        self,
        query: str,
        *,
        topic: str | None = None,
        limit: int = 10,
        language: str | None = None,
    ) -> list[SearchHit]:
        query_terms = list(dict.fromkeys(terms(query[:MAX_QUERY_CHARS])))[:MAX_QUERY_TERMS]
        if not query_terms or limit <= 0:
            return []
        scores: dict[int, float] = defaultdict(float)
        expanded: set[str] = set()
        for query_term in query_terms:
            matches = self._expand(query_term)
            expanded.update(matches)
            if len(matches) == 1:  # the usual case: add straight into the scores
                ((term, weight),) = matches.items()
                factor = weight * self._idf[term]
                for position, tf in self._postings[term]:
                    scores[position] += factor * tf
                continue
            best: dict[int, float] = {}
            for term, weight in matches.items():
                factor = weight * self._idf[term]
                for position, tf in self._postings[term]:
                    value = factor * tf
                    if value > best.get(position, 0.0):
                        best[position] = value
            for position, value in best.items():
                scores[position] += value
        ranked: list[tuple[float, str, int]] = []
        for position, score in scores.items():
            doc = self.documents[position]
            if language is not None and doc.language != language:
                continue
            if topic is not None and topic in doc.topics:
                score *= TOPIC_BOOST
            ranked.append((round(score, 6), doc.id, position))
        ranked.sort(key=lambda item: (-item[0], item[1]))
        return [self._hit(position, score, expanded) for score, _, position in ranked[:limit]]

    def _hit(self, position: int, score: float, matched: set[str]) -> SearchHit:
        doc = self.documents[position]
        return SearchHit(
            id=doc.id,
            kind=doc.kind,
            title=doc.title,
            section=doc.section,
            score=round(score, 4),
            snippet=_snippet(self._fragments[position], matched),
        )


def _fragments(body: str) -> list[tuple[str, frozenset[str]]]:
    plain = _MARKUP.sub(lambda m: m.group(1) or " ", body)
    pieces = [" ".join(piece.split()) for piece in _FRAGMENT.split(plain)]
    return [(piece, frozenset(terms(piece))) for piece in pieces if piece]


def _snippet(fragments: Sequence[tuple[str, frozenset[str]]], matched: set[str]) -> str:
    if not fragments:
        return ""
    best = max(range(len(fragments)), key=lambda i: (len(fragments[i][1] & matched), -i))
    text = fragments[best][0]
    # Following fragments fill a short snippet up, so that it reads as a whole thought.
    for following, _ in fragments[best + 1 :]:
        if len(text) >= SNIPPET_CHARS // 2:
            break
        text = f"{text} {following}"
    if len(text) > SNIPPET_CHARS:
        cut = text.rfind(" ", 0, SNIPPET_CHARS)
        text = text[: cut if cut > 0 else SNIPPET_CHARS] + " …"
    return _WORD.sub(
        lambda m: f"[[{m.group()}]]" if stem(m.group()) in matched else m.group(), text
    )
