"""The relevance floor of the knowledge-base search: which matched entries are worth showing.

An entry is shown only if it matches at least ``MIN_MATCHED_WORDS`` of the query's words (the
only word of a one-word query), at least one of them not by typo alone. A word matches an entry
that holds its stem, a stem related by a prefix, a synonym's or another name's stem, or a stem
within the typo distance; words the index does not hold at all still count in the query (in
«погода в махачкале», «погода»). Not a score: a BM25 score grows with the corpus and with the
number of query words, so no one number separates answers from noise.

Chosen by measurement over the 88 caller questions and the 32 off-topic queries of
``tests/scripts_kb/test_search_questions.py``:

* 1 word (no floor): 25 of the 32 off-topic queries find something («купить слона» → the
  consumer complaint entry by «купить», «погода в махачкале» → the ministry's address).
* 2 words: no off-topic query finds anything, and every expected entry is still found: each
  question of several words matches its entry in at least 2 words (30 of the 83 in exactly 2,
  the least share 2 of 6: «как поставить киоск возле дома разрешение где брать»). Top-1 and
  top-3 stay those of no floor (84 and 87 of 88).
* 3 words: 19 of the 88 expected entries are lost (top-1 68 of 88).

Typos: in 2,000 random pronounceable strings of 1–4 words (fixed seed), 14 of the 515 single
words still find an entry (each is one typo from a real word: «товав» → товар; a lone word
cannot be told from a misspelling), none of the 1,485 longer ones; but over the 10,000-entry
bench corpus 2 of them matched two words by typo alone, hence "not by typo alone".

What the floor cannot tell: an off-topic query with two words of one entry («детский сад
очередь» finds the sale-hours entry, which names детские сады).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MIN_MATCHED_WORDS = 2


@dataclass(frozen=True, slots=True)
class RelevanceFloor:
    """The floor for one query of ``query_words`` words.

    ``postings`` and ``typos`` hold, for each query word that matched anything, the postings
    (position → …) of the index stems it stands for, and whether it matched by typo only.
    """

    query_words: int
    postings: Sequence[Sequence[Mapping[int, float]]]
    typos: Sequence[bool]

    @property
    def need(self) -> int:
        return min(MIN_MATCHED_WORDS, self.query_words)

    def reachable(self) -> bool:
        """Whether any entry can pass at all."""
        return len(self.postings) >= self.need and (self.need == 1 or not all(self.typos))

    def passes(self, position: int) -> bool:
        """Whether the entry at ``position``, one the query matched, is above the floor."""
        need = self.need
        if need == 1:
            return True
        matched = 0
        sure = False  # a word matched not by typo alone
        for word, typo in zip(self.postings, self.typos, strict=True):
            for found in word:
                if position in found:
                    matched += 1
                    sure = sure or not typo
                    if matched >= need and sure:
                        return True
                    break
        return False
