"""The survey of a written message's client (W12): one row per link sent, answered once.

The link carries a random token; only its SHA-256 is stored, so the table cannot be read back
into working links. A row is created when a notice carrying the link is composed
(``models.survey_links``) and answered at most once: ``answered_at`` set, a second submission
is refused. The answers are the call survey's two questions (C15), so that the reports can
put calls and messages side by side, and the client's own words.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from models.rules.survey import AnswerReceived, QualityRating
from models.tables._columns import enum_type, owner_key, utc


class MessageSurvey(SQLModel, table=True):
    __tablename__ = "message_surveys"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(sa_column=owner_key("written_messages.id"))
    token_hash: str = Field(max_length=64, unique=True)  # hex SHA-256 of the link's token
    issued_at: datetime = Field(sa_type=utc())
    answered_at: datetime | None = Field(default=None, sa_type=utc(), index=True)
    answer_received: AnswerReceived | None = Field(default=None, sa_type=enum_type(AnswerReceived))
    quality: QualityRating | None = Field(default=None, sa_type=enum_type(QualityRating))
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
