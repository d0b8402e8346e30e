"""Counts of calls by UTC hour that the database keeps as calls are written, so that a report
over a year reads a few thousand counts instead of hundreds of thousands of calls.

Nothing in the application writes these tables: triggers on ``calls``, ``callback_tasks`` and
``survey_responses`` (migration 0014, on SQLite and PostgreSQL alike) take a row's share out
of its count before the row changes or goes, and add it back after, so every writer — the call
log, the call card, the callback lists, imports, the retention purge (G3), a hand-made
``UPDATE`` — keeps them right, and a rolled-back transaction takes its counts with it.

* :class:`MissedCount` — calls with ``outcome = 'missed'`` (C13) by the hour they arrived, the
  line (``training``), reason, short flag, topic and the status of their callback task: every
  filter of the missed-call report is one of these columns.
* :class:`SurveyCount` — calls answered by an operator or carrying a survey answer (C15) by the
  hour they arrived, the line and the operator (``reports.survey`` tells which), with the
  survey's measures summed (``reports.survey_figures.SurveyCounts``, same order).

An absent value is stored as ``''`` (reason, topic, callback status: no task) or ``0`` (no
operator), so that a group has one key. The hour is ``YYYY-MM-DD HH`` of the UTC instant, the
text ``reports.hours.utc_hour`` groups by.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Integer, String
from sqlmodel import Field, SQLModel

HOUR_LENGTH = 13  # "2026-12-09 06"
NO_VALUE = ""
NO_OPERATOR = 0
# SurveyCount's measures, in the order of reports.survey_figures.SurveyCounts.
SURVEY_MEASURES = (
    "answered_calls",
    "offered",
    "complete",
    "partial",
    "resolved_yes",
    "resolved_no",
    "satisfied",
    "partly_satisfied",
    "not_satisfied",
)


def _key(type_: Any) -> Any:
    return Column(type_, primary_key=True, nullable=False)


def _measure() -> Any:
    return Column(Integer, nullable=False)


class MissedCount(SQLModel, table=True):
    __tablename__ = "missed_counts"

    hour: str = Field(sa_column=_key(String(HOUR_LENGTH)))
    training: bool = Field(sa_column=_key(Boolean()))
    missed_reason: str = Field(sa_column=_key(String(24)))
    short_call: bool = Field(sa_column=_key(Boolean()))
    topic: str = Field(sa_column=_key(String(24)))
    callback_status: str = Field(sa_column=_key(String(24)))
    calls: int = Field(sa_column=_measure())


class SurveyCount(SQLModel, table=True):
    __tablename__ = "survey_counts"

    hour: str = Field(sa_column=_key(String(HOUR_LENGTH)))
    training: bool = Field(sa_column=_key(Boolean()))
    operator_id: int = Field(sa_column=_key(Integer()))
    answered_calls: int = Field(sa_column=_measure())
    offered: int = Field(sa_column=_measure())
    complete: int = Field(sa_column=_measure())
    partial: int = Field(sa_column=_measure())
    resolved_yes: int = Field(sa_column=_measure())
    resolved_no: int = Field(sa_column=_measure())
    satisfied: int = Field(sa_column=_measure())
    partly_satisfied: int = Field(sa_column=_measure())
    not_satisfied: int = Field(sa_column=_measure())
