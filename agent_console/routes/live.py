"""Live updates for the console's pages: ``GET /live/events?topics=queue,ami`` (server-sent
events, ``agent_console.live_stream``) and the page-side script that reads them,
``/live/live.js`` with its shared worker ``/live/live-worker.js``.

Any signed-in user may open the stream; what they receive goes through their filter
(``viewer_filter``): the supervisors' topic only for supervisors and administrators. The scripts
are public, like the rest of the static files.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, StreamingResponse

from agent_console.auth.roles import EVERYONE
from agent_console.auth.rules import allow, public
from agent_console.live_stream import LiveFeed, LiveFilter, everything, get_live_feed
from models.tables import Role
from models.user_sessions import SignedIn

router = APIRouter(prefix="/live", tags=["live"])

STATIC_DIR: Final = Path(__file__).resolve().parent.parent / "static"
SCRIPTS: Final = ("live.js", "live-worker.js")

LiveFeedDep = Annotated[LiveFeed, Depends(get_live_feed)]


SUPERVISOR_TOPICS: Final = frozenset({"supervisor"})
SUPERVISORS: Final = (Role.SUPERVISOR, Role.ADMIN)


def viewer_filter(user: Annotated[SignedIn, allow(*EVERYONE)]) -> LiveFilter:
    """What this viewer may see of the bus."""
    if user.has_any(SUPERVISORS):
        return everything

    def without_supervisor_topics(
        topic: str, payload: Mapping[str, Any]
    ) -> Mapping[str, Any] | None:
        return None if topic in SUPERVISOR_TOPICS else payload

    return without_supervisor_topics


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
