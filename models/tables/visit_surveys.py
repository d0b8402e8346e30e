"""The rating of a personal visit (V13): one row per visit, answered once.

A row comes either with the link sent to the visitor after the visit (``token_hash`` the
SHA-256 of the link's token, the scheme of the written messages' survey,
``models.survey_links``) or with the answers an employee recorded on the spot at the reception
(``token_hash`` empty, ``recorded_by`` the employee). ``booking_id`` is unique: a visit is
offered the rating once. The questions are the call survey's (C15), worded for a visit, so
that the survey report puts calls, written messages and visits side by side.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from models.rules.survey import AnswerReceived, QualityRating
from models.tables._columns import enum_type, owner_key, utc


class VisitSurvey(SQLModel, table=True):
    __tablename__ = "visit_surveys"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(sa_column=owner_key("visit_bookings.id", unique=True))
    # hex SHA-256 of the link's token; None when the answers were recorded on the spot
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    issued_at: datetime = Field(sa_type=utc())  # the link went out, or the answers were taken
    answered_at: datetime | None = Field(default=None, sa_type=utc(), index=True)
    answer_received: AnswerReceived | None = Field(default=None, sa_type=enum_type(AnswerReceived))
    quality: QualityRating | None = Field(default=None, sa_type=enum_type(QualityRating))
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # "" when the visitor answered by the link; else who recorded the answers (web:…, cli:…)
    recorded_by: str = Field(default="", max_length=128)
