"""The survey after a consultation (C15): two questions, sometimes only the first answered."""

from __future__ import annotations

import random
from datetime import timedelta

from consult_line.demo.common import pick
from models.rules.survey import AnswerReceived, QualityRating
from models.tables import Call, SurveyChannel, SurveyResponse

SURVEY_SHARE = 0.75  # of answered calls
_PARTIAL_SURVEY_SHARE = 0.15
_QUALITY_IF_ANSWERED = {
    QualityRating.SATISFIED: 75,
    QualityRating.PARTLY_SATISFIED: 20,
    QualityRating.NOT_SATISFIED: 5,
}
_QUALITY_IF_NOT_ANSWERED = {
    QualityRating.SATISFIED: 15,
    QualityRating.PARTLY_SATISFIED: 45,
    QualityRating.NOT_SATISFIED: 40,
}


def plan_survey(call: Call, rng: random.Random) -> SurveyResponse:
    """C15: two questions; a partial answer when the caller hangs up after the first."""
    assert call.ended_at is not None
    received = AnswerReceived.YES if rng.random() < 0.82 else AnswerReceived.NO
    quality_weights = (
        _QUALITY_IF_ANSWERED if received is AnswerReceived.YES else _QUALITY_IF_NOT_ANSWERED
    )
    partial = rng.random() < _PARTIAL_SURVEY_SHARE
    return SurveyResponse(
        call_id=0,  # set once the call has its id
        operator_id=call.operator_id,
        answer_received=received,
        quality=None if partial else pick(rng, quality_weights),
        channel=SurveyChannel.SPEECH if rng.random() < 0.1 else SurveyChannel.KEYPAD,
        created_at=call.ended_at + timedelta(seconds=rng.uniform(15, 40)),
    )
