"""The supervisors' wallboard: ``GET /wallboard``, the page for a wall screen (callers waiting
now with their wait and topic, each operator's state and for how long, today's figures), and
``GET /wallboard/today``, today's figures as JSON (``wallboard.today``), which the page re-reads
whenever the live picture of the queue changes and once a minute. Supervisors and
administrators only.

The figures are rendered into the page on the first load; the waiting callers and the operators
are drawn by ``static/wallboard.js`` from the live topics ``queue`` and ``operators`` (their
snapshot arrives as soon as the page connects), with the words of ``wallboard.labels``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import Response

from agent_console.auth.roles import SUPERVISORS
from agent_console.auth.rules import allow, page
from agent_console.deps import Backend, BackendDep
from agent_console.templating import Layout, render
from models.calendar_store import load_calendar
from models.db import session_scope
from models.user_sessions import SignedIn
from wallboard.labels import board_labels
from wallboard.today import MissedCount, TodayCounts, today_counts

router = APIRouter(prefix="/wallboard", tags=["wallboard"])


@dataclass(frozen=True, slots=True)
class WallboardPage:
    """The first load: today's figures as the page shows them, and what its script needs."""

    day: str  # "Сегодня 03.12.2026, рабочий день 09:00–18:00"
    threshold_s: int
    service_level: str  # "85 %", "—"
    service_level_detail: str  # "ответ за 20 с: 17 из 20"
    service_level_bar: int  # 0..100, the bar's length
    average_wait: str  # "0:23", "—"
    missed_by_reason: list[MissedCount]  # those with calls only
    today: TodayCounts
    labels_json: str


def clock_text(seconds: int) -> str:
    """``83`` → ``1:23``; ``3725`` → ``1:02:05`` (as ``wallboard.js`` writes it)."""
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def day_text(counts: TodayCounts) -> str:
    hours = counts.working_hours
    kind = f"рабочий день {hours}" if hours else "нерабочий день"
    return f"Сегодня {counts.day:%d.%m.%Y}, {kind}"


def _page(counts: TodayCounts) -> WallboardPage:
    level = counts.service_level
    return WallboardPage(
        day=day_text(counts),
        threshold_s=level.threshold_s,
        service_level="—" if level.percent is None else f"{level.percent} %",
        service_level_detail=f"ответ за {level.threshold_s} с: {level.within} из {level.offered}",
        service_level_bar=level.percent or 0,
        average_wait="—" if counts.average_wait_s is None else clock_text(counts.average_wait_s),
        missed_by_reason=[item for item in counts.missed_by_reason if item.count],
        today=counts,
        labels_json=json.dumps(board_labels(), ensure_ascii=False),
    )


def _today(backend: Backend) -> TodayCounts:
    now = backend.clock()
    with session_scope(backend.engine) as session:
        calendar = load_calendar(session=session, settings=backend.settings)
        return today_counts(
            session,
            now=now,
            calendar=calendar,
            service_level_s=backend.settings.service_level_s,
        )


@router.get("", include_in_schema=False)
def wallboard_page(
    request: Request, backend: BackendDep, user: Annotated[SignedIn, page(*SUPERVISORS)]
) -> Response:
    """«Табло» for a wall screen."""
    layout = Layout.of(backend.settings.line_title, user)
    shown = _page(_today(backend))
    return render(request, "wallboard.html", layout=layout, title="Табло", page=shown)


@router.get("/today", response_model=TodayCounts, dependencies=[allow(*SUPERVISORS)])
def today(backend: BackendDep) -> TodayCounts:
    """Показатели линии за сегодня (местная дата линии): поступило в рабочее время, отвечено,
    пропущено по причинам (C13), после работы, идут сейчас; уровень обслуживания — доля
    отвеченных не дольше ``threshold_s`` секунд ожидания в очереди (настройка
    ``CONSULT_LINE_SERVICE_LEVEL_S``), среднее ожидание отвеченных; обратные звонки (C11) к
    сроку сегодня и просроченные."""
    return _today(backend)
