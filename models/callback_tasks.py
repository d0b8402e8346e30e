"""At most one active callback task per number (C11, C13), whoever opens it.

The IVR (a caller's request, ``models.line_store``) and the call log (a missed call,
``models.call_log_store``) both find-or-create a number's task. Each does so in one
transaction, holding :func:`number_lock` around it and calling :func:`lock_number` first
inside it:

* in this process, a process-wide lock serialises the two stores (SQLite runs the line in
  one process; a thread lock per store would let an IVR request and a missed call race);
* across processes on PostgreSQL, a transaction-scoped advisory lock on the number.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlmodel import Session, col, select

from models.rules.callbacks import ACTIVE_STATUSES
from models.tables import CallbackTask

# A namespace for PostgreSQL advisory locks taken for callback numbers ("LS").
LOCK_NAMESPACE = 0x4C53

_PROCESS_LOCK = threading.Lock()


@contextmanager
def number_lock() -> Iterator[None]:
    """Held around a whole find-or-create transaction (commit included)."""
    with _PROCESS_LOCK:
        yield


def lock_number(session: Session, phone_e164: str) -> None:
    """On PostgreSQL, serialises callback writers for one number across processes until the
    transaction ends (SQLite: :func:`number_lock` is enough, one process)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    digits = "".join(char for char in phone_e164 if char.isdigit()) or "0"
    session.connection().execute(
        text("SELECT pg_advisory_xact_lock(:namespace, :key)"),
        {"namespace": LOCK_NAMESPACE, "key": int(digits) % 2_147_483_647},
    )


def active_task(session: Session, phone_e164: str) -> CallbackTask | None:
    """The number's open or in-progress task (the oldest, should there ever be two)."""
    return session.exec(
        select(CallbackTask)
        .where(
            CallbackTask.phone_e164 == phone_e164,
            col(CallbackTask.status).in_(ACTIVE_STATUSES),
        )
        .order_by(col(CallbackTask.id))
    ).first()
