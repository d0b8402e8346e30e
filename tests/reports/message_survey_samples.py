"""Survey links of written messages and their answers around the sample days of
``tests.reports.survey_samples`` (Monday 5 and Tuesday 6 October 2026, Moscow time), for the
survey report's written-messages channel (W12). The tests work out their figures by hand from
this list.

=======  ============  ==============  ==============  =================================
message  received      link sent       answered        answers
=======  ============  ==============  ==============  =================================
m1       01.10 10:00   05.10 09:00     05.10 12:00     да, удовлетворен; «Спасибо, всё
                                                       понятно.»
m2       02.10 11:00   05.10 10:00     06.10 23:50     нет, не удовлетворен; a formula and
                                                       markup in the comment (COMMENT_M2)
m3       03.10 09:00   06.10 15:00     —               —
m4       20.09 09:00   28.09 10:00     05.10 00:10     да, частично удовлетворен; no comment
m5       04.10 09:00   06.10 16:00     07.10 00:05     да, удовлетворен (answered after)
m6       01.09 09:00   04.10 23:50     04.10 23:55     нет, удовлетворен (all before)
=======  ============  ==============  ==============  =================================

In the period: links sent m1, m2, m3, m5 (4), of them answered by now m1, m2, m5 (3); answers
received m4, m1, m2 (3, in that order), commented m1, m2.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from models.db import session_scope
from models.message_store import MessageDraft, register_message
from models.rules.survey import AnswerReceived, QualityRating
from models.settings import Settings
from models.survey_answers import SurveyAnswers, record_answers
from models.survey_links import find_survey, issue_survey_link
from models.tables import MessageIntake
from tests.reports.survey_samples import MSK

COMMENT_M1 = "Спасибо, всё понятно."
COMMENT_M2 = '=HYPERLINK("http://x") <b>Ответа нет</b>'
_Answers = tuple[AnswerReceived, QualityRating, str]


def msk(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=MSK)


def add_sample_message_surveys(engine: Engine) -> list[str]:
    """Registers the messages m1–m6 with their links and answers; their numbers, in order."""
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False))
    yes, no = AnswerReceived.YES, AnswerReceived.NO
    sat, partly, not_sat = (
        QualityRating.SATISFIED,
        QualityRating.PARTLY_SATISFIED,
        QualityRating.NOT_SATISFIED,
    )
    # received, link sent, answered, answers
    samples: tuple[tuple[datetime, datetime, datetime | None, _Answers | None], ...] = (
        (msk(10, 1, 10), msk(10, 5, 9), msk(10, 5, 12), (yes, sat, COMMENT_M1)),
        (msk(10, 2, 11), msk(10, 5, 10), msk(10, 6, 23, 50), (no, not_sat, COMMENT_M2)),
        (msk(10, 3, 9), msk(10, 6, 15), None, None),
        (msk(9, 20, 9), msk(9, 28, 10), msk(10, 5, 0, 10), (yes, partly, "")),
        (msk(10, 4, 9), msk(10, 6, 16), msk(10, 7, 0, 5), (yes, sat, "")),
        (msk(9, 1, 9), msk(10, 4, 23, 50), msk(10, 4, 23, 55), (no, sat, "")),
    )
    numbers = []
    for index, (received, sent, answered, answers) in enumerate(samples, start=1):
        draft = MessageDraft(
            intake=MessageIntake.EMAIL,
            received_at=received,
            registered_by="mail",
            sender_email=f"client{index}@example.ru",
            body=f"Вопрос {index}",
        )
        message = register_message(engine, settings, draft)
        numbers.append(message.number)
        with session_scope(engine) as session:
            link = issue_survey_link(session, settings, message.id, sent)
        if answered is None or answers is None:
            continue
        with session_scope(engine) as session:
            survey = find_survey(session, link.rsplit("/", 1)[1])
            assert survey is not None
            assert survey.id is not None
            stored = record_answers(session, survey.id, SurveyAnswers(*answers), answered)
            assert stored
    return numbers
