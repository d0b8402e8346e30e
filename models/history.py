"""The client's interaction history across channels (G3, G4): one view over calls,
callback tasks and survey answers. The view itself is created by the migrations
(``models/migrations/versions``), identically on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlmodel import Session

from models.types import UtcDateTime

VIEW_NAME = "client_interaction_history"

# Kept out of SQLModel.metadata on purpose: Alembic must not try to create it as a table.
# The columns mirror the view created by revision 0001.
history_view = Table(
    VIEW_NAME,
    MetaData(),
    Column("client_id", Integer),
    Column("kind", String),
    Column("ref_id", Integer),
    Column("occurred_at", UtcDateTime()),
    Column("channel", String),
    Column("status", String),
    Column("summary", String),
)


@dataclass(frozen=True, slots=True)
class HistoryItem:
    kind: str
    ref_id: int
    occurred_at: datetime
    channel: str
    status: str
    summary: str


def client_history(*, session: Session, client_id: int) -> list[HistoryItem]:
    """Everything the client did with us, oldest first."""
    view = history_view.c
    rows = session.connection().execute(
        select(view.kind, view.ref_id, view.occurred_at, view.channel, view.status, view.summary)
        .where(view.client_id == client_id)
        .order_by(view.occurred_at, view.kind, view.ref_id)
    )
    return [HistoryItem(*row) for row in rows]
