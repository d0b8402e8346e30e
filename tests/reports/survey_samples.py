"""Two days of surveys after consultations (Monday 5 and Tuesday 6 October 2026, Moscow time),
for the survey report (C15). The tests work out their figures by hand from this list.

====  ==============  ========  ====================  ====  ========  ============================
call  arrived (MSK)   operator  topic                 lang  hung up   survey
====  ==============  ========  ====================  ====  ========  ============================
s8    05.10 00:10     202       state_services        ru    operator  да, удовлетворен
s1    05.10 09:00     201       state_services        ru    operator  да, удовлетворен
s2    05.10 10:00     201       support_measures      ru    operator  да (hung up after it)
s3    05.10 11:00     201       messages              en    operator  — (offered, no answer)
s4    05.10 12:00     201       —                     ru    caller    — (not offered)
s5    06.10 09:00     202       state_services        ru    operator  нет, не удовлетворен
s6    06.10 10:00     202       state_services        en    — (xfer)  да, частично удовлетворен
s9    06.10 14:00     (201)     messages              ru    —         да, удовлетворен; the call
                                                                      log has not settled the call
                                                                      (no outcome, no operator):
                                                                      the survey names 201
s10   06.10 15:00     —         general               ru    caller    — (not offered)
s7    06.10 23:30     202       support_measures      ru    operator  нет (hung up after it)
====  ==============  ========  ====================  ====  ========  ============================

Left out: a surveyed call at 04.10 23:50 and one at 07.10 00:05 Moscow time, and a missed call.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from models.db import session_scope
from models.rules.missed import CallOutcome
from models.rules.survey import AnswerReceived, QualityRating
from models.tables import Call, HangupSide, Language, SurveyResponse
from models.topics import Topic
from reports.period import Period
from tests.call_card.samples import add_person

MSK = ZoneInfo("Europe/Moscow")
PERIOD = Period(date(2026, 10, 5), date(2026, 10, 6))
ALIEVA = "Алиева Патимат Руслановна"
OMAROV = "Омаров Руслан Магомедович"
_Survey = tuple[AnswerReceived | None, QualityRating | None] | None


def msk(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=MSK)


def add_sample_surveys(engine: Engine) -> None:
    alieva = add_person(engine, "201", ALIEVA)
    omarov = add_person(engine, "202", OMAROV)
    yes, no = AnswerReceived.YES, AnswerReceived.NO
    sat, partly, not_sat = (
        QualityRating.SATISFIED,
        QualityRating.PARTLY_SATISFIED,
        QualityRating.NOT_SATISFIED,
    )
    answered, ru, en, topic = CallOutcome.ANSWERED, Language.RU, Language.EN, Topic
    by_operator, by_caller = HangupSide.OPERATOR, HangupSide.CALLER
    # linkedid, arrived, outcome, operator on the call, on the survey, topic, language,
    # who hung up, survey answers (None: no survey row)
    calls: tuple[
        tuple[
            str,
            datetime,
            CallOutcome | None,
            int | None,
            int | None,
            Topic | None,
            Language,
            HangupSide | None,
            _Survey,
        ],
        ...,
    ] = (
        ("s8", msk(5, 0, 10), answered, omarov, omarov, topic.STATE_SERVICES, ru, by_operator,
         (yes, sat)),
        ("s1", msk(5, 9), answered, alieva, alieva, topic.STATE_SERVICES, ru, by_operator,
         (yes, sat)),
        ("s2", msk(5, 10), answered, alieva, alieva, topic.SUPPORT_MEASURES, ru, by_operator,
         (yes, None)),
        ("s3", msk(5, 11), answered, alieva, None, topic.MESSAGES, en, by_operator, None),
        ("s4", msk(5, 12), answered, alieva, None, None, ru, by_caller, None),
        ("s5", msk(6, 9), answered, omarov, omarov, topic.STATE_SERVICES, ru, by_operator,
         (no, not_sat)),
        ("s6", msk(6, 10), answered, omarov, omarov, topic.STATE_SERVICES, en, None,
         (yes, partly)),
        ("s9", msk(6, 14), None, None, alieva, topic.MESSAGES, ru, None, (yes, sat)),
        ("s10", msk(6, 15), answered, None, None, topic.GENERAL, ru, by_caller, None),
        ("s7", msk(6, 23, 30), answered, omarov, omarov, topic.SUPPORT_MEASURES, ru,
         by_operator, (no, None)),
        # Left out of the report.
        ("before", msk(4, 23, 50), answered, alieva, alieva, None, ru, by_operator, (yes, sat)),
        ("after", msk(7, 0, 5), answered, omarov, omarov, None, ru, by_operator, (no, sat)),
        ("missed", msk(5, 13), CallOutcome.MISSED, None, None, None, ru, by_caller, None),
    )  # fmt: skip
    with session_scope(engine) as session:
        for linkedid, arrived, outcome, operator, surveyed_by, about, lang, side, survey in calls:
            ended = arrived + timedelta(minutes=5)
            call = Call(
                linkedid=linkedid,
                arrived_at=arrived,
                in_working_hours=True,
                language=lang,
                topic=about,
                answered_at=arrived + timedelta(seconds=20) if operator else None,
                operator_id=operator,
                ended_at=ended if outcome else None,
                outcome=outcome,
                hangup_side=side,
            )
            session.add(call)
            session.flush()
            assert call.id is not None
            if survey is not None:
                resolved, quality = survey
                session.add(
                    SurveyResponse(
                        call_id=call.id,
                        operator_id=surveyed_by,
                        answer_received=resolved,
                        quality=quality,
                        created_at=ended + timedelta(seconds=30),
                    )
                )
