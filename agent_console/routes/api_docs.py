"""The API's description for administrators: ``GET /openapi.json`` and Swagger UI on
``GET /docs``, its scripts and styles served by the app (package ``swagger-ui-bundle-v2``
pinned in ``pyproject.toml``), so the page works on a network without internet. FastAPI's own
``/docs``, ``/redoc`` and ``/openapi.json`` are switched off in ``agent_console.app``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from agent_console.auth.rules import allow, page
from agent_console.deps import BackendDep
from agent_console.templating import Layout, render
from models.tables import Role
from models.user_sessions import SignedIn

router = APIRouter(tags=["api-docs"])

SWAGGER_UI_PATH = "/swagger-ui"  # the package's files, mounted in agent_console.app


@router.get("/openapi.json", include_in_schema=False, dependencies=[allow(Role.ADMIN)])
def openapi(request: Request) -> JSONResponse:
    schema: dict[str, Any] = request.app.openapi()
    return JSONResponse(schema)


@router.get("/docs", include_in_schema=False)
def docs(
    request: Request, backend: BackendDep, user: Annotated[SignedIn, page(Role.ADMIN)]
) -> Response:
    layout = Layout.of(backend.settings.line_title, user)
    return render(request, "api_docs.html", layout=layout, title="Документация API")
