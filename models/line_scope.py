"""Each line sees only its own calls: a process on the training line the training line's
calls and callback tasks, a process on the real line never those.

The training line keeps its own database by default; this matters when it is pointed at the
real line's (``CONSULT_LINE_DATABASE_URL`` named for both). The composition root scopes its
engines (:func:`scope_to_line`); every ORM statement a session bound to one of them runs —
the reports, the wallboard, exports, the call card, the lists of callback tasks — then carries
the condition ``training = <this line>`` on ``calls``, ``callback_tasks`` and the reports'
counts (``models.tables.report_counts``), wherever they appear (FROM, JOIN, subqueries), on
SQLite and PostgreSQL alike; and every call or callback task such a session adds is written
with the mark of its line (before the flush), whichever code adds it: the stores, the call
card, the demo.

Left alone: statements on a bare connection — the retention purge (G3), which removes what is
past its term whichever line made it, and the history view, which a training call never joins
(a simulated caller is no client). An engine never scoped (tests, tools) sees every row and
marks none.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, UOWTransaction, with_loader_criteria
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col

from models.tables import Call, CallbackTask, MissedCount, SurveyCount

# The tables whose rows belong to one line; the counts carry the line of the calls counted.
LINE_TABLES: tuple[type[Call | CallbackTask | MissedCount | SurveyCount], ...] = (
    Call,
    CallbackTask,
    MissedCount,
    SurveyCount,
)
_LINES: WeakKeyDictionary[Engine, bool] = WeakKeyDictionary()


def scope_to_line(engine: Engine, *, training: bool) -> None:
    """Sessions on ``engine`` see the rows of the training line (``training``) or the real
    line's only, and write theirs with that line's mark."""
    _LINES[engine] = training
    if not event.contains(Session, "do_orm_execute", _only_this_line):
        event.listen(Session, "do_orm_execute", _only_this_line)
    if not event.contains(Session, "before_flush", _marked_with_this_line):
        event.listen(Session, "before_flush", _marked_with_this_line)


def scoped_line(engine: Engine) -> bool | None:
    """Which line ``engine`` was scoped to; None: not scoped."""
    return _LINES.get(engine)


def _session_line(session: OrmSession) -> bool | None:
    return _LINES.get(session.get_bind().engine)


def _only_this_line(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    training = _session_line(state.session)
    if training is None:
        return
    state.statement = state.statement.options(
        *(
            with_loader_criteria(table, col(table.training).is_(training), include_aliases=True)
            for table in LINE_TABLES
        )
    )


def _marked_with_this_line(
    session: OrmSession, _flush: UOWTransaction, _instances: Iterable[Any] | None
) -> None:
    training = _session_line(session)
    if training is None:
        return
    for row in session.new:
        if isinstance(row, Call | CallbackTask):
            row.training = training
