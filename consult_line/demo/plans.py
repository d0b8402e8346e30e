"""A call as planned before it is written: its rows and what hangs off it."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.rules.callbacks import TimeWindow
from models.rules.transfers import TransferRecord
from models.tables import Call, CallbackAttempt, CallbackTask, Client, Employee, SurveyResponse


@dataclass(slots=True)
class TaskPlan:
    task: CallbackTask
    windows: list[TimeWindow]
    attempts: list[CallbackAttempt]


@dataclass(slots=True)
class CallPlan:
    call: Call
    client: Client | None
    holders: list[Employee] = field(default_factory=list)  # who had the call, in order
    transfers: list[tuple[TransferRecord, Employee, Employee]] = field(default_factory=list)
    survey: SurveyResponse | None = None
    task: TaskPlan | None = None
