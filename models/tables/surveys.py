"""Post-call survey answers (C15), one row per call, partial when the caller hung up."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.rules.survey import AnswerReceived, QualityRating
from models.tables._columns import enum_type, owner_key, utc


class SurveyChannel(StrEnum):
    KEYPAD = "keypad"
    SPEECH = "speech"


class SurveyResponse(SQLModel, table=True):
    __tablename__ = "survey_responses"

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(sa_column=owner_key("calls.id", unique=True))
    operator_id: int | None = Field(default=None, foreign_key="employees.id", index=True)
    answer_received: AnswerReceived | None = Field(default=None, sa_type=enum_type(AnswerReceived))
    quality: QualityRating | None = Field(default=None, sa_type=enum_type(QualityRating))
    # The survey's channel: speech when the caller said any answer, else the keypad.
    channel: SurveyChannel = Field(default=SurveyChannel.KEYPAD, sa_type=enum_type(SurveyChannel))
    created_at: datetime = Field(sa_type=utc(), index=True)
    # Each answer's own channel, and the recognizer's confidence (0–1) in a spoken one.
    answer_received_channel: SurveyChannel | None = Field(
        default=None, sa_type=enum_type(SurveyChannel)
    )
    answer_received_confidence: float | None = None
    quality_channel: SurveyChannel | None = Field(default=None, sa_type=enum_type(SurveyChannel))
    quality_confidence: float | None = None

    @property
    def completed(self) -> bool:
        return self.answer_received is not None and self.quality is not None
