"""K7: where the knowledge base failed the operators — topics and questions without an answer.

Built from call wrap-ups (``call_wrapups``) recorded in a period ``[since, until)``. Questions are
grouped after trimming, lower-casing and collapsing spaces, so «Как  продлить лицензию?» and
«как продлить лицензию?» count as one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlmodel import Session, col, select

from models.tables.calls import CallWrapup
from models.topics import Topic

TOP = 20


@dataclass(frozen=True, slots=True)
class TopicGap:
    topic: Topic | None  # None: the wrap-up named no topic
    count: int


@dataclass(frozen=True, slots=True)
class QuestionGap:
    question: str  # as first written, of the grouped variants
    topic: Topic | None  # the most frequent topic the question came with
    count: int


@dataclass(frozen=True, slots=True)
class GapReport:
    since: datetime
    until: datetime
    wrapups: int
    without_answer: int
    topics: tuple[TopicGap, ...]
    questions: tuple[QuestionGap, ...]


def _normalised(question: str) -> str:
    return " ".join(question.lower().replace("ё", "е").split()).rstrip("?!. ")


def kb_gaps(*, session: Session, since: datetime, until: datetime, top: int = TOP) -> GapReport:
    rows = list(
        session.exec(
            select(CallWrapup)
            .where(col(CallWrapup.created_at) >= since, col(CallWrapup.created_at) < until)
            .order_by(col(CallWrapup.created_at), col(CallWrapup.id))
        )
    )
    missing = [row for row in rows if not row.kb_answer_found]
    topics = Counter(row.topic for row in missing)
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    topics_of: dict[str, Counter[Topic | None]] = {}
    for row in missing:
        key = _normalised(row.question)
        if not key:
            continue
        counts[key] += 1
        first.setdefault(key, row.question.strip())
        topics_of.setdefault(key, Counter())[row.topic] += 1
    return GapReport(
        since=since,
        until=until,
        wrapups=len(rows),
        without_answer=len(missing),
        topics=tuple(
            TopicGap(topic, count)
            for topic, count in sorted(topics.items(), key=lambda i: (-i[1], i[0] or ""))
        )[:top],
        questions=tuple(
            QuestionGap(first[key], topics_of[key].most_common(1)[0][0], count)
            for key, count in sorted(counts.items(), key=lambda i: (-i[1], i[0]))
        )[:top],
    )


def local_period(since: date, until: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The instants bounding the local days ``since`` to ``until``, both included."""
    start = datetime.combine(since, time(0), tz)
    end = datetime.combine(until + timedelta(days=1), time(0), tz)
    return start.astimezone(UTC), end.astimezone(UTC)
