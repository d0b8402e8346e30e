"""Live updates for the console's pages: ``GET /live/events?topics=queue,ami`` (server-sent
events, ``agent_console.live_stream``) and the page-side script that reads them,
``/live/live.js`` with its shared worker ``/live/live-worker.js``.

No access rule yet: every caller sees every message of the topics it names. The viewer's
filter (``live_filter``) is where the sign-in work narrows it (an operator's own device).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, StreamingResponse

from agent_console.live_stream import LiveFeed, LiveFilter, everything, get_live_feed

router = APIRouter(prefix="/live", tags=["live"])

STATIC_DIR: Final = Path(__file__).resolve().parent.parent / "static"
SCRIPTS: Final = ("live.js", "live-worker.js")

LiveFeedDep = Annotated[LiveFeed, Depends(get_live_feed)]


def live_filter() -> LiveFilter:
    """What the viewer may see; everything until sign-in supplies the viewer."""
    return everything


LiveFilterDep = Annotated[LiveFilter, Depends(live_filter)]


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
    summary="Живые обновления (server-sent events)",
)
async def events(
    feed: LiveFeedDep,
    view: LiveFilterDep,
    topics: Annotated[str, Query(description="темы через запятую: queue,operators,ami")] = "",
) -> StreamingResponse:
    """Сначала снимок каждой темы, затем каждое изменение: ``event`` — тема, ``data`` — JSON
    ``{"snapshot": bool, "payload": {...}}``; комментарий раз в несколько секунд, пока
    изменений нет."""
    return feed.response(feed.parse_topics(topics), view)


@router.get("/live.js", include_in_schema=False)
def live_script() -> FileResponse:
    return _script("live.js")


@router.get("/live-worker.js", include_in_schema=False)
def live_worker_script() -> FileResponse:
    return _script("live-worker.js")


def _script(name: str) -> FileResponse:
    return FileResponse(
        STATIC_DIR / name,
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache"},  # revalidated (ETag): a new release applies
    )
