"""The survey report's figures (C15), worked out from the counts the database returns.

One :class:`SurveyCounts` holds, for an operator, the whole line or a day, how many calls the
operators answered, how many callers were offered the survey, how they answered and what. The
shares are derived here and nowhere else:

* response rate — surveys with at least one answer out of the surveys offered;
* satisfied share — «удовлетворен» out of the answers to the second question.

A share with nothing to divide by is ``None`` (shown as «—»), never 0.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from reports.line_chart import percent_text
from reports.period import Period

WEEKLY_AFTER_DAYS = 92  # a longer period is charted a week at a time
NO_OPERATOR_LABEL_RU = "Оператор не установлен"
WHOLE_LINE_LABEL_RU = "Вся линия"


class AnswerShares:
    """The answers to both questions and their shares, for the counts that hold them: the
    calls' (:class:`SurveyCounts`) and the written messages' (W12,
    ``reports.message_survey_figures``)."""

    __slots__ = ()
    resolved_yes: int
    resolved_no: int
    satisfied: int
    partly_satisfied: int
    not_satisfied: int

    @property
    def resolved_answers(self) -> int:
        return self.resolved_yes + self.resolved_no

    @property
    def ratings(self) -> int:
        return self.satisfied + self.partly_satisfied + self.not_satisfied

    @property
    def satisfied_share(self) -> float | None:
        return share(self.satisfied, self.ratings)

    @property
    def resolved_share(self) -> float | None:
        return share(self.resolved_yes, self.resolved_answers)


@dataclass(frozen=True, slots=True)
class SurveyCounts(AnswerShares):
    answered_calls: int = 0  # calls the operator answered
    offered: int = 0  # the caller reached the survey: the operator hung up, or an answer came
    complete: int = 0  # both questions answered
    partial: int = 0  # some answer, not both (the caller hung up after the first question)
    resolved_yes: int = 0  # «Получен ли ответ на Ваш вопрос?» — да
    resolved_no: int = 0
    satisfied: int = 0  # «Оцените качество работы консультанта»
    partly_satisfied: int = 0
    not_satisfied: int = 0

    def __add__(self, other: SurveyCounts) -> SurveyCounts:
        return SurveyCounts(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(SurveyCounts))
        )

    @property
    def responded(self) -> int:
        return self.complete + self.partial

    @property
    def not_responded(self) -> int:
        return self.offered - self.responded

    @property
    def response_rate(self) -> float | None:
        return share(self.responded, self.offered)


@dataclass(frozen=True, slots=True)
class OperatorCounts:
    operator_id: int | None
    name: str  # NO_OPERATOR_LABEL_RU when not known
    number: str
    counts: SurveyCounts


@dataclass(slots=True)
class SurveyTally:
    operators: list[OperatorCounts] = field(default_factory=list)  # by name
    hours: dict[datetime, SurveyCounts] = field(default_factory=dict)  # by UTC hour

    @property
    def line(self) -> SurveyCounts:
        return total([one.counts for one in self.operators])

    def by_day(self, tz: ZoneInfo) -> dict[date, SurveyCounts]:
        days: dict[date, SurveyCounts] = defaultdict(SurveyCounts)
        for hour, counts in self.hours.items():
            days[hour.astimezone(tz).date()] += counts
        return dict(days)


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in per cent, one decimal; None when ``whole`` is 0."""
    return round(100 * part / whole, 1) if whole else None


def counted_text(count: int, whole: int) -> str:
    """``12 (60,0 %)``: a count and its share of ``whole``."""
    if not whole:
        return str(count)
    return f"{count} ({percent_text(share(count, whole))})"


def total(counts: list[SurveyCounts]) -> SurveyCounts:
    found = SurveyCounts()
    for one in counts:
        found += one
    return found


# --------------------------------------------------------------------------- the trend


@dataclass(frozen=True, slots=True)
class Stretch:
    """A point of the trend: a day, or a week (clipped to the period)."""

    first: date
    last: date
    counts: SurveyCounts

    @property
    def label(self) -> str:
        return f"{self.first:%d.%m}"

    @property
    def name(self) -> str:
        if self.first == self.last:
            return f"{self.first:%d.%m.%Y}"
        return f"{self.first:%d.%m.%Y}–{self.last:%d.%m.%Y}"


def weekly(period: Period) -> bool:
    return period.days > WEEKLY_AFTER_DAYS


def stretches(by_day: dict[date, SurveyCounts], period: Period) -> list[Stretch]:
    """Every day of the period, or every week (Monday to Sunday) of a long one."""
    if not weekly(period):
        return [Stretch(day, day, by_day.get(day, SurveyCounts())) for day in period.dates()]
    found: list[Stretch] = []
    first = period.since
    while first <= period.until:
        sunday = first + timedelta(days=6 - first.weekday())
        last = min(sunday, period.until)
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        found.append(Stretch(first, last, total([by_day.get(d, SurveyCounts()) for d in days])))
        first = last + timedelta(days=1)
    return found
