"""Small helpers shared by the demo modules: weighted choice, row ids, moments."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from itertools import accumulate
from typing import TypeVar

from models.tables import Call, CallbackTask, Client, Department, Employee

_T = TypeVar("_T")


def pick(rng: random.Random, weights: dict[_T, int]) -> _T:
    keys = list(weights)
    return rng.choices(keys, cum_weights=list(accumulate(weights.values())))[0]


def row_id(row: Employee | Department | Call | Client | CallbackTask) -> int:
    assert row.id is not None, "flushed rows have ids"
    return row.id


def after(moment: datetime | None, seconds: float) -> datetime:
    assert moment is not None
    return moment + timedelta(seconds=seconds)
