"""«База знаний: пробелы» (K7) as a page: ``GET /kb/gap-report?since=&until=`` — for a period of
the line's local days (by default the last 30 up to today): the call wrap-ups and how many found
no answer in the knowledge base, the topics ranked by such calls, the questions without an
answer with their counts (each linking to a search of the knowledge base for it, and to the
entries other wrap-ups of the same question found the answer in), and the entries wrap-ups
named; then what the callers themselves said in the voice menu (speech, as recognized), the
questions whose calls found no answer first, each with its search link too.
``GET /kb/gap-report.csv`` gives every question without an answer of the period as CSV,
``GET /kb/gap-report-spoken.csv`` every spoken question.

Dates come as ``YYYY-MM-DD`` (the date field) or ``ДД.ММ.ГГГГ`` (typed into the address);
anything else, or a period the wrong way round, is answered with the form and a Russian
message, never with a report of some other period.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from agent_console.auth.rules import page
from agent_console.deps import Backend, BackendDep
from agent_console.kb_page_parts import day_text, entry_titles, topic_label
from agent_console.navigation import Link
from agent_console.routes.kb import OVERSEERS
from agent_console.templating import Layout, render
from models.db import session_scope
from models.exports import write_csv
from models.kb_gaps import TOP, GapReport, kb_gaps, local_period, report_period
from models.user_sessions import SignedIn
from scripts_kb.search_terms import MAX_QUERY_CHARS

router = APIRouter(prefix="/kb", tags=["kb"])

PAGE_PATH = "/kb/gap-report"
SPOKEN_CSV_PATH = "/kb/gap-report-spoken.csv"
TITLE = "База знаний: пробелы"
CSV_FIELDS = ("вопрос", "тема", "звонков без ответа", "ответ находили в записях")
SPOKEN_CSV_FIELDS = (
    "вопрос звонящего (распознан автоматически)",
    "тема",
    "звонков",
    "из них без ответа в базе знаний",
    "ответ находили в записях",
)
_RU_DAY = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")


@dataclass(frozen=True, slots=True)
class TopicRow:
    label: str
    count: int
    share: str  # of the calls without an answer: "67 %"


@dataclass(frozen=True, slots=True)
class QuestionRow:
    rank: int
    question: str
    topic: str
    count: int
    search: str  # the search page for this question
    answered_in: list[Link]


@dataclass(frozen=True, slots=True)
class SpokenRow:
    rank: int
    question: str  # as the caller said it, recognized
    topic: str
    calls: int
    without_answer: int
    search: str
    answered_in: list[Link]


@dataclass(frozen=True, slots=True)
class EntryRow:
    entry: Link
    count: int


@dataclass(frozen=True, slots=True)
class GapPage:
    since: str  # as the date fields show it, YYYY-MM-DD (or as typed, after an error)
    until: str
    period: str = ""  # "08.11.2026 — 07.12.2026"
    error: str = ""
    wrapups: int = 0
    without_answer: int = 0
    without_answer_share: str = ""
    topics: list[TopicRow] = field(default_factory=list)
    questions: list[QuestionRow] = field(default_factory=list)
    questions_total: int = 0
    entries: list[EntryRow] = field(default_factory=list)
    csv: str = ""
    spoken_calls: int = 0
    spoken_without_answer: int = 0
    spoken: list[SpokenRow] = field(default_factory=list)
    spoken_total: int = 0
    spoken_csv: str = ""


def parse_day(text: str, what: str) -> date | str:
    """A date as the form (``2026-12-07``) or a person (``07.12.2026``) writes it, or why it is
    not one."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    typed = _RU_DAY.fullmatch(text)
    if typed is not None:
        try:
            return date(int(typed[3]), int(typed[2]), int(typed[1]))
        except ValueError:
            pass
    return f"Дата {what} «{text[:40]}» не распознана: укажите её как ДД.ММ.ГГГГ."


def period_of(since: str, until: str, today: date) -> tuple[date, date] | str:
    """The period the form asks for (empty fields: the defaults), or why it cannot be one."""
    days: list[date | None] = []
    for text, what in ((since.strip(), "начала"), (until.strip(), "конца")):
        day = parse_day(text, what) if text else None
        if isinstance(day, str):
            return day
        days.append(day)
    return report_period(days[0], days[1], today)


def share(part: int, whole: int) -> str:
    """Whole per cent, halves up: 2 of 3 → "67 %"; nothing of nothing → "—"."""
    if whole == 0:
        return "—"
    return f"{(200 * part + whole) // (2 * whole)} %"


def search_href(question: str, topic: str | None) -> str:
    query = {"q": question[:MAX_QUERY_CHARS]} | ({"topic": topic} if topic else {})
    return f"/kb/find?{urlencode(query)}"


def _report(backend: Backend, since: date, until: date) -> tuple[GapReport, dict[str, str]]:
    start, end = local_period(since, until, backend.settings.tz)
    with session_scope(backend.engine) as session:
        report = kb_gaps(session=session, since=start, until=end, top=None)
        named = {e.entry_id for e in report.entries}
        named |= {i for q in report.questions for i in q.answered_in}
        named |= {i for q in report.spoken for i in q.answered_in}
        titles = entry_titles(session, named)
    return report, titles


def _page(report: GapReport, titles: dict[str, str], since: date, until: date) -> GapPage:
    def entry(entry_id: str) -> Link:
        return Link(f"/kb/view/{quote(entry_id)}", titles.get(entry_id, entry_id))

    dates = {"since": since.isoformat(), "until": until.isoformat()}
    return GapPage(
        since=dates["since"],
        until=dates["until"],
        period=f"{day_text(since)} — {day_text(until)}",
        wrapups=report.wrapups,
        without_answer=report.without_answer,
        without_answer_share=share(report.without_answer, report.wrapups),
        topics=[
            TopicRow(topic_label(t.topic), t.count, share(t.count, report.without_answer))
            for t in report.topics
        ],
        questions=[
            QuestionRow(
                rank=rank,
                question=q.question,
                topic=topic_label(q.topic),
                count=q.count,
                search=search_href(q.question, q.topic),
                answered_in=[entry(i) for i in q.answered_in],
            )
            for rank, q in enumerate(report.questions[:TOP], start=1)
        ],
        questions_total=len(report.questions),
        entries=[EntryRow(entry(e.entry_id), e.count) for e in report.entries[:TOP]],
        csv=f"{PAGE_PATH}.csv?{urlencode(dates)}",
        spoken_calls=report.spoken_calls,
        spoken_without_answer=report.spoken_without_answer,
        spoken=[
            SpokenRow(
                rank=rank,
                question=q.question,
                topic=topic_label(q.topic),
                calls=q.calls,
                without_answer=q.without_answer,
                search=search_href(q.question, q.topic),
                answered_in=[entry(i) for i in q.answered_in],
            )
            for rank, q in enumerate(report.spoken[:TOP], start=1)
        ],
        spoken_total=len(report.spoken),
        spoken_csv=f"{SPOKEN_CSV_PATH}?{urlencode(dates)}",
    )


def _render(request: Request, backend: Backend, user: SignedIn, shown: GapPage) -> Response:
    layout = Layout.of(backend.settings.line_title, user)
    status = 422 if shown.error else 200
    return render(
        request, "kb_gap_report.html", layout=layout, title=TITLE, page=shown, status=status
    )


@router.get("/gap-report", include_in_schema=False)
def gap_report_page(
    request: Request,
    backend: BackendDep,
    user: Annotated[SignedIn, page(*OVERSEERS)],
    since: str = "",
    until: str = "",
) -> Response:
    """K7 for the period; without dates, the last 30 days up to today (the line's date)."""
    period = period_of(since, until, backend.today())
    if isinstance(period, str):
        return _render(request, backend, user, GapPage(since[:40], until[:40], error=period))
    report, titles = _report(backend, *period)
    return _render(request, backend, user, _page(report, titles, *period))


@router.get("/gap-report.csv", include_in_schema=False)
def gap_report_csv(
    request: Request,
    backend: BackendDep,
    user: Annotated[SignedIn, page(*OVERSEERS)],
    since: str = "",
    until: str = "",
) -> Response:
    """Every question of the period without an answer, most asked first (UTF-8 with a BOM,
    so that a spreadsheet opens the Cyrillic as such)."""
    asked = (since, until)
    return _csv_report(request, backend, user, asked, "kb-gaps", CSV_FIELDS, _question_rows)


@router.get("/gap-report-spoken.csv", include_in_schema=False)
def gap_report_spoken_csv(
    request: Request,
    backend: BackendDep,
    user: Annotated[SignedIn, page(*OVERSEERS)],
    since: str = "",
    until: str = "",
) -> Response:
    """Every question callers said in the period, those whose calls found no answer first, as
    the CSV of the questions without an answer."""
    asked = (since, until)
    name = "kb-gaps-spoken"
    return _csv_report(request, backend, user, asked, name, SPOKEN_CSV_FIELDS, _spoken_rows)


CsvRows = Callable[[GapReport, dict[str, str]], list[dict[str, object]]]


def _csv_report(
    request: Request,
    backend: Backend,
    user: SignedIn,
    asked: tuple[str, str],
    name: str,
    fields: tuple[str, ...],
    rows: CsvRows,
) -> Response:
    """The CSV of ``rows`` of the report for the period ``asked`` (since, until as typed),
    ``name-SINCE-UNTIL.csv``, or the form saying why that is no period."""
    since, until = asked
    period = period_of(since, until, backend.today())
    if isinstance(period, str):
        return _render(request, backend, user, GapPage(since[:40], until[:40], error=period))
    report, titles = _report(backend, *period)
    out = io.StringIO()
    out.write("\ufeff")
    write_csv(fields, rows(report, titles), out)
    file = f"{name}-{period[0].isoformat()}-{period[1].isoformat()}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{file}"'},
    )


def _question_rows(report: GapReport, titles: dict[str, str]) -> list[dict[str, object]]:
    return [
        {
            CSV_FIELDS[0]: q.question,
            CSV_FIELDS[1]: topic_label(q.topic),
            CSV_FIELDS[2]: q.count,
            CSV_FIELDS[3]: _entries_text(q.answered_in, titles),
        }
        for q in report.questions
    ]


def _spoken_rows(report: GapReport, titles: dict[str, str]) -> list[dict[str, object]]:
    return [
        {
            SPOKEN_CSV_FIELDS[0]: q.question,
            SPOKEN_CSV_FIELDS[1]: topic_label(q.topic),
            SPOKEN_CSV_FIELDS[2]: q.calls,
            SPOKEN_CSV_FIELDS[3]: q.without_answer,
            SPOKEN_CSV_FIELDS[4]: _entries_text(q.answered_in, titles),
        }
        for q in report.spoken
    ]


def _entries_text(entry_ids: tuple[str, ...], titles: dict[str, str]) -> str:
    return "; ".join(f"{titles.get(i, i)} ({i})" for i in entry_ids)
