"""A client's history (G4), for supervisors and administrators:

* ``GET /clients`` — «Клиенты», the search by phone number; ``?phone=`` finds the client and
  sends the browser to the history (303). Input that is not a phone number gets the form
  with a Russian message, 422; a number that never called and has no callback request, the
  form saying nothing was found, 404;
* ``GET /clients/{ref}`` — the history (``ref``: the client's record number or a phone
  number), newest first, 100 entries a page (``?page=N``), with the staff's details;
* ``GET /clients/{ref}/print`` — the document for the client, to print and hand over;
* ``GET /clients/{ref}/export.json`` — the same document as a JSON file to download.

The three views of a history are one table, :data:`VIEWS`; each writes its row to the audit
log (``client_history.audit``: who, when, which client, what was shown) in the transaction
that read the history, before the answer leaves. A number with history but no client record
gets one when its history is first opened (``client_history.store.open_client``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from agent_console.auth.refusals import ErrorPage
from agent_console.auth.roles import SUPERVISORS
from agent_console.auth.rules import page
from agent_console.client_history_page import PAGE_ENTRIES, history_page, page_keys
from agent_console.client_print_page import print_page
from agent_console.deps import Backend, BackendDep
from agent_console.report_pages import page_number, pages_of, query_values
from agent_console.templating import Layout, render
from client_history.audit import HistoryAccess, record_history_access
from client_history.disclosure import client_document
from client_history.document import ClientDocument
from client_history.export_json import MEDIA_TYPE, file_name, json_bytes
from client_history.records import ClientRecord
from client_history.reference import (
    JSON_VIEW,
    PRINT_VIEW,
    ClientNumber,
    ClientRef,
    NotAPhoneError,
    parse_phone,
    parse_ref,
    ref_path,
)
from client_history.store import entry_keys, load_timeline, open_client
from models.audit_trail import web_actor
from models.db import session_scope
from models.phones import format_phone
from models.rules.retention import keep_from
from models.user_sessions import SignedIn
from reports.inputs import InputError

router = APIRouter(prefix="/clients", tags=["clients"])

PHONE = "phone"
SEARCH_TITLE = "Клиенты"


@dataclass(frozen=True, slots=True)
class SearchPage:
    phone: str = ""  # as typed
    error: str = ""  # not a phone number
    not_found: str = ""


@dataclass(frozen=True, slots=True)
class Shown:
    response: Response
    detail: str | None  # what the audit log says was shown; None: nothing was


Build = Callable[[Request, Backend, Session, ClientRecord, Layout], Shown]


@dataclass(frozen=True, slots=True)
class HistoryView:
    suffix: str  # after /clients/{ref}
    access: HistoryAccess
    build: Build


# --------------------------------------------------------------------------- the search


@router.get("", include_in_schema=False)
def search_page(
    request: Request, backend: BackendDep, user: Annotated[SignedIn, page(*SUPERVISORS)]
) -> Response:
    """«Клиенты»: a client's history by phone number."""
    layout = Layout.of(backend.settings.line_title, user)
    typed = request.query_params.get(PHONE)
    if typed is None:
        return _search(request, layout, SearchPage())
    try:
        phone = parse_phone(typed)
    except NotAPhoneError as refused:
        return _search(request, layout, SearchPage(typed, error=refused.message), status=422)
    with session_scope(backend.engine) as session:
        client = open_client(session, phone, backend.clock())
    if client is None:
        return _search(request, layout, SearchPage(typed, not_found=_nothing(phone)), status=404)
    return RedirectResponse(ref_path(client.id), status_code=303)


def _search(request: Request, layout: Layout, shown: SearchPage, status: int = 200) -> Response:
    return render(
        request, "client_search.html", layout=layout, title=SEARCH_TITLE, page=shown, status=status
    )


def _nothing(ref: ClientRef) -> str:
    if isinstance(ref, ClientNumber):
        return f"Записи клиента № {ref.client_id} нет."
    return f"По номеру {format_phone(ref.e164)} обращений на линию не найдено."


# --------------------------------------------------------------------------- a history


def _history(
    request: Request, backend: Backend, session: Session, client: ClientRecord, layout: Layout
) -> Shown:
    try:
        number = page_number(query_values(request))
    except InputError as refused:
        back = ErrorPage(refused.message, ref_path(client.id), "К истории клиента")
        shown = render(
            request, "error.html", layout=layout, title=SEARCH_TITLE, page=back, status=422
        )
        return Shown(shown, None)
    keys = entry_keys(session, client)
    number = min(number, pages_of(len(keys), rows=PAGE_ENTRIES))
    timeline = load_timeline(session, client, page_keys(keys, number))
    view = history_page(client, keys, timeline, number, backend.settings.tz)
    response = render(
        request, "client_history.html", layout=layout, title=f"Клиент {view.phone}", page=view
    )
    detail = (
        f"page={number} calls={len(timeline.calls)} callbacks={len(timeline.callbacks)} "
        f"messages={len(timeline.messages)}"
    )
    return Shown(response, detail)


def _print(
    request: Request, backend: Backend, session: Session, client: ClientRecord, layout: Layout
) -> Shown:
    document = _document(backend, session, client)
    view = print_page(document, client.id)
    response = render(
        request, "client_print.html", layout=layout, title="История взаимодействия", page=view
    )
    return Shown(response, _counts(document))


def _json(
    request: Request, backend: Backend, session: Session, client: ClientRecord, layout: Layout
) -> Shown:
    document = _document(backend, session, client)
    name = file_name(client.id, document)
    response = Response(
        json_bytes(document),
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
    return Shown(response, _counts(document))


def _document(backend: Backend, session: Session, client: ClientRecord) -> ClientDocument:
    """The client's whole history, the client's part of it (G4)."""
    settings, now = backend.settings, backend.clock()
    timeline = load_timeline(session, client, entry_keys(session, client))
    return client_document(
        timeline,
        prepared_at=now,
        tz=settings.tz,
        line=settings.line_title,
        kept_years=settings.retention_years,
        kept_since=keep_from(now.astimezone(settings.tz).date(), settings.retention_years),
    )


def _counts(document: ClientDocument) -> str:
    return (
        f"calls={len(document.calls)} callbacks={len(document.callbacks)} "
        f"messages={len(document.messages)}"
    )


VIEWS: tuple[HistoryView, ...] = (
    HistoryView("", HistoryAccess.VIEW, _history),
    HistoryView(PRINT_VIEW, HistoryAccess.PRINT, _print),
    HistoryView(JSON_VIEW, HistoryAccess.EXPORT_JSON, _json),
)


def _view_route(view: HistoryView) -> Callable[..., Response]:
    def history_view(
        request: Request,
        ref: str,
        backend: BackendDep,
        user: Annotated[SignedIn, page(*SUPERVISORS)],
    ) -> Response:
        layout = Layout.of(backend.settings.line_title, user)
        try:
            parsed = parse_ref(ref)
        except NotAPhoneError as refused:
            return _search(request, layout, SearchPage(ref, error=refused.message), status=422)
        now = backend.clock()
        with session_scope(backend.engine) as session:
            client = open_client(session, parsed, now)
            if client is None:
                typed = "" if isinstance(parsed, ClientNumber) else ref
                shown = SearchPage(typed, not_found=_nothing(parsed))
                return _search(request, layout, shown, status=404)
            result = view.build(request, backend, session, client, layout)
            if result.detail is not None:
                record_history_access(
                    session,
                    at=now,
                    actor=web_actor(user.login),
                    access=view.access,
                    client_id=client.id,
                    detail=result.detail,
                )
        return result.response

    history_view.__name__ = view.access.value
    return history_view


for _view in VIEWS:
    router.add_api_route(
        "/{ref}" + _view.suffix, _view_route(_view), methods=["GET"], include_in_schema=False
    )
