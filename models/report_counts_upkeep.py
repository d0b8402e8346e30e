"""Upkeep of the reports' counts (``models.tables.report_counts``): the rows that came to nothing.

A count the triggers took back to zero stays as a row: a missed call's count under "no task"
once its task is written, every count of an hour the retention purge (G3) emptied. Nothing
reads them wrongly (a sum with a zero is the same sum), but left alone they would grow with
the calls; the nightly job removes them. A call written meanwhile into a row being removed
either waits for the removal and writes a new row, or, written first, keeps the row (the
condition is checked again on the row as it now is).
"""

from __future__ import annotations

from sqlalchemy import and_, delete
from sqlalchemy.engine import Engine
from sqlmodel import col

from models.tables import MissedCount, SurveyCount
from models.tables.report_counts import SURVEY_MEASURES


def drop_empty_counts(engine: Engine) -> int:
    """Removes the counts that are zero in every measure; how many rows went."""
    survey_empty = and_(*(col(getattr(SurveyCount, name)) == 0 for name in SURVEY_MEASURES))
    with engine.begin() as connection:
        missed = connection.execute(delete(MissedCount).where(col(MissedCount.calls) == 0))
        survey = connection.execute(delete(SurveyCount).where(survey_empty))
    return int(missed.rowcount) + int(survey.rowcount)
