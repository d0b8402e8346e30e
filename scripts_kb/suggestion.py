"""A written message's topic and typical need as the knowledge base suggests them (W2), for a
person to confirm or change.

The message is searched as the operator's search would (``scripts_kb.search``), a piece at a
time: the search reads only the first ``MAX_QUERY_CHARS`` characters of a query, and a letter
often opens with greetings and an address, so its subject and the first pieces of its text are
searched each, and the entries found add up their scores. The topic is the one the found
entries speak of most (an entry of several topics shares its score among them). The typical
needs are the questions of the best FAQ entries; an entry about another agency makes the need
«the question belongs to that agency». Nothing found: no suggestion, the person decides.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Final

from models.topics import Topic
from scripts_kb.search import SearchIndex
from scripts_kb.search_terms import MAX_QUERY_CHARS

BODY_PIECES: Final = 3  # pieces of the text searched after the subject
HITS_PER_PIECE: Final = 5
NEEDS: Final = 3  # needs offered, best first
NEED_MAX: Final = 255  # written_messages.need
AGENCY_NEED: Final = "Вопрос в ведении другого ведомства: {title}"
_NEED_KINDS: Final = frozenset({"faq", "agency"})
_TOPICS: Final = {topic.value: topic for topic in Topic}


@dataclass(frozen=True, slots=True)
class NeedOption:
    text: str  # the typical need, as it would be recorded
    entry_id: str  # the entry it comes from


@dataclass(frozen=True, slots=True)
class Suggestion:
    topic: Topic | None
    needs: tuple[NeedOption, ...]  # best first


def suggest(index: SearchIndex, subject: str, body: str) -> Suggestion | None:
    """What the entries found for the message suggest; None when nothing is found."""
    scores: dict[int, float] = defaultdict(float)  # position in index.documents → score
    positions = {doc.id: position for position, doc in enumerate(index.documents)}
    for piece in pieces(subject, body):
        for hit in index.search(piece, limit=HITS_PER_PIECE):
            scores[positions[hit.id]] += hit.score
    if not scores:
        return None
    ranked = sorted(scores, key=lambda position: (-scores[position], position))
    topics: dict[Topic, float] = defaultdict(float)
    for position in ranked:
        known = [_TOPICS[t] for t in index.documents[position].topics if t in _TOPICS]
        for each in known:
            topics[each] += scores[position] / len(known)
    topic = min(topics, key=lambda t: (-topics[t], list(Topic).index(t)), default=None)
    found = [index.documents[position] for position in ranked]
    needs = [
        NeedOption(_need_text(doc.kind, doc.title), doc.id)
        for doc in found
        if doc.kind in _NEED_KINDS
    ]
    return Suggestion(topic=topic, needs=tuple(needs[:NEEDS]))


def pieces(subject: str, body: str) -> list[str]:
    """The subject, then the text's first ``BODY_PIECES`` pieces of whole words, each as long
    as the search reads."""
    found = [subject.strip()] if subject.strip() else []
    chunks: list[str] = []
    piece = ""
    for word in body[: (BODY_PIECES + 1) * MAX_QUERY_CHARS].split():
        longer = f"{piece} {word}" if piece else word
        if len(longer) <= MAX_QUERY_CHARS or not piece:
            piece = longer
            continue
        chunks.append(piece)
        if len(chunks) == BODY_PIECES:
            return found + chunks
        piece = word
    if piece:
        chunks.append(piece)
    return found + chunks


def _need_text(kind: str, title: str) -> str:
    text = AGENCY_NEED.format(title=title) if kind == "agency" else title
    return text[:NEED_MAX]
