"""The public pages of information mailings (M1, M3, M4), without sign-in:

* ``GET``/``POST /public/subscribe`` — M3: anyone types an address and agrees to receive the
  mailings; the address gets a confirmation letter (``mail.mailing_letters``). The page answers
  the same whatever the address's state (new, pending, subscribed, withdrawn, a letter sent
  lately), and the letter goes after the answer (a background task), so neither the page nor
  its speed tells anybody who is subscribed; a letter the server refuses is logged and the
  address may ask again at once. Requests are limited per browser address and
  in all (``agent_console.public_limits``), and one address gets a confirmation letter at most
  once per ``CONFIRMATION_RESEND`` (``models.rules.mailing_consent``); the POST carries a
  signed form token (the ``public_form`` rule);
* ``GET``/``POST /public/subscribe/confirm/<token>`` — M1: the confirmation link; the GET
  shows one button, the POST confirms (double opt-in);
* ``GET``/``POST /public/unsubscribe/<token>`` — M4: a mailing letter's unsubscribe link. The
  GET shows the address and one button and changes nothing: mail scanners and link previews
  open links by themselves and must not withdraw anyone's consent. The POST withdraws at once,
  with no sign-in and no question; the mail program's one-click unsubscribe (RFC 8058:
  ``List-Unsubscribe=One-Click`` in the body) is the same POST. Both link routes use the
  ``public_link`` rule: the random token in the path is the proof, no CSRF token is asked.

A link that is not ours (mistyped, forged, cut short) gets a 404 page saying so; a second
unsubscribe says the consent is withdrawn already.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import APIRouter, Form, Request
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from agent_console.auth.form_tokens import issue
from agent_console.auth.refusals import LINK_NOT_FOUND, PUBLIC_REFUSAL, ErrorPage
from agent_console.auth.rules import public_form, public_link
from agent_console.deps import Backend, BackendDep, ContextDep
from agent_console.templating import Layout, render
from mail.mailing_letters import ONE_CLICK_BODY, confirmation_letter
from mail.sender import MailSendError, send_mail
from models.db import session_scope
from models.mailing_consent import (
    CONFIRM_PATH,
    ONE_CLICK_ACTOR,
    SUBSCRIBE_PATH,
    UNSUBSCRIBE_PATH,
    Confirmation,
    Issued,
    Withdrawal,
    confirm,
    confirmation_state,
    letter_not_sent,
    request_subscription,
    subscriber_by_confirmation,
    subscriber_by_unsubscribe,
    unsubscribe,
)
from models.mailings import mailing_problem
from models.rules.mailing_consent import (
    CONFIRMATION_RESEND,
    AddressProblem,
    ConsentState,
    WithdrawalSource,
    normalize_address,
)
from models.user_sessions import SignedIn

log = logging.getLogger(__name__)
router = APIRouter(tags=["public-mailing"])

SUBSCRIBE_TITLE: Final = "Подписка на информационные рассылки"
CONFIRM_TITLE: Final = "Подтверждение подписки"
UNSUBSCRIBE_TITLE: Final = "Отказ от информационных рассылок"
CONSENT_TEXT: Final = (
    "Я согласен(на) получать по электронной почте информационные рассылки Министерства "
    "промышленности и торговли Республики Дагестан об осуществлении его функций, в том числе "
    "об изменениях в порядке их осуществления"
)
NO_CONSENT: Final = "Отметьте согласие на получение рассылок: без него подписка невозможна."
TOO_MANY: Final = (
    "Слишком много запросов подписки с Вашего адреса за последний час. Пожалуйста, "
    "попробуйте позже."
)
UNAVAILABLE: Final = "Подписка на рассылки сейчас недоступна. Пожалуйста, попробуйте позже."
NO_STORE: Final = {"Cache-Control": "no-store"}
_HOURS: Final = int(CONFIRMATION_RESEND.total_seconds() // 3600)


@dataclass(frozen=True, slots=True)
class SubscribeForm:
    email: str = ""
    consent: bool = False
    errors: dict[str, str] | None = None
    consent_text: str = CONSENT_TEXT


@dataclass(frozen=True, slots=True)
class Outcome:
    """A page with one message (``id``: for tests and screen readers) and maybe a button."""

    id: str
    message: str
    detail: str = ""
    button: str = ""  # a form posting to this page, with this label
    email: str = ""
    subscribe_link: bool = False  # a link to the subscription page below


@router.get(SUBSCRIBE_PATH, include_in_schema=False)
def subscribe_page(
    request: Request, backend: BackendDep, _viewer: Annotated[SignedIn | None, public_form]
) -> Response:
    if _unavailable(backend):  # said before anybody types
        return _refused(request, backend, UNAVAILABLE, 503, title=SUBSCRIBE_TITLE)
    return _subscribe_form(request, backend, SubscribeForm())


@router.post(SUBSCRIBE_PATH, include_in_schema=False)
def subscribe(
    request: Request,
    context: ContextDep,
    _viewer: Annotated[SignedIn | None, public_form],
    email: Annotated[str, Form()] = "",
    consent: Annotated[str, Form()] = "",
) -> Response:  # M3, M1
    backend = context.backend
    now = backend.clock()
    where = request.client.host if request.client else "?"
    if not context.public_subscriptions.admit(where, now):
        return _refused(request, backend, TOO_MANY, 429, title=SUBSCRIBE_TITLE)
    address = normalize_address(email)
    errors = {}
    if isinstance(address, AddressProblem):  # a StrEnum: tested before any str
        errors["email"] = address.value
    if consent != "yes":
        errors["consent"] = NO_CONSENT
    if errors:
        shown = SubscribeForm(email.strip()[:300], consent == "yes", errors)
        return _subscribe_form(request, backend, shown, status=422)
    assert not isinstance(address, AddressProblem)
    if _unavailable(backend):
        return _refused(request, backend, UNAVAILABLE, 503, title=SUBSCRIBE_TITLE)
    with session_scope(backend.engine) as session:
        issued = request_subscription(session, address, actor=f"public:{where}", now=now)
    # The same words for every address, and the letter goes after the answer: neither the
    # page nor its speed tells anybody who is subscribed.
    answer = _outcome(
        request,
        backend,
        SUBSCRIBE_TITLE,
        Outcome(
            "subscribe-sent",
            "Если адрес указан верно, на него отправлено письмо со ссылкой для подтверждения.",
            "Подписка начнёт действовать только после перехода по ссылке из письма и нажатия "
            "кнопки «Подтвердить подписку». Письмо с подтверждением на один адрес "
            f"отправляется не чаще одного раза в {_HOURS} часов: если его нет, проверьте папку "
            "«Спам» или повторите позже.",
        ),
    )
    if issued is not None:
        answer.background = BackgroundTask(_send_confirmation, backend, address, issued)
    return answer


def _unavailable(backend: Backend) -> bool:
    """The visitor is told «недоступна»; the administrator reads why in the log."""
    problem = mailing_problem(backend.settings)
    if problem is not None:
        log.warning("страница подписки на рассылки недоступна: %s", problem)
    return problem is not None


def _send_confirmation(backend: Backend, address: str, issued: Issued) -> None:
    """M1: the confirmation letter, after the page has answered. A letter the server did not
    take is logged and forgotten, so that the address may ask again at once."""
    settings = backend.settings
    link = f"{settings.public_base}{CONFIRM_PATH}/{issued.token}"
    letter = confirmation_letter(
        settings.line_title, link, f"{settings.public_base}{SUBSCRIBE_PATH}"
    )
    try:
        send_mail(settings, address, letter.subject, letter.text)
    except (MailSendError, ValueError) as exc:
        log.warning("письмо с подтверждением подписки не отправлено: %s", exc)
        with session_scope(backend.engine) as session:
            letter_not_sent(session, issued.subscriber_id)


@router.get(CONFIRM_PATH + "/{token:path}", include_in_schema=False)
def confirm_page(
    request: Request,
    backend: BackendDep,
    token: str,
    _viewer: Annotated[SignedIn | None, public_link],
) -> Response:
    with session_scope(backend.engine) as session:
        subscriber = subscriber_by_confirmation(session, token)
        state = confirmation_state(subscriber, backend.clock())
    if state is not None or subscriber is None:
        return _confirmed(request, backend, state or Confirmation.NOT_FOUND)
    shown = Outcome(
        "confirm-ask",
        "Подтвердите согласие на получение информационных рассылок на адрес:",
        CONSENT_TEXT + ".",
        button="Подтвердить подписку",
        email=subscriber.email,
    )
    return _outcome(request, backend, CONFIRM_TITLE, shown)


@router.post(CONFIRM_PATH + "/{token:path}", include_in_schema=False)
def confirm_submit(
    request: Request,
    backend: BackendDep,
    token: str,
    _viewer: Annotated[SignedIn | None, public_link],
) -> Response:  # M1
    where = request.client.host if request.client else "?"
    with session_scope(backend.engine) as session:
        result = confirm(session, token, actor=f"public:{where}", now=backend.clock())
    return _confirmed(request, backend, result)


@router.get(UNSUBSCRIBE_PATH + "/{token:path}", include_in_schema=False)
def unsubscribe_page(
    request: Request,
    backend: BackendDep,
    token: str,
    _viewer: Annotated[SignedIn | None, public_link],
) -> Response:  # M4: a GET changes nothing (link scanners open links)
    with session_scope(backend.engine) as session:
        subscriber = subscriber_by_unsubscribe(session, token)
    if subscriber is None:
        return _not_found(request, backend)
    if subscriber.state is ConsentState.WITHDRAWN:
        return _withdrawn(request, backend, Withdrawal.ALREADY)
    shown = Outcome(
        "unsubscribe-ask",
        "Отказаться от информационных рассылок для адреса:",
        "Согласие на получение рассылок будет отозвано сразу, письма рассылок на этот адрес "
        "больше не придут.",
        button="Отказаться от рассылок",
        email=subscriber.email,
    )
    return _outcome(request, backend, UNSUBSCRIBE_TITLE, shown)


@router.post(UNSUBSCRIBE_PATH + "/{token:path}", include_in_schema=False)
async def unsubscribe_submit(
    request: Request,
    backend: BackendDep,
    token: str,
    _viewer: Annotated[SignedIn | None, public_link],
) -> Response:  # M4
    body = (await request.body()).decode("ascii", "replace").strip()
    one_click = body == ONE_CLICK_BODY
    source = WithdrawalSource.ONE_CLICK if one_click else WithdrawalSource.LINK
    where = request.client.host if request.client else "?"
    actor = ONE_CLICK_ACTOR if one_click else f"public:{where}"

    def withdraw() -> Withdrawal:
        with session_scope(backend.engine) as session:
            return unsubscribe(session, token, source=source, actor=actor, now=backend.clock())

    result = await run_in_threadpool(withdraw)
    if result is Withdrawal.NOT_FOUND:
        return _not_found(request, backend)
    return _withdrawn(request, backend, result)


def _confirmed(request: Request, backend: Backend, result: Confirmation) -> Response:
    if result is Confirmation.NOT_FOUND:
        return _not_found(request, backend)
    shown = {
        Confirmation.CONFIRMED: Outcome(
            "confirm-done",
            "Спасибо, подписка подтверждена.",
            "Информационные рассылки будут приходить на Ваш адрес. В каждом письме есть ссылка "
            "для отказа от рассылок.",
        ),
        Confirmation.ALREADY: Outcome("confirm-done", "Подписка уже подтверждена ранее."),
        Confirmation.EXPIRED: Outcome(
            "confirm-expired",
            "Срок действия ссылки истёк.",
            "Подпишитесь заново: на адрес придёт новое письмо с подтверждением.",
            subscribe_link=True,
        ),
    }[result]
    status = 410 if result is Confirmation.EXPIRED else 200
    return _outcome(request, backend, CONFIRM_TITLE, shown, status=status)


def _withdrawn(request: Request, backend: Backend, result: Withdrawal) -> Response:
    already = result is Withdrawal.ALREADY
    shown = Outcome(
        "unsubscribe-done",
        "Согласие на получение рассылок уже отозвано."
        if already
        else "Согласие на получение рассылок отозвано.",
        "Письма информационных рассылок на Ваш адрес больше не придут. Подписаться снова можно "
        "на странице подписки.",
        subscribe_link=True,
    )
    return _outcome(request, backend, UNSUBSCRIBE_TITLE, shown)


def _subscribe_form(
    request: Request, backend: Backend, form: SubscribeForm, *, status: int = 200
) -> Response:
    token = issue(backend.form_key(), backend.clock())
    layout = Layout.of(backend.settings.line_title, None, csrf_token=token)
    return render(
        request,
        "public_subscribe.html",
        layout=layout,
        title=SUBSCRIBE_TITLE,
        page=form,
        status=status,
        headers=NO_STORE,
    )


def _outcome(
    request: Request, backend: Backend, title: str, shown: Outcome, *, status: int = 200
) -> Response:
    layout = Layout.of(backend.settings.line_title, None)
    return render(
        request,
        "public_mailing.html",
        layout=layout,
        title=title,
        page=shown,
        status=status,
        headers=NO_STORE,
    )


def _not_found(request: Request, backend: Backend) -> Response:
    return _refused(request, backend, LINK_NOT_FOUND, 404, title="Ссылка не найдена")


def _refused(
    request: Request, backend: Backend, message: str, status: int, *, title: str
) -> Response:
    layout = Layout.of(backend.settings.line_title, None)
    back = SUBSCRIBE_PATH if status == 429 else ""  # 503: the page itself is unavailable
    shown = ErrorPage(message, back, "Открыть страницу подписки" if back else "")
    headers = NO_STORE | ({"Retry-After": "3600"} if status in (429, 503) else {})
    return render(
        request,
        PUBLIC_REFUSAL,
        layout=layout,
        title=title,
        page=shown,
        status=status,
        headers=headers,
    )
