"""Removal of the interaction history past its term (G3): what would go, and taking it away.

:func:`plan` counts, per table, the rows past the cut-off (``models.retention_scope`` says
which) without changing anything. :func:`purge_batches` removes them in batches, each its own
short transaction, and yields what each batch did, so that the caller may stop between two
batches; nothing is ever read whole into memory. The order respects the foreign keys:

1. closed callback tasks past their term: windows, attempts and changes, then the task (the
   old calls that point at it lose the pointer in the same transaction and go in step 2);
2. calls past their term: transfers, wrap-up, referrals, dismissed wrap-up, survey answer,
   then the call;
3. written messages past their term: attachments, notices and survey links, then the message;
4. visit bookings past their term: cancellation links, rating and reminders, then the booking;
5. client records with nothing left: deleted, or anonymised where the audit log names them.

The same conditions decide every step, so a dry run counts what a run then does, and a run
stopped anywhere (Ctrl+C, a lost connection, the scheduler's time budget) is finished by the
next one. The audit log itself is kept whole.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, literal, select, text, union_all, update
from sqlalchemy.engine import Connection, Engine

from models.retention_scope import (
    ANONYMOUS_CLIENT,
    CALL_CHILDREN,
    CALLS,
    CLIENTS,
    MESSAGE_CHILDREN,
    MESSAGES,
    TASK_CHILDREN,
    TASKS,
    VISIT_CHILDREN,
    VISITS,
    Child,
    Part,
    anonymised,
    audited,
    call_expired,
    client_expired,
    message_dated,
    message_expired,
    task_expired,
    visit_expired,
)
from models.rules.callbacks import ACTIVE_STATUSES

# Short enough that a batch holds SQLite's write lock for well under the caller's wait
# (CONSULT_LINE_AGI_DB_TIMEOUT_S); see the README's measurements.
BATCH_SIZE = 500


@dataclass(frozen=True, slots=True)
class Affected:
    """Rows of one part removed or blanked, and the span of their dates (UTC)."""

    part: Part
    rows: int = 0
    oldest: datetime | None = None
    newest: datetime | None = None

    def __add__(self, other: Affected) -> Affected:
        oldest = [day for day in (self.oldest, other.oldest) if day is not None]
        newest = [day for day in (self.newest, other.newest) if day is not None]
        return Affected(
            self.part,
            self.rows + other.rows,
            min(oldest, default=None),
            max(newest, default=None),
        )


def affected(part: Part, dates: Sequence[datetime]) -> Affected:
    return Affected(part, len(dates), min(dates, default=None), max(dates, default=None))


@dataclass(slots=True)
class Tally:
    """What the batches of one run did so far, every part listed."""

    parts: dict[Part, Affected] = field(default_factory=lambda: {p: Affected(p) for p in Part})
    batches: int = 0

    def add(self, batch: Iterable[Affected]) -> None:
        for item in batch:
            self.parts[item.part] = self.parts[item.part] + item
        self.batches += 1

    @property
    def changes(self) -> tuple[Affected, ...]:
        return tuple(self.parts[part] for part in Part)

    @property
    def rows(self) -> int:
        return sum(item.rows for item in self.parts.values())


# ------------------------------------------------------------------------------ dry run


def plan(*, connection: Connection, cutoff: datetime) -> tuple[Affected, ...]:
    """What a run with this cut-off would remove or blank, per part; changes nothing.

    One statement: the calls, tasks and messages past their term are found once (common table
    expressions used several times are materialised by both databases) and every table is
    counted against them."""
    task, call, client, message = TASKS.alias(), CALLS.alias(), CLIENTS.alias(), MESSAGES.alias()
    calls = (
        select(call.c.id, call.c.arrived_at.label("day"))
        .where(call_expired(call, cutoff))
        .cte("expired_calls")
    )
    tasks = (
        select(task.c.id, task.c.requested_at.label("day"))
        .where(task_expired(task, cutoff))
        .cte("expired_tasks")
    )
    messages = (
        select(message.c.id, message_dated(message).label("day"))
        .where(message_expired(message, cutoff))
        .cte("expired_messages")
    )
    visit = VISITS.alias()
    visits = (
        select(visit.c.id, visit.c.starts_at.label("day"))
        .where(visit_expired(visit, cutoff))
        .cte("expired_visits")
    )
    gone_client = client_expired(client, cutoff)
    parts = [
        _span(Part.CALLS, calls.c.day),
        *(
            _span(c.part, _date(c, calls.c.day)).join_from(c.table, calls, _key(c) == calls.c.id)
            for c in CALL_CHILDREN
        ),
        _span(Part.CALLBACK_TASKS, tasks.c.day),
        *(
            _span(c.part, _date(c, tasks.c.day)).join_from(c.table, tasks, _key(c) == tasks.c.id)
            for c in TASK_CHILDREN
        ),
        _span(Part.WRITTEN_MESSAGES, messages.c.day),
        *(
            _span(c.part, _date(c, messages.c.day)).join_from(
                c.table, messages, _key(c) == messages.c.id
            )
            for c in MESSAGE_CHILDREN
        ),
        _span(Part.VISIT_BOOKINGS, visits.c.day),
        *(
            _span(c.part, _date(c, visits.c.day)).join_from(c.table, visits, _key(c) == visits.c.id)
            for c in VISIT_CHILDREN
        ),
        _span(Part.CLIENTS_DELETED, client.c.created_at, gone_client & ~audited(client)),
        _span(
            Part.CLIENTS_ANONYMISED,
            client.c.created_at,
            gone_client & audited(client) & ~anonymised(client),
        ),
    ]
    found = {
        Part(part): Affected(Part(part), int(rows), oldest, newest)
        for part, rows, oldest, newest in connection.execute(union_all(*parts))
    }
    return tuple(found.get(part, Affected(part)) for part in Part)


def open_tasks_before(*, connection: Connection, cutoff: datetime) -> int:
    """Callback tasks requested before the cut-off and still open: kept with their calls
    until someone closes them."""
    query = select(func.count()).where(
        TASKS.c.status.in_(tuple(ACTIVE_STATUSES)), TASKS.c.requested_at < cutoff
    )
    return int(connection.execute(query).scalar_one())


def _span(part: Part, date: Any, condition: Any = None) -> Select[Any]:
    query = select(literal(part.value), func.count(), func.min(date), func.max(date))
    return query if condition is None else query.where(condition)


def _key(child: Child) -> Any:
    return child.table.c[child.parent_key]


def _date(child: Child, parent_day: Any = None) -> Any:
    """The child's own date column, or ``parent_day`` for a child dated by its parent."""
    return parent_day if child.date_column is None else child.table.c[child.date_column]


# ------------------------------------------------------------------------------ the run


def purge_batches(
    *, engine: Engine, cutoff: datetime, batch_size: int = BATCH_SIZE
) -> Generator[tuple[Affected, ...]]:
    """Removes what :func:`plan` counts, ``batch_size`` rows of a table at a time.

    Each batch is committed before it is yielded; stopping the iteration between two
    batches leaves a consistent database, and the next run goes on from there.
    """
    if batch_size < 1:
        raise ValueError(f"batch size of at least one row, got {batch_size}")
    task, call, client, message = TASKS.alias(), CALLS.alias(), CLIENTS.alias(), MESSAGES.alias()
    yield from _batches(
        engine,
        select(task.c.id, task.c.requested_at).where(task_expired(task, cutoff)),
        batch_size,
        _remove_tasks,
    )
    yield from _batches(
        engine,
        select(call.c.id, call.c.arrived_at).where(call_expired(call, cutoff)),
        batch_size,
        _remove_calls,
    )
    yield from _batches(
        engine,
        select(message.c.id, message_dated(message)).where(message_expired(message, cutoff)),
        batch_size,
        _remove_messages,
    )
    visit = VISITS.alias()
    yield from _batches(
        engine,
        select(visit.c.id, visit.c.starts_at).where(visit_expired(visit, cutoff)),
        batch_size,
        _remove_visits,
    )
    yield from _batches(
        engine,
        select(client.c.id, client.c.created_at, audited(client).label("audited")).where(
            client_expired(client, cutoff), ~anonymised(client) | ~audited(client)
        ),
        batch_size,
        _remove_clients,
    )


Batch = Sequence[tuple[Any, ...]]  # (id, date, ...) of each row
Remover = Callable[[Connection, Batch], tuple[Affected, ...]]


def _batches(
    engine: Engine, query: Any, batch_size: int, remove: Remover
) -> Generator[tuple[Affected, ...]]:
    """Batches of ``query``'s rows (``id`` first) in id order, each removed in a transaction.

    The ids go up from batch to batch, so rows a batch kept are not read again."""
    id_column = query.selected_columns[0]
    last_id = 0
    while True:
        with engine.begin() as connection:
            _without_jit(connection)
            batch = [
                tuple(row)
                for row in connection.execute(
                    query.where(id_column > last_id).order_by(id_column).limit(batch_size)
                )
            ]
            if not batch:
                return
            done = remove(connection, batch)
        last_id = batch[-1][0]
        yield done


def _without_jit(connection: Connection) -> None:
    """A batch's query stops after a few hundred rows, but PostgreSQL costs it as a scan of
    the whole table and compiles it with JIT: 1.5 s per batch for 15 ms of work (measured on
    2.5 million calls). Off for this transaction only."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL jit = off"))


def _remove_tasks(connection: Connection, batch: Batch) -> tuple[Affected, ...]:
    ids = [row[0] for row in batch]
    children = _remove_children(connection, TASK_CHILDREN, batch)
    # Calls attached to these tasks are as old as the tasks' cases and go in the next step
    # (one that also opened a task still kept stays, without the pointer to this one).
    connection.execute(
        update(CALLS).where(CALLS.c.callback_task_id.in_(ids)).values(callback_task_id=None)
    )
    connection.execute(delete(TASKS).where(TASKS.c.id.in_(ids)))
    return (affected(Part.CALLBACK_TASKS, [row[1] for row in batch]), *children)


def _remove_calls(connection: Connection, batch: Batch) -> tuple[Affected, ...]:
    ids = [row[0] for row in batch]
    children = _remove_children(connection, CALL_CHILDREN, batch)
    connection.execute(delete(CALLS).where(CALLS.c.id.in_(ids)))
    return (affected(Part.CALLS, [row[1] for row in batch]), *children)


def _remove_messages(connection: Connection, batch: Batch) -> tuple[Affected, ...]:
    ids = [row[0] for row in batch]
    children = _remove_children(connection, MESSAGE_CHILDREN, batch)
    connection.execute(delete(MESSAGES).where(MESSAGES.c.id.in_(ids)))
    return (affected(Part.WRITTEN_MESSAGES, [row[1] for row in batch]), *children)


def _remove_visits(connection: Connection, batch: Batch) -> tuple[Affected, ...]:
    ids = [row[0] for row in batch]
    children = _remove_children(connection, VISIT_CHILDREN, batch)
    connection.execute(delete(VISITS).where(VISITS.c.id.in_(ids)))
    return (affected(Part.VISIT_BOOKINGS, [row[1] for row in batch]), *children)


def _remove_clients(connection: Connection, batch: Batch) -> tuple[Affected, ...]:
    kept = [row for row in batch if row[2]]  # the audit log names them
    gone = [row for row in batch if not row[2]]
    if gone:
        connection.execute(delete(CLIENTS).where(CLIENTS.c.id.in_([row[0] for row in gone])))
    if kept:
        connection.execute(
            update(CLIENTS)
            .where(CLIENTS.c.id.in_([row[0] for row in kept]))
            .values(**ANONYMOUS_CLIENT)
        )
    return (
        affected(Part.CLIENTS_DELETED, [row[1] for row in gone]),
        affected(Part.CLIENTS_ANONYMISED, [row[1] for row in kept]),
    )


def _remove_children(
    connection: Connection, children: Sequence[Child], parents: Batch
) -> list[Affected]:
    """Removes the rows of ``children`` that belong to the ``parents`` (id, date, ...)."""
    parent_days = {row[0]: row[1] for row in parents}
    done = []
    for child in children:
        statement = delete(child.table).where(_key(child).in_(list(parent_days)))
        if child.date_column is None:
            owners = connection.execute(statement.returning(_key(child))).scalars().all()
            days = [parent_days[owner] for owner in owners]
        else:
            days = list(connection.execute(statement.returning(_date(child))).scalars().all())
        done.append(affected(child.part, days))
    return done
