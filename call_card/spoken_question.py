"""The caller's question in their own words, for the call card (C8, K7).

When the line asks for it, the voice menu records what the caller said their question was and
the recognizer's transcript is kept with the call (``calls.spoken_question``, with the
recognizer's confidence). The card shows it, marked as recognized automatically and, below
:data:`UNCERTAIN_BELOW`, as recognized with little confidence; beside it the knowledge-base
entries the same search as the operator's own (``scripts_kb.search``) finds for it, best first.

The transcript is the caller's text: the card hands it over as a string, to be shown as text
and never read as markup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from models.topics import Topic
from scripts_kb.labels import kind_label
from scripts_kb.search import SearchIndex

UNCERTAIN_BELOW = 0.6  # the recognizer's confidence under which the card says so
KB_MATCHES = 3  # entries shown beside the question
UNCERTAIN_HINT = "распознано неуверенно"


@dataclass(frozen=True, slots=True)
class KbMatch:
    """An entry the question finds, to open from the card."""

    id: str
    title: str
    kind_label: str


@dataclass(frozen=True, slots=True)
class SpokenQuestion:
    text: str  # as recognized, surrounding spaces trimmed
    confidence: float | None  # 0–1; None: the recognizer gave none (or a value that is none)
    uncertain: bool  # confidence below UNCERTAIN_BELOW
    hint: str  # "распознано неуверенно (уверенность 42 %)" when uncertain, else ""
    kb_matches: tuple[KbMatch, ...]  # best first; none found: empty


def confidence_of(value: float | None) -> float | None:
    """A stored confidence, if it is one: a number from 0 to 1 (NaN, infinities and numbers
    outside are none, and JSON could not carry a NaN anyway)."""
    if value is None or not math.isfinite(value) or not 0.0 <= value <= 1.0:
        return None
    return value


def spoken_question(
    text: str,
    confidence: float | None,
    *,
    topic: Topic | None,
    index: SearchIndex | None,
    limit: int = KB_MATCHES,
) -> SpokenQuestion | None:
    """The card's part for the transcript ``text``; None when nothing was said (empty or
    blank). ``topic`` (the menu's choice) raises its own entries, as in the operator's search;
    without an ``index`` no entries are looked for."""
    said = text.strip()
    if not said:
        return None
    sure = confidence_of(confidence)
    uncertain = sure is not None and sure < UNCERTAIN_BELOW
    hits = index.search(said, topic=topic.value if topic else None, limit=limit) if index else []
    return SpokenQuestion(
        text=said,
        confidence=sure,
        uncertain=uncertain,
        hint=f"{UNCERTAIN_HINT} (уверенность {percent(sure)})" if uncertain else "",
        kb_matches=tuple(KbMatch(hit.id, hit.title, kind_label(hit.kind)) for hit in hits),
    )


def percent(confidence: float | None) -> str:
    """0.42 → "42 %" (whole per cent, halves up, a no-break space before the sign so the two
    never part at a line's end); no confidence → "—"."""
    if confidence is None:
        return "—"
    return f"{math.floor(confidence * 100 + 0.5)}\u00a0%"
