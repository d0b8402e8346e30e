"""Calls whose callers said their question in the voice menu, with and without a wrap-up, for
the knowledge-base gap report (K7): the report's figures are counted by hand from
:data:`SPOKEN_CALLS`; the days are Moscow's (the line's zone), the instants UTC. The entries
named are the sample knowledge base's (``tests.scripts_kb.kb_samples``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from models.db import session_scope
from models.tables import Call, CallWrapup
from models.topics import Topic

SAID_EXTEND = "как продлить лицензию на алкоголь"
SAID_GRANT = "где взять грант на ремесло"
SAID_FEE = "Сколько стоит лицензия"


@dataclass(frozen=True, slots=True)
class Wrapup:
    entry: str | None  # the entry the answer was found in; None: not found
    topic: Topic | None = None


@dataclass(frozen=True, slots=True)
class SpokenCall:
    arrived_at: datetime  # UTC
    said: str
    menu_topic: Topic | None = None
    wrapup: Wrapup | None = None


SPOKEN_CALLS: list[SpokenCall] = [
    # 30.11 23:30 MSK: before the week 01.12–07.12, inside the default 30 days
    SpokenCall(datetime(2026, 11, 30, 20, 30, tzinfo=UTC), SAID_EXTEND + "?", None, Wrapup(None)),
    # 01.12 00:30 MSK (still 30.11 in UTC): inside the week
    SpokenCall(
        datetime(2026, 11, 30, 21, 30, tzinfo=UTC),
        SAID_EXTEND,
        Topic.CONTROL_SUPERVISION,
        Wrapup(None, Topic.STATE_SERVICES),
    ),
    # the same question grouped: case, spaces, «?»; the wrap-up names no topic: the menu's counts
    SpokenCall(
        datetime(2026, 12, 3, 7, 0, tzinfo=UTC),
        "Как  продлить лицензию на алкоголь?",
        Topic.STATE_SERVICES,
        Wrapup("alco-license-term"),
    ),
    # no wrap-up written: a call that asked, not one without an answer
    SpokenCall(datetime(2026, 12, 4, 8, 0, tzinfo=UTC), SAID_EXTEND, Topic.CONTROL_SUPERVISION),
    SpokenCall(
        datetime(2026, 12, 5, 8, 0, tzinfo=UTC),
        SAID_GRANT,
        Topic.SUPPORT_MEASURES,
        Wrapup(None, Topic.SUPPORT_MEASURES),
    ),
    SpokenCall(
        datetime(2026, 12, 5, 9, 0, tzinfo=UTC), SAID_GRANT, Topic.SUPPORT_MEASURES, Wrapup(None)
    ),
    SpokenCall(
        datetime(2026, 12, 6, 8, 0, tzinfo=UTC),
        SAID_FEE,
        Topic.STATE_SERVICES,
        Wrapup("alco-license-fee", Topic.STATE_SERVICES),
    ),
    SpokenCall(
        datetime(2026, 12, 6, 9, 0, tzinfo=UTC),
        "сколько стоит лицензия.",
        Topic.STATE_SERVICES,
        Wrapup("alco-license-fee"),
    ),
    # nothing said: blank, punctuation only, empty (the column's default)
    SpokenCall(datetime(2026, 12, 6, 10, 0, tzinfo=UTC), "   ", None, Wrapup(None)),
    SpokenCall(datetime(2026, 12, 6, 11, 0, tzinfo=UTC), " ?! ", None, Wrapup(None)),
    SpokenCall(datetime(2026, 12, 7, 6, 0, tzinfo=UTC), "", None, Wrapup(None)),
    # 08.12 00:10 MSK: after the week
    SpokenCall(datetime(2026, 12, 7, 21, 10, tzinfo=UTC), SAID_GRANT, None, Wrapup(None)),
]


def add_spoken_call(engine: Engine, linkedid: str, call: SpokenCall) -> None:
    """The call as the IVR and the operator left it; the wrap-up written on arrival."""
    with session_scope(engine) as session:
        row = Call(
            linkedid=linkedid,
            arrived_at=call.arrived_at,
            in_working_hours=True,
            topic=call.menu_topic,
            spoken_question=call.said,
            spoken_question_confidence=0.8 if call.said else None,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        if call.wrapup is not None:
            session.add(
                CallWrapup(
                    call_id=row.id,
                    kb_answer_found=call.wrapup.entry is not None,
                    kb_entry_id=call.wrapup.entry,
                    topic=call.wrapup.topic,
                    created_at=call.arrived_at,
                )
            )


def add_spoken_calls(engine: Engine) -> None:
    for number, call in enumerate(SPOKEN_CALLS, start=1):
        add_spoken_call(engine, f"1800000000.{number}", call)
