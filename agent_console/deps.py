"""What the HTTP layer needs from the rest of the application, handed in by the app factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, Header, HTTPException, Request, status
from sqlalchemy.engine import Engine

from agent_console.health import HealthReport
from models.settings import Settings
from scripts_kb.index_cache import IndexCache

USER_HEADER = "X-Consult-Line-User"


@dataclass(frozen=True, slots=True)
class Backend:
    """The database and what the data routes read with it; built by the composition root."""

    engine: Engine
    settings: Settings
    clock: Callable[[], datetime]
    kb_index: IndexCache

    def today(self) -> date:
        """The line's local date (K6 reviews are days at the Ministry, not UTC days)."""
        return self.clock().astimezone(self.settings.tz).date()


@dataclass(frozen=True, slots=True)
class AppContext:
    health: Callable[[], HealthReport]
    version: str
    backend: Backend


def get_context(request: Request) -> AppContext:
    context = request.app.state.context
    assert isinstance(context, AppContext)
    return context


ContextDep = Annotated[AppContext, Depends(get_context)]


def get_backend(context: ContextDep) -> Backend:
    return context.backend


BackendDep = Annotated[Backend, Depends(get_backend)]


def require_editor(
    backend: BackendDep,
    user: Annotated[str | None, Header(alias=USER_HEADER)] = None,
) -> str:
    """The guard of every write endpoint until sign-in exists.

    Writes are off unless ``kb_edit_enabled`` is set; the author is whatever the
    ``X-Consult-Line-User`` header says — a stand-in for the signed-in user, trusted as given,
    so enable writes only where the console is reachable by the line's staff alone. Headers are
    ASCII: a login or internal number as is, a name in Cyrillic percent-encoded (UTF-8).
    """
    if not backend.settings.kb_edit_enabled:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "Изменение данных через API выключено: до появления входа в систему его включает "
            "настройка CONSULT_LINE_KB_EDIT_ENABLED=true.",
        )
    author = unquote(user or "").strip()
    if not author:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            f"Не указан автор изменения: заголовок {USER_HEADER} обязателен.",
        )
    return author[:128]


EditorDep = Annotated[str, Depends(require_editor)]
