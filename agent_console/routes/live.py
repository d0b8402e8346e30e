"""Live updates for the console's pages: ``GET /live/events?topics=queue,ami`` (server-sent
events, ``agent_console.live_stream``) and the page-side script that reads them,
``/live/live.js`` with its shared worker ``/live/live-worker.js``.

Any signed-in user may open the stream; what they receive goes through their filter
(``viewer_filter``, ``agent_console.live_view``): everything for supervisors and administrators,
their own phone's part for everyone else. The scripts are public, like the rest of the static
files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, StreamingResponse

from agent_console.auth.roles import EVERYONE, SUPERVISORS
from agent_console.auth.rules import allow, public
from agent_console.deps import BackendDep
from agent_console.live_stream import LiveFeed, LiveFilter, everything, get_live_feed
from agent_console.live_view import own_view
from models.db import session_scope
from models.tables import Employee
from models.user_sessions import SignedIn

router = APIRouter(prefix="/live", tags=["live"])

STATIC_DIR: Final = Path(__file__).resolve().parent.parent / "static"
SCRIPTS: Final = ("live.js", "live-worker.js")

LiveFeedDep = Annotated[LiveFeed, Depends(get_live_feed)]


def viewer_filter(user: Annotated[SignedIn, allow(*EVERYONE)], backend: BackendDep) -> LiveFilter:
    """What this viewer may see of the bus (read once, when the stream opens)."""
    if user.has_any(SUPERVISORS):
        return everything
    with session_scope(backend.engine) as session:
        employee = session.get(Employee, user.employee_id)
        device = employee.device if employee is not None else ""
        number = employee.internal_number if employee is not None else ""
    return own_view(device=device, internal_number=number)


LiveFilterDep = Annotated[LiveFilter, Depends(viewer_filter)]


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
    summary="Живые обновления (server-sent events)",
)
async def events(
    view: LiveFilterDep,  # first: the access rule answers before anything else
    feed: LiveFeedDep,
    topics: Annotated[str, Query(description="темы через запятую: queue,operators,ami")] = "",
) -> StreamingResponse:
    """Сначала снимок каждой темы, затем каждое изменение: ``event`` — тема, ``data`` — JSON
    ``{"snapshot": bool, "payload": {...}}``; комментарий раз в несколько секунд, пока
    изменений нет."""
    return feed.response(feed.parse_topics(topics), view)


@router.get("/live.js", include_in_schema=False, dependencies=[public])
def live_script() -> FileResponse:
    return _script("live.js")


@router.get("/live-worker.js", include_in_schema=False, dependencies=[public])
def live_worker_script() -> FileResponse:
    return _script("live-worker.js")


def _script(name: str) -> FileResponse:
    return FileResponse(
        STATIC_DIR / name,
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache"},  # revalidated (ETag): a new release applies
    )
