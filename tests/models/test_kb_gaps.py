"""K7: what callers said their question was, in the knowledge-base gap report, against the calls
of ``tests.models.kb_gap_samples`` counted by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from models.db import session_scope
from models.kb_gaps import GapReport, SpokenGap, kb_gaps, local_period
from models.topics import Topic
from scripts_kb.content_files import load_content
from scripts_kb.store import load_into_db
from tests.agent_console.kb_line import LOADED
from tests.models.kb_gap_samples import SAID_EXTEND, SAID_FEE, SAID_GRANT, add_spoken_calls
from tests.scripts_kb.kb_samples import write_content

MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture
def engine(db_engine: Engine, tmp_path: Path) -> Engine:
    with session_scope(db_engine) as session:
        load_into_db(session=session, content=load_content(write_content(tmp_path)), now=LOADED)
    add_spoken_calls(db_engine)
    return db_engine


def _report(engine: Engine, since: date, until: date, top: int | None = None) -> GapReport:
    start, end = local_period(since, until, MSK)
    with session_scope(engine) as session:
        return kb_gaps(session=session, since=start, until=end, top=top)


def test_the_weeks_spoken_questions_counted_by_hand(engine: Engine) -> None:  # K7
    report = _report(engine, date(2026, 12, 1), date(2026, 12, 7))
    # 01.12 00:30 MSK to 07.12: 3 + 2 + 2 calls that said something (blank, «?!» and empty
    # ones said nothing); without an answer: 1 of the first question, both of the grant's
    assert (report.spoken_calls, report.spoken_without_answer) == (7, 3)
    # the most without an answer first (the grant: 2), then the most said
    assert report.spoken == (
        SpokenGap(SAID_GRANT, Topic.SUPPORT_MEASURES, calls=2, without_answer=2),
        # topics: the wrap-up's state services, the menu's state services (the wrap-up named
        # none), the menu's control (no wrap-up): state services
        SpokenGap(
            SAID_EXTEND,
            Topic.STATE_SERVICES,
            calls=3,
            without_answer=1,
            answered_in=("alco-license-term",),
        ),
        SpokenGap(
            SAID_FEE,
            Topic.STATE_SERVICES,
            calls=2,
            without_answer=0,
            answered_in=("alco-license-fee",),
        ),
    )


def test_the_period_is_the_calls_arrival_in_local_days(engine: Engine) -> None:
    # the last 30 days up to 07.12 take 30.11 23:30 MSK too: the first question then has 4
    # calls, 2 without an answer, and goes first (a tie on 2 with the grant, more calls);
    # 08.12 00:10 MSK stays out
    report = _report(engine, date(2026, 11, 8), date(2026, 12, 7))
    assert (report.spoken_calls, report.spoken_without_answer) == (8, 4)
    assert [(q.question, q.calls, q.without_answer) for q in report.spoken] == [
        (SAID_EXTEND + "?", 4, 2),  # as first said
        (SAID_GRANT, 2, 2),
        (SAID_FEE, 2, 0),
    ]
    assert report.spoken[0].topic is Topic.STATE_SERVICES  # 2 of 4; one named none
    after = _report(engine, date(2026, 12, 8), date(2026, 12, 8))
    assert (after.spoken_calls, after.spoken) == (1, (SpokenGap(SAID_GRANT, None, 1, 1),))


def test_top_cuts_the_spoken_questions_too(engine: Engine) -> None:
    report = _report(engine, date(2026, 12, 1), date(2026, 12, 7), top=1)
    assert [q.question for q in report.spoken] == [SAID_GRANT]
    assert (report.spoken_calls, report.spoken_without_answer) == (7, 3)  # counted in full


def test_a_period_without_spoken_questions_reports_none(engine: Engine) -> None:
    report = _report(engine, date(2026, 10, 1), date(2026, 10, 31))
    assert (report.spoken_calls, report.spoken_without_answer, report.spoken) == (0, 0, ())
