"""K7: where the knowledge base failed the operators — topics and questions without an answer.

Built from call wrap-ups (``call_wrapups``) recorded in a period ``[since, until)``. Questions are
grouped after trimming, lower-casing and collapsing spaces, so «Как  продлить лицензию?» and
«как продлить лицензию?» count as one. The wrap-ups that did find an answer name its entry: the
report counts those entries, and names them beside a question that other wrap-ups of the period
answered from the knowledge base (the answer is there; the operators did not always find it).

Beside what the operators wrote down, what the callers said: the questions the voice menu
recognized (``calls.spoken_question``) of the calls that arrived in the period, grouped the same
way, each with the number of its calls and of those whose wrap-up found no answer in the
knowledge base — those first, as they are the gaps the callers name themselves.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlmodel import Session, col, select

from models.tables.calls import Call, CallWrapup
from models.topics import Topic

TOP = 20
PERIOD_DAYS = 30  # the default period, up to today
# The days a report may span: outside them the instants would not fit a datetime.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


@dataclass(frozen=True, slots=True)
class TopicGap:
    topic: Topic | None  # None: the wrap-up named no topic
    count: int


@dataclass(frozen=True, slots=True)
class QuestionGap:
    question: str  # as first written, of the grouped variants
    topic: Topic | None  # the most frequent topic the question came with
    count: int
    # Entries named by wrap-ups of the same question that found the answer, most named first.
    answered_in: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SpokenGap:
    """A question callers said in the voice menu, as recognized."""

    question: str  # as first said, of the grouped variants
    topic: Topic | None  # the most frequent topic of its calls: the wrap-up's, else the menu's
    calls: int  # calls of the period it was said on
    without_answer: int  # of those, the calls whose wrap-up found no answer in the KB
    # Entries named by wrap-ups of its calls that found the answer, most named first.
    answered_in: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EntryUse:
    entry_id: str
    count: int  # wrap-ups of the period that found the answer in this entry


@dataclass(frozen=True, slots=True)
class GapReport:
    since: datetime
    until: datetime
    wrapups: int
    without_answer: int
    topics: tuple[TopicGap, ...]
    questions: tuple[QuestionGap, ...]
    entries: tuple[EntryUse, ...] = ()
    spoken_calls: int = 0  # calls of the period with a spoken question
    spoken_without_answer: int = 0  # of those, the calls whose wrap-up found no answer
    spoken: tuple[SpokenGap, ...] = ()  # the most without an answer first, then the most said


def _normalised(question: str) -> str:
    return " ".join(question.lower().replace("ё", "е").split()).rstrip("?!. ")


def kb_gaps(
    *, session: Session, since: datetime, until: datetime, top: int | None = TOP
) -> GapReport:
    """The report for ``[since, until)``: ``top`` topics, questions, entries and spoken
    questions (None: all); wrap-ups by when they were written, spoken questions by when their
    call arrived."""
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
    entries: Counter[str] = Counter()
    answered_in: dict[str, Counter[str]] = {}
    for row in rows:
        if not row.kb_answer_found or row.kb_entry_id is None:
            continue
        entries[row.kb_entry_id] += 1
        key = _normalised(row.question)
        if key in counts:
            answered_in.setdefault(key, Counter())[row.kb_entry_id] += 1
    spoken_calls, spoken_without_answer, spoken = _spoken(session, since, until, top)
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
            QuestionGap(
                first[key],
                topics_of[key].most_common(1)[0][0],
                count,
                _ranked(answered_in.get(key, Counter())),
            )
            for key, count in sorted(counts.items(), key=lambda i: (-i[1], i[0]))
        )[:top],
        entries=tuple(EntryUse(entry_id, entries[entry_id]) for entry_id in _ranked(entries))[:top],
        spoken_calls=spoken_calls,
        spoken_without_answer=spoken_without_answer,
        spoken=spoken,
    )


def _spoken(
    session: Session, since: datetime, until: datetime, top: int | None
) -> tuple[int, int, tuple[SpokenGap, ...]]:
    """The calls with a spoken question, those without an answer, and the questions ranked."""
    rows = session.exec(
        select(Call.spoken_question, Call.topic, CallWrapup)
        .outerjoin(CallWrapup, col(CallWrapup.call_id) == col(Call.id))
        .where(
            col(Call.arrived_at) >= since,
            col(Call.arrived_at) < until,
            col(Call.spoken_question) != "",
        )
        .order_by(col(Call.arrived_at), col(Call.id))
    ).all()
    calls: Counter[str] = Counter()
    missing: Counter[str] = Counter()
    first: dict[str, str] = {}
    topics_of: dict[str, Counter[Topic | None]] = {}
    answered_in: dict[str, Counter[str]] = {}
    for said, menu_topic, wrapup in rows:
        key = _normalised(said)
        if not key:  # spaces or punctuation only: nothing was said
            continue
        calls[key] += 1
        first.setdefault(key, said.strip())
        menu = Topic(menu_topic) if menu_topic else None
        topics_of.setdefault(key, Counter())[wrapup.topic if wrapup and wrapup.topic else menu] += 1
        if wrapup is None:
            continue
        if not wrapup.kb_answer_found:
            missing[key] += 1
        elif wrapup.kb_entry_id is not None:
            answered_in.setdefault(key, Counter())[wrapup.kb_entry_id] += 1
    ranked = sorted(calls, key=lambda key: (-missing[key], -calls[key], key))
    gaps = tuple(
        SpokenGap(
            first[key],
            topics_of[key].most_common(1)[0][0],
            calls[key],
            missing[key],
            _ranked(answered_in.get(key, Counter())),
        )
        for key in ranked
    )
    return calls.total(), missing.total(), gaps[:top]


def _ranked(counter: Counter[str]) -> tuple[str, ...]:
    """Most counted first; ties by name."""
    return tuple(name for name, _ in sorted(counter.items(), key=lambda i: (-i[1], i[0])))


def report_period(since: date | None, until: date | None, today: date) -> tuple[date, date] | str:
    """The report's local days ``since``..``until``, both included — by default the
    :data:`PERIOD_DAYS` days up to ``today`` — or why they cannot be a period, in Russian."""
    until = until or today
    if since is None:
        since = until - timedelta(days=PERIOD_DAYS - 1) if until >= EARLIEST else until
    if since > until:
        return f"Начало периода ({since:%d.%m.%Y}) позже его конца ({until:%d.%m.%Y})."
    if since < EARLIEST or until > LATEST:
        return f"Период должен лежать между {EARLIEST:%d.%m.%Y} и {LATEST:%d.%m.%Y}."
    return since, until


def local_period(since: date, until: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The instants bounding the local days ``since`` to ``until``, both included."""
    start = datetime.combine(since, time(0), tz)
    end = datetime.combine(until + timedelta(days=1), time(0), tz)
    return start.astimezone(UTC), end.astimezone(UTC)
