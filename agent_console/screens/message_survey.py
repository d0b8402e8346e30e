"""The survey report's «Письменные обращения» channel (W12, ``reports.message_survey``): the
links sent and answered, the answers by question, and the answers with the clients' comments a
page at a time (shown as text: the template escapes them). The «Личный приём» channel (V13) is
the same body over the visits' ratings, with its own captions (``reports.message_survey.VISITS``).
"""

from __future__ import annotations

from sqlmodel import Session

from agent_console.report_pages import Fact, FactGroup, table_view
from agent_console.report_screen import Body, rows_shown
from reports.inputs import FilterValues
from reports.line_chart import percent_text
from reports.message_survey import MESSAGES, MessageSurveyReport
from reports.message_survey_figures import (
    ANSWERED_RU,
    COMMENTED_RU,
    RESPONSE_RATE_RU,
    SATISFIED_SHARE_RU,
    SENT_ANSWERED_RU,
    SENT_RU,
    MessageSurveyCounts,
)
from reports.survey_figures import counted_text

NO_ANSWERS = MESSAGES.no_answers_ru


def message_survey_body(
    session: Session, values: FilterValues, query: MessageSurveyReport, number: int
) -> Body:
    counts = query.tally(session)
    shown = rows_shown(values, number, counts.answered)
    rows = query.page(session, offset=shown.offset, limit=shown.limit)
    source = query.source
    caption = f"{source.caption_ru} за {query.period.label()}"
    return Body(
        facts=_facts(counts, source.quality_ru),
        table=table_view(
            caption, query.columns, [r.cells() for r in rows], empty=source.no_answers_ru
        ),
        total=counts.answered,
        page=shown.page,
    )


def _facts(counts: MessageSurveyCounts, quality: str) -> list[FactGroup]:
    return [
        FactGroup(
            "Итого",
            [
                Fact(SENT_RU, str(counts.sent)),
                Fact(SENT_ANSWERED_RU, counted_text(counts.sent_answered, counts.sent)),
                Fact(RESPONSE_RATE_RU, percent_text(counts.response_rate)),
                Fact(ANSWERED_RU, str(counts.answered)),
                Fact(COMMENTED_RU, counted_text(counts.commented, counts.answered)),
            ],
        ),
        FactGroup(
            "Получен ли ответ на вопрос",
            [
                Fact("Да", counted_text(counts.resolved_yes, counts.resolved_answers)),
                Fact("Нет", counted_text(counts.resolved_no, counts.resolved_answers)),
            ],
        ),
        FactGroup(
            quality,
            [
                Fact("Удовлетворен", counted_text(counts.satisfied, counts.ratings)),
                Fact(
                    "Частично удовлетворен", counted_text(counts.partly_satisfied, counts.ratings)
                ),
                Fact("Не удовлетворен", counted_text(counts.not_satisfied, counts.ratings)),
                Fact(SATISFIED_SHARE_RU, percent_text(counts.satisfied_share)),
            ],
        ),
    ]
