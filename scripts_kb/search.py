"""Knowledge-base search: an in-memory index over the loaded entries, for Russian callers.

* Texts become stems as ``scripts_kb.search_terms`` says (morphology, stopwords, synonyms).
* A query stem also matches longer index stems it begins (алкогол → алкогольн) and slightly
  shorter ones that begin it (работа → работ), at a lower weight.
* A query stem found nowhere in the index is matched to index stems within edit distance 1
  (stems of 4–7 letters) or 2 (8 and more), e.g. «алкаголь» → алкогол, and to the stems those
  are related to by a prefix (→ алкогольн), at a lower weight still.
* A query word's synonyms (``search_terms.SYNONYMS``) count at ``SYNONYM_WEIGHT`` of an exact
  match; another name of an agency (``search_terms.AGENCY_NAMES``) as the name itself.
* Ranking is BM25F: title weighs 3, tags 2, body 1 (tags, a list of short phrases, are
  length-normalised less: ``FIELD_B``); the call's topic multiplies the score of entries with
  that topic by ``TOPIC_BOOST``. Worked examples, refusal and answer templates are multiplied
  by ``SECONDARY_KIND_FACTOR`` unless the query speaks of a refusal, so FAQs win close calls.
* Relevance floor (``scripts_kb.relevance_floor``, where its choice is measured): an entry is
  shown only if it matches at least 2 of the query's words (its only word if it has one), one
  of them not by typo alone. Below it nothing is shown: no answer beats a wrong one.
* Dense and sparse scoring (``Scoring``) are two ways to the same sums: position lists for
  queries matching much of the index, dicts of the matched entries for the rest.
* The snippet is the body fragment with the most matched words, matched words in ``[[…]]``
  (Markdown's own ``**`` may already be in a body, so the marker cannot be confused with it).

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
from itertools import compress
from typing import Literal

from scripts_kb.relevance_floor import RelevanceFloor
from scripts_kb.search_terms import AGENCY_NAMES, SYNONYMS, WORD, query_terms, stem, terms

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
AGENCY_NAME_WEIGHT = 1.0
# Entries that answer a narrower situation than a FAQ: they win only clearly, or when the
# caller speaks of a refusal (``_REFUSAL_PREFIXES``).
SECONDARY_KINDS = frozenset({"example", "refusal", "template"})
SECONDARY_KIND_FACTOR = 0.85
# When entries below the floor crowd the best ``limit``, the next look takes this many times
# as many.
CANDIDATE_GROWTH = 4
SNIPPET_CHARS = 220
EXPANSION_CACHE_SIZE = 4096
FRAGMENT_CACHE_SIZE = 4096
# Queries whose postings reach 1/DENSE_SHARE of the entries are scored in position lists.
DENSE_SHARE = 4
# Far above a rounding step of ``round(score, 6)`` plus float error, far below a score.
_ROUNDING_MARGIN = 1e-5

_FRAGMENT = re.compile(r"(?<=[.!?…;:])\s+|\n+")
_MARKUP = re.compile(r"[#*_`>|]+|\[([^\]]*)\]\([^)]*\)")

# Query stems beginning so speak of a refusal (отказали, отклонили, прекращена, …).
_REFUSAL_PREFIXES = ("отказ", "отклон", "прекращ", "аннулир", "приостанов")

# How scores are summed: "dense" in lists by position, "sparse" in dicts of the matched
# entries, "auto" by the share of entries the query's postings reach (``DENSE_SHARE``).
Scoring = Literal["auto", "dense", "sparse"]
# (rounded score, id, position), best first.
Ranked = list[tuple[float, str, int]]


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
class _Expansion:
    """What one query word stands for: index stems with their weights, and whether by typo."""

    stems: tuple[tuple[str, float], ...]
    typo: bool


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

    ``scoring`` picks how scores are summed (``Scoring``); both ways give the same results,
    "auto" picks the faster one per query. Dense scoring orders equal scores by id alone, so
    it needs unique ids.
    """

    def __init__(self, documents: Iterable[Document], *, scoring: Scoring = "auto") -> None:
        self.documents: tuple[Document, ...] = tuple(documents)
        self._scoring = scoring
        # Stem → {position: saturated field-weighted tf}, in position order.
        self._postings: dict[str, dict[int, float]] = {}
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
        if scoring == "dense" and not self._unique_ids:
            raise ValueError("dense scoring needs unique entry ids")
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
        self._expansions: dict[str, _Expansion] = {}
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
        self._idf = {
            term: math.log(1 + (count - len(found) + 0.5) / (len(found) + 0.5))
            for term, found in positions.items()
        }

    def _expand(self, term: str) -> _Expansion:
        """Index stems that ``term`` stands for, with their weights (cached per index)."""
        cached = self._expansions.get(term)
        if cached is None:
            matches = self._expand_known(term)
            typo = not matches
            if typo:
                matches = self._expand_typo(term)
            cached = _Expansion(tuple(matches.items()), typo)
            if len(self._expansions) >= EXPANSION_CACHE_SIZE:
                self._expansions.clear()
            self._expansions[term] = cached
        return cached

    def _expand_known(self, term: str) -> dict[str, float]:
        """The stem itself, stems related by a prefix, and those of its synonyms and names."""
        matches = self._expand_exact(term)
        for table, factor in ((SYNONYMS, SYNONYM_WEIGHT), (AGENCY_NAMES, AGENCY_NAME_WEIGHT)):
            for synonym in table.get(term, ()):
                for other, weight in self._expand_exact(synonym).items():
                    weight *= factor
                    if weight > matches.get(other, 0.0):
                        matches[other] = weight
        return matches

    def _expand_typo(self, term: str) -> dict[str, float]:
        """Stems within the typo distance of an unknown stem, read as if typed."""
        matches: dict[str, float] = {}
        limit = _max_distance(term)
        if limit == 0:
            return matches
        candidates = {
            other for variant in _deletes(term, limit) for other in self._by_delete.get(variant, ())
        }
        for other in sorted(candidates):
            if _edit_distance(term, other, limit) <= limit:
                # алкаголь → алкогол, and from there → алкогольн as for «алкоголь».
                for related, weight in self._expand_exact(other).items():
                    weight *= FUZZY_WEIGHT
                    if weight > matches.get(related, 0.0):
                        matches[related] = weight
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
        """The best ``limit`` entries above the relevance floor, best first.

        An empty query, or one of stopwords only, finds nothing (``search_terms.query_problem``
        says why, for the caller to show).
        """
        words = query_terms(query)
        if not words or limit <= 0:
            return []
        # Each query word becomes its index stems with their factors (weight × idf).
        groups: list[tuple[tuple[str, float], ...]] = []
        typos: list[bool] = []
        expanded: set[str] = set()
        for word in words:
            expansion = self._expand(word)
            if expansion.stems:
                expanded.update(term for term, _ in expansion.stems)
                groups.append(
                    tuple((term, weight * self._idf[term]) for term, weight in expansion.stems)
                )
                typos.append(expansion.typo)
        relevance = RelevanceFloor(
            len(words),
            [tuple(self._postings[term] for term, _ in group) for group in groups],
            typos,
        )
        if not relevance.reachable():
            return []
        damp = not any(term.startswith(_REFUSAL_PREFIXES) for term in words)
        scores: list[float] | dict[int, float]
        if self._dense(groups):
            scores = self._dense_scores(groups, topic=topic, language=language, damp=damp)
        else:
            scores = self._all_scores(groups, topic=topic, language=language, damp=damp)
        ranked = self._best_above(relevance, scores, limit)
        return [self._hit(position, score, expanded) for score, _, position in ranked]

    def _best_above(
        self, relevance: RelevanceFloor, scores: list[float] | dict[int, float], limit: int
    ) -> Ranked:
        """The best ``limit`` entries above the relevance floor, ranked."""
        size = limit
        while True:
            ranked, cutoff = self._ranked(scores, size)
            if relevance.need == 1:
                return ranked[:limit]
            # Entries ranked below ``cutoff`` may tie with ones not ranked yet: left out.
            kept = [
                item
                for item in ranked
                if (cutoff is None or item[0] >= cutoff) and relevance.passes(item[2])
            ]
            if len(kept) >= limit or cutoff is None:
                return kept[:limit]
            size *= CANDIDATE_GROWTH

    def _dense(self, groups: Sequence[tuple[tuple[str, float], ...]]) -> bool:
        if self._scoring != "auto":
            return self._scoring == "dense"
        matched = sum(len(self._postings[term]) for group in groups for term, _ in group)
        return self._unique_ids and matched * DENSE_SHARE >= len(self.documents)

    def _ranked(
        self, scores: list[float] | dict[int, float], size: int
    ) -> tuple[Ranked, float | None]:
        """The matched entries that can be among the best ``size`` once rounded, ranked.

        Also the rounded score down to which the ranking is complete: every entry left out
        ranks below it (``None``: none is left out). Only entries that can still reach the top
        are sorted: rounding is monotonic, so they score at least the ``size``-th best score
        less a rounding step.
        """
        candidates: Iterable[tuple[int, float]]
        cutoff: float | None = None
        if isinstance(scores, list):
            best = heapq.nlargest(size, scores)[-1] if size < len(scores) else 0.0
            lowest = best - _ROUNDING_MARGIN
            if lowest > 0.0:
                cutoff = round(best, 6)
            else:  # every matched entry: unmatched ones score 0.0
                lowest = math.ulp(0.0)
            candidates = [
                (position, score) for position, score in enumerate(scores) if score >= lowest
            ]
        else:
            candidates = scores.items()
            if len(scores) > size:
                best = heapq.nlargest(size, scores.values())[-1]
                lowest = best - _ROUNDING_MARGIN
                cutoff = round(best, 6)
                candidates = compress(scores.items(), map(lowest.__le__, scores.values()))
        ids = self._ids
        ranked = sorted(
            ((round(score, 6), ids[position], position) for position, score in candidates),
            key=lambda item: (-item[0], item[1]),
        )
        return ranked, cutoff

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
    return WORD.sub(lambda m: f"[[{m.group()}]]" if stem(m.group()) in matched else m.group(), text)
