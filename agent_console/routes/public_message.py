"""The public message form (W, issue 14): ``GET``/``POST /public/message``, open to anyone.

Plain HTML that works without JavaScript, for the Ministry's website to link to. The POST is
protected by a signed form token (the ``public_form`` rule), limited per address and in all
(``agent_console.public_message_desk``), and registers a web message with the sender's consent;
the sender's IP address is used for the limit only and is not stored with the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from agent_console.auth.form_tokens import issue, read
from agent_console.auth.refusals import PUBLIC_REFUSAL, ErrorPage
from agent_console.auth.rules import public_form
from agent_console.deps import Backend, BackendDep, ContextDep
from agent_console.public_message_desk import Receipt
from agent_console.public_message_form import FIELD_LIMITS, TEXT_MAX, MessageForm, read_form
from agent_console.templating import Layout, render
from models.db import session_scope
from models.message_store import MessageDraft, register_message
from models.tables import MessageIntake, WrittenMessage
from models.user_sessions import SignedIn

PATH = "/public/message"
HONEYPOT = "homepage"  # hidden from people; a bot that fills every field fills it too
TOO_MANY = (
    "Слишком много обращений за последний час. Пожалуйста, отправьте обращение позже "
    "или напишите по почте."
)

router = APIRouter(tags=["public-message"])

# No max_length: a too-long field gets the form back with its error, not a JSON 422
# (Starlette refuses a part over 1 MB before this).
FormText = Annotated[str, Form()]


@dataclass(frozen=True, slots=True)
class FormPage:
    form: MessageForm
    text_max: int
    limits: dict[str, int]


@dataclass(frozen=True, slots=True)
class DonePage:
    number: str  # empty: nothing was registered (a bot's form), the page says no number
    primary_due: date | None


@router.get(PATH, include_in_schema=False)
def message_form(
    request: Request, backend: BackendDep, _viewer: Annotated[SignedIn | None, public_form]
) -> Response:
    return _form(request, backend, MessageForm())


@router.post(PATH, include_in_schema=False)
def message_submit(
    request: Request,
    context: ContextDep,
    _viewer: Annotated[SignedIn | None, public_form],
    csrf_token: FormText = "",
    name: FormText = "",
    email: FormText = "",
    phone: FormText = "",
    address: FormText = "",
    subject: FormText = "",
    text: FormText = "",
    consent: FormText = "",
    homepage: FormText = "",
) -> Response:
    backend = context.backend
    fields = {"name": name, "email": email, "phone": phone, "address": address}
    form = read_form(fields | {"subject": subject, "text": text}, consent=bool(consent))
    token = read(csrf_token, backend.form_key())
    assert token is not None  # the public_form rule let only valid tokens through
    bot = bool(homepage.strip())
    if not form.valid and not bot:
        return _form(request, backend, form, status=422)
    where = request.client.host if request.client else "?"
    now = backend.clock()

    def register() -> Receipt:
        return _fake_receipt() if bot else _register(backend, form)

    receipt = context.public_messages.submit(token.nonce, where, now, register)
    if receipt is None:
        shown = ErrorPage(TOO_MANY, PATH, "Вернуться к форме")
        layout = Layout.of(backend.settings.line_title, None)
        return render(
            request,
            PUBLIC_REFUSAL,
            layout=layout,
            title="Обращение не принято",
            page=shown,
            status=429,
            headers={"Retry-After": "3600"},
        )
    done = DonePage(receipt.number, receipt.primary_due if receipt.registered else None)
    layout = Layout.of(backend.settings.line_title, None)
    return render(
        request, "public_message_done.html", layout=layout, title="Обращение принято", page=done
    )


def _register(backend: Backend, form: MessageForm) -> Receipt:
    draft = MessageDraft(
        intake=MessageIntake.WEB,
        received_at=backend.clock(),
        registered_by="web",
        sender_name=form.name,
        sender_email=form.email,
        sender_phone=form.phone,
        sender_address=form.address,
        subject=form.subject,
        body=form.text,
        consent=True,
    )
    registered = register_message(backend.engine, backend.settings, draft)
    with session_scope(backend.engine) as session:
        message = session.get(WrittenMessage, registered.id)
        assert message is not None
        return Receipt(message.number, message.primary_due, registered=True)


def _fake_receipt() -> Receipt:
    return Receipt("", date.min, registered=False)


def _form(request: Request, backend: Backend, form: MessageForm, *, status: int = 200) -> Response:
    token = issue(backend.form_key(), backend.clock())
    layout = Layout.of(backend.settings.line_title, None, csrf_token=token)
    page = FormPage(form, TEXT_MAX, FIELD_LIMITS)
    return render(
        request,
        "public_message.html",
        layout=layout,
        title="Письменное обращение",
        page=page,
        status=status,
    )
