"""Knowledge-base search: an in-memory index over the loaded entries, for Russian callers.

* Words are lower-cased, «ё» read as «е», and reduced to Snowball stems (Russian for Cyrillic,
  English for Latin words), so «лицензии на продажу алкоголя» meets «лицензия на розничную
  продажу алкогольной продукции».
* A query stem also matches longer index stems it begins (алкогол → алкогольн) and slightly
  shorter ones that begin it (работа → работ), at a lower weight.
* A query stem found nowhere in the index is matched to index stems within edit distance 1
  (stems of 4–7 letters) or 2 (8 and more), e.g. «алкаголь» → алкогол, at a lower weight still.
* A few domain words also stand for their synonyms (``_SYNONYM_TEXT``: «завод» → предприятие,
  «водка» → алкоголь, …), at ``SYNONYM_WEIGHT`` of an exact match.
* Stopwords are compared as stems, so every form of a listed word is left out; the list holds
  function words and the words callers wrap a question in («сколько», «куда звонить», «хочу»).
* Ranking is BM25F: title weighs 3, tags 2, body 1 (tags, a list of short phrases, are
  length-normalised less: ``FIELD_B``); the call's topic multiplies the score of entries with
  that topic by ``TOPIC_BOOST``. Worked examples, refusal and answer templates are multiplied
  by ``SECONDARY_KIND_FACTOR`` unless the query speaks of a refusal, so FAQs win close calls.
* The snippet is the body fragment with the most matched words, matched words in ``[[…]]``
  (Markdown's own ``**`` may already be in a body, so the marker cannot be confused with it).
* The query is untrusted: it is cut to ``MAX_QUERY_CHARS`` characters and ``MAX_QUERY_TERMS``
  words, and only ever split by a fixed pattern, never compiled into one.

The index is built from database rows (``scripts_kb.store.load_documents``), so results are
the same on SQLite and PostgreSQL by construction.
"""

from __future__ import annotations

import heapq
import math
import operator
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress

import snowballstemmer

MAX_QUERY_CHARS = 300
MAX_QUERY_TERMS = 16
TOPIC_BOOST = 1.5
FIELD_WEIGHTS = {"title": 3.0, "tags": 2.0, "body": 1.0}
K1 = 1.2
B = 0.75
# Tags are a handful of short phrases each: a long list is not a diluted one, so their length
# counts for less than a title's or a body's.
FIELD_B = {"title": B, "tags": 0.5, "body": B}
PREFIX_WEIGHT = 0.7
FUZZY_WEIGHT = 0.6
SYNONYM_WEIGHT = 0.5
# Entries that answer a narrower situation than a FAQ: they win only clearly, or when the
# caller speaks of a refusal (``_REFUSAL_PREFIXES``).
SECONDARY_KINDS = frozenset({"example", "refusal", "template"})
SECONDARY_KIND_FACTOR = 0.85
SNIPPET_CHARS = 220
EXPANSION_CACHE_SIZE = 4096
FRAGMENT_CACHE_SIZE = 4096
# Queries whose postings reach 1/DENSE_SHARE of the entries are scored in position lists.
DENSE_SHARE = 4
# Far above a rounding step of ``round(score, 6)`` plus float error, far below a score.
_ROUNDING_MARGIN = 1e-5

_WORD = re.compile(r"[0-9a-zа-яё]+", re.IGNORECASE)
_FRAGMENT = re.compile(r"(?<=[.!?…;:])\s+|\n+")
_MARKUP = re.compile(r"[#*_`>|]+|\[([^\]]*)\]\([^)]*\)")
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
    found = _WORD.findall(text)
    if not found:
        return []
    # One ``lower`` over the joined words is the same as one per word (no word holds a space,
    # and no letter the pattern takes lower-cases differently by its neighbours), only faster.
    return " ".join(found).lower().replace("ё", "е").split(" ")


def terms(text: str) -> list[str]:
    """The stems of ``text``'s meaningful words, in order."""
    found = [stem(word) for word in words(text) if word not in _STOPWORDS]
    return [term for term in found if term not in _STOP_STEMS]


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
_SYNONYMS = _synonyms(_SYNONYM_TEXT)
# Query stems beginning so speak of a refusal (отказали, отклонили, прекращена, …).
_REFUSAL_PREFIXES = ("отказ", "отклон", "прекращ", "аннулир", "приостанов")


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
    """Built once from the entries; ``search`` is read-only and safe to share across threads.

    Everything a query needs is laid out at build time: per stem, the positions of the entries
    holding it and their saturated field-weighted term frequencies (document-length norms
    included), its idf, and a sorted vocabulary for prefix look-ups. A query then touches only
    the postings of its stems, keeps the best ``limit`` entries without sorting the rest, and
    cuts snippets only for the entries it returns. The floating-point operations are the same,
    in the same order, as scoring each entry one by one, so scores and ties are exact.
    """

    def __init__(self, documents: Iterable[Document]) -> None:
        self.documents: tuple[Document, ...] = tuple(documents)
        # Stem → {position: saturated field-weighted tf}, in position order.
        self._postings: dict[str, dict[int, float]] = {}
        self._top_saturated: dict[str, float] = {}
        self._idf: dict[str, float] = {}
        self._build()
        self._vocabulary = sorted(self._postings)
        self._by_delete: dict[str, list[str]] = defaultdict(list)
        for term in self._vocabulary:
            for variant in _deletes(term, 1):
                self._by_delete[variant].append(term)
        self._ids = tuple(doc.id for doc in self.documents)
        # Position lists order equal scores by id alone; with a repeated id, the dicts keep the
        # order in which entries were first matched, as ranking always did.
        self._unique_ids = len(set(self._ids)) == len(self._ids)
        self._by_topic: dict[str, frozenset[int]] = _positions_by(
            (topic, position)
            for position, doc in enumerate(self.documents)
            for topic in set(doc.topics)
        )
        self._by_language: dict[str, frozenset[int]] = _positions_by(
            (doc.language, position) for position, doc in enumerate(self.documents)
        )
        self._secondary = frozenset(
            position for position, doc in enumerate(self.documents) if doc.kind in SECONDARY_KINDS
        )
        self._secondary_order = tuple(sorted(self._secondary))
        # Filled on demand, bounded; a race only ever stores the same value twice.
        self._expansions: dict[str, tuple[tuple[str, float], ...]] = {}
        self._fragments: dict[int, list[tuple[str, frozenset[str]]]] = {}
        self._masks: dict[str, tuple[int, ...]] = {}  # positions outside a language

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
        positions: dict[str, list[int]] = defaultdict(list)
        saturated: dict[str, list[float]] = defaultdict(list)
        for position, fields in enumerate(fields_of):
            weighted: dict[str, float] = {}
            for name, weight in FIELD_WEIGHTS.items():
                tokens = fields[name]
                b = FIELD_B[name]
                norm = 1 - b + b * len(tokens) / average[name]
                share = weight / norm
                # Added once per occurrence, in order: the same sums as token by token.
                for term, times in Counter(tokens).items():
                    tf = weighted.get(term, 0.0)
                    for _ in range(times):
                        tf += share
                    weighted[term] = tf
            for term, tf in weighted.items():
                positions[term].append(position)
                saturated[term].append(tf * (K1 + 1) / (tf + K1))
        self._postings = {
            term: dict(zip(found, saturated[term], strict=True))
            for term, found in positions.items()
        }
        self._top_saturated = {term: max(found.values()) for term, found in self._postings.items()}
        self._idf = {
            term: math.log(1 + (count - len(found) + 0.5) / (len(found) + 0.5))
            for term, found in positions.items()
        }

    def _expand(self, term: str) -> tuple[tuple[str, float], ...]:
        """Index stems that ``term`` stands for, with their weights (cached per index)."""
        cached = self._expansions.get(term)
        if cached is None:
            cached = tuple(self._expand_uncached(term).items())
            if len(self._expansions) >= EXPANSION_CACHE_SIZE:
                self._expansions.clear()
            self._expansions[term] = cached
        return cached

    def _expand_uncached(self, term: str) -> dict[str, float]:
        matches = self._expand_exact(term)
        for synonym in _SYNONYMS.get(term, ()):
            for other, weight in self._expand_exact(synonym).items():
                weight *= SYNONYM_WEIGHT
                if weight > matches.get(other, 0.0):
                    matches[other] = weight
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

    def _expand_exact(self, term: str) -> dict[str, float]:
        """Index stems equal to ``term`` (weight 1) or related by a prefix."""
        matches: dict[str, float] = {}
        if term in self._postings:
            matches[term] = 1.0
        if len(term) >= 4:
            # Longer stems that ``term`` begins: a run of the sorted vocabulary.
            vocabulary = self._vocabulary
            start = bisect_left(vocabulary, term)
            end = bisect_left(vocabulary, term + "\U0010ffff", start)
            related = {other for other in vocabulary[start:end] if other != term}
            # Shorter stems (5 letters or more, at most 2 fewer) that begin ``term``.
            related.update(
                term[:size]
                for size in range(max(5, len(term) - 2), len(term))
                if term[:size] in self._postings
            )
            for other in sorted(related):  # vocabulary order
                matches[other] = PREFIX_WEIGHT
        return matches

    def _contribution(self, term: str, factor: float) -> dict[int, float]:
        """Position → ``factor * saturated tf`` of one index stem, in posting order."""
        found = self._postings[term]
        return dict(zip(found, map(factor.__mul__, found.values()), strict=True))

    def _values(self, group: Sequence[tuple[str, float]]) -> dict[int, float]:
        """Position → the value of one query term: its best index stem's."""
        values = self._contribution(*group[0])
        for term, factor in group[1:]:
            _merge(values, self._contribution(term, factor), max)
        return values

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
        # Each query term becomes its index stems with their factors (weight × idf).
        groups: list[tuple[tuple[str, float], ...]] = []
        expanded: set[str] = set()
        for query_term in query_terms:
            matches = self._expand(query_term)
            if matches:
                expanded.update(term for term, _ in matches)
                groups.append(tuple((term, weight * self._idf[term]) for term, weight in matches))
        if not groups:
            return []
        damp = not any(term.startswith(_REFUSAL_PREFIXES) for term in query_terms)
        # Only entries that can still reach the top ``limit`` once rounded are sorted: rounding
        # is monotonic, so they score at least the ``limit``-th best score less a rounding step.
        candidates: Iterable[tuple[int, float]]
        matched = sum(len(self._postings[term]) for group in groups for term, _ in group)
        if self._unique_ids and matched * DENSE_SHARE >= len(self.documents):
            dense = self._dense_scores(groups, topic=topic, language=language, damp=damp)
            floor = heapq.nlargest(limit, dense)[-1] - _ROUNDING_MARGIN
            if floor <= 0.0:  # unmatched entries score 0.0
                floor = math.ulp(0.0)
            candidates = [
                (position, score) for position, score in enumerate(dense) if score >= floor
            ]
        else:
            scores = self._all_scores(groups, topic=topic, language=language, damp=damp)
            candidates = scores.items()
            if len(scores) > limit:
                floor = heapq.nlargest(limit, scores.values())[-1] - _ROUNDING_MARGIN
                candidates = compress(scores.items(), map(floor.__le__, scores.values()))
        ids = self._ids
        ranked = sorted(
            ((round(score, 6), ids[position], position) for position, score in candidates),
            key=lambda item: (-item[0], item[1]),
        )
        return [self._hit(position, score, expanded) for score, _, position in ranked[:limit]]

    def _all_scores(
        self,
        groups: Sequence[tuple[tuple[str, float], ...]],
        *,
        topic: str | None,
        language: str | None,
        damp: bool,
    ) -> dict[int, float]:
        """Every matched entry's score, entries in the order they were first matched.

        The merges run in C (dict and set operations, ``map``); each entry's score is still
        the sum of its query terms' values in query order, as if added one by one.
        """
        scores: dict[int, float] = {}
        for group in groups:
            if scores:
                _merge(scores, self._values(group), operator.add)
            else:
                scores = self._values(group)
        if language is not None:
            for position in scores.keys() - self._by_language.get(language, frozenset()):
                del scores[position]
        if topic is not None:
            self._boost(scores, scores.keys() & self._by_topic.get(topic, frozenset()), TOPIC_BOOST)
        if damp:
            self._boost(scores, scores.keys() & self._secondary, SECONDARY_KIND_FACTOR)
        return scores

    def _dense_scores(
        self,
        groups: Sequence[tuple[tuple[str, float], ...]],
        *,
        topic: str | None,
        language: str | None,
        damp: bool,
    ) -> list[float]:
        """Every entry's score by position (0.0 if unmatched or filtered out).

        For queries matching much of the index: plain loops over the postings into lists
        indexed by position (faster than dicts, and than chains of ``map``). An entry
        without a term gets 0.0 for it, and adding 0.0 leaves a sum of positive values as it
        was, so each score is the same sum, in the same order, as in the dicts.
        """
        size = len(self.documents)
        scores = [0.0] * size
        for group in groups:
            if len(group) == 1:
                term, factor = group[0]
                for position, tf in self._postings[term].items():
                    scores[position] += factor * tf
                continue
            best: dict[int, float] = {}  # a stem standing for several: the best one
            for term, factor in group:
                get = best.get
                for position, tf in self._postings[term].items():
                    value = factor * tf
                    if value > get(position, 0.0):
                        best[position] = value
            for position, value in best.items():
                scores[position] += value
        if language is not None:
            for position in self._outside_language(language):
                scores[position] = 0.0
        if topic is not None:
            for position in self._by_topic.get(topic, ()):
                scores[position] *= TOPIC_BOOST
        if damp:
            for position in self._secondary_order:
                scores[position] *= SECONDARY_KIND_FACTOR
        return scores

    def _outside_language(self, language: str) -> tuple[int, ...]:
        found = self._masks.get(language)
        if found is None:
            inside = self._by_language.get(language, frozenset())
            found = self._masks[language] = tuple(
                position for position in range(len(self._ids)) if position not in inside
            )
        return found

    @staticmethod
    def _boost(scores: dict[int, float], positions: AbstractSet[int], factor: float) -> None:
        """Multiplies the scores of ``positions`` (all in ``scores``) by ``factor``."""
        scores.update(
            zip(
                positions,
                map(factor.__rmul__, map(scores.__getitem__, positions)),
                strict=True,
            )
        )

    def _hit(self, position: int, score: float, matched: set[str]) -> SearchHit:
        doc = self.documents[position]
        fragments = self._fragments.get(position)
        if fragments is None:
            if len(self._fragments) >= FRAGMENT_CACHE_SIZE:
                self._fragments.clear()
            fragments = self._fragments[position] = _fragments(doc.body)
        return SearchHit(
            id=doc.id,
            kind=doc.kind,
            title=doc.title,
            section=doc.section,
            score=round(score, 4),
            snippet=_snippet(fragments, matched),
        )


def _merge(
    into: dict[int, float], other: dict[int, float], combine: Callable[[float, float], float]
) -> None:
    """``into[p] = combine(into[p], other[p])`` where both hold ``p``; else ``other[p]``.

    Positions new to ``into`` are appended in ``other``'s order, as a loop would append them.
    """
    common = into.keys() & other.keys()
    other.update(
        zip(
            common,
            map(combine, map(into.__getitem__, common), map(other.__getitem__, common)),
            strict=True,
        )
    )
    into.update(other)


def _positions_by(pairs: Iterable[tuple[str, int]]) -> dict[str, frozenset[int]]:
    grouped: dict[str, set[int]] = defaultdict(set)
    for key, position in pairs:
        grouped[key].add(position)
    return {key: frozenset(found) for key, found in grouped.items()}


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
