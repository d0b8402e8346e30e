"""Sending a notice about a written message by every channel of its client (W5–W7, W10–W12,
G1–G2).

One :class:`~models.tables.MessageNotice` row per channel (``models.rules.notice_channels``):

* e-mail: handed to the outgoing server through a :class:`Mailer` (``mail.notice_mail`` is the
  real one) — SENDING while it is, then SENT, or FAILED with the reason in Russian; the text is
  kept and :func:`resend_notice` tries again;
* post: TO_PRINT — the office prints the letter and posts it;
* phone: TO_CALL — a person calls the client and reads it out; SMS and the state portal:
  TO_DELIVER — the line has no gateway to them, a person sends it;
* a channel the client left no address for: FAILED, saying so.

Nothing is SENT that the outgoing server did not take. Once something went out or was handed
to a person, the message moves on (:data:`STATUS_AFTER`; every kind but the primary answer
closes it); when every channel failed it stays as it was, its deadline still owed, until a
resend gets through.

Which kinds may go now is ``models.rules.message_actions.allowed_notices``. The same form
sent twice sends once (its one-time key is on the rows). Two sendings for one message never
overlap: the message's row is locked while a sending is set up, and a message with a letter
still at the outgoing server takes no other. Survey links (W12) are made for each letter as it
is sent (``models.survey_links``); the stored text keeps the survey mark in their place, so the
database holds no working link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Protocol

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.db import session_scope
from models.notice_plan import choice_problem, message_routes, text_problem, why_not
from models.notice_templates import (
    SURVEY_KINDS,
    notice_subject,
    with_survey_link,
    with_survey_mark,
)
from models.rules.calendar import require_aware
from models.rules.message_states import OPEN_STATES
from models.rules.notice_channels import NoticeRoute
from models.settings import Settings
from models.survey_links import issue_survey_link
from models.tables import (
    Channel,
    Client,
    MessageNotice,
    MessageStatus,
    NoticeKind,
    NoticeState,
    WrittenMessage,
)

ERROR_MAX: Final = 255  # message_notices.error
STUCK_AFTER: Final = timedelta(minutes=10)  # a letter this long at the server: the send died
STATUS_AFTER: Final[dict[NoticeKind, MessageStatus]] = {
    NoticeKind.PRIMARY: MessageStatus.ACKNOWLEDGED,  # W6
    NoticeKind.ABUSE: MessageStatus.ABUSIVE,  # W5
    NoticeKind.REDIRECT: MessageStatus.REDIRECTED,  # W7
    NoticeKind.REFUSAL: MessageStatus.REFUSED,  # W10
    NoticeKind.ANSWER: MessageStatus.ANSWERED,  # W11, W12
}
_MOVES_FROM: Final[dict[NoticeKind, frozenset[MessageStatus]]] = {
    NoticeKind.PRIMARY: frozenset({MessageStatus.REGISTERED}),
    NoticeKind.ABUSE: frozenset(MessageStatus) - {MessageStatus.ABUSIVE},
    NoticeKind.REDIRECT: OPEN_STATES,
    NoticeKind.REFUSAL: OPEN_STATES,
    NoticeKind.ANSWER: OPEN_STATES,
}
HANDED_TO_A_PERSON: Final[dict[Channel, NoticeState]] = {
    Channel.POST: NoticeState.TO_PRINT,
    Channel.PHONE: NoticeState.TO_CALL,
    Channel.SMS: NoticeState.TO_DELIVER,
    Channel.PORTAL: NoticeState.TO_DELIVER,
}
_GONE_OUT: Final = frozenset({NoticeState.SENT, *HANDED_TO_A_PERSON.values()})
_NO_ADDRESS: Final[dict[Channel, str]] = {
    Channel.EMAIL: "клиент не оставил адреса электронной почты",
    Channel.POST: "клиент не оставил почтового адреса",
    Channel.PHONE: "клиент не оставил номера телефона",
    Channel.SMS: "клиент не оставил номера телефона для SMS",
    Channel.PORTAL: "",
}
_FORM_KEY: Final = re.compile(r"[A-Za-z0-9_-]{20,64}")
NOT_SENT_YET: Final = "почтовый сервер не принял письмо (причина не названа)"


class NotSentError(Exception):
    """The outgoing server did not take the letter; the message says why, in Russian."""


class Mailer(Protocol):
    def __call__(self, to: str, subject: str, text: str) -> str:
        """Hands one letter to the outgoing server and returns its Message-ID; raises
        :class:`NotSentError` when the server did not take it."""


@dataclass(frozen=True, slots=True)
class NoticeRequest:
    """A notice as staff send it from the console."""

    number: str
    kind: NoticeKind
    body: str
    form_key: str
    by: str  # the login
    agency_id: str = ""  # W7: the agency the message went to
    refusal_id: str = ""  # W10: the KB refusal the grounds come from


@dataclass(frozen=True, slots=True)
class Refused:
    """Nothing was sent; ``reason`` says why, in Russian."""

    reason: str
    not_found: bool = False


@dataclass(frozen=True, slots=True)
class Sending:
    """What a sending left: a row per channel, as stored."""

    number: str
    kind: NoticeKind
    notices: tuple[MessageNotice, ...]
    duplicate: bool = False  # the form was sent before: nothing new went out


def send_notice(
    engine: Engine, settings: Settings, mailer: Mailer, request: NoticeRequest, now: datetime
) -> Sending | Refused:
    """Sends ``request`` by every channel of the message's client (see the module's doc)."""
    require_aware(now, "now")
    problem = text_problem(request.kind, request.body)
    if not problem and _FORM_KEY.fullmatch(request.form_key) is None:
        problem = "Форма устарела: откройте её заново (введённый текст лучше сначала скопировать)."
    if problem:
        return Refused(problem)
    with session_scope(engine) as session:
        claimed = _claim(session, settings, request, now)
    if isinstance(claimed, Refused):
        return claimed
    if claimed.duplicate:
        return Sending(claimed.number, claimed.kind, claimed.notices, duplicate=True)
    letters = [(row, claimed.links.get(row.id or 0, "")) for row in claimed.notices]
    return _deliver(engine, mailer, claimed, letters, now)


def resend_notice(
    engine: Engine,
    settings: Settings,
    mailer: Mailer,
    *,
    number: str,
    notice_id: int,
    by: str,
    now: datetime,
) -> Sending | Refused:
    """Sends a FAILED e-mail again (or one whose sending died on the way, :data:`STUCK_AFTER`),
    with a new survey link; the row records the new attempt."""
    require_aware(now, "now")
    with session_scope(engine) as session:
        message = find_message(session, number)
        notice = session.get(MessageNotice, notice_id) if message is not None else None
        if message is None or notice is None or notice.message_id != message.id:
            return Refused(f"Уведомления № {notice_id} по обращению {number} нет.", True)
        if not resendable(notice, now):
            return Refused(
                "Повторно отправляются только письма по электронной почте, которые не ушли."
            )
        taken = session.execute(
            update(MessageNotice)
            .where(
                col(MessageNotice.id) == notice_id,
                col(MessageNotice.state) == notice.state,
                col(MessageNotice.at) == notice.at,
            )
            .values(state=NoticeState.SENDING, at=now, by=by, error="")
            .execution_options(synchronize_session=False)
        )
        if getattr(taken, "rowcount", 0) != 1:
            return Refused("Это письмо уже отправляется повторно: обновите страницу.")
        link = ""
        if notice.kind in SURVEY_KINDS:
            assert message.id is not None
            link = issue_survey_link(session, settings, message.id, now)
        session.refresh(notice)
        claimed = _Claimed(message.id or 0, number, notice.kind, (notice,), {}, duplicate=False)
    return _deliver(engine, mailer, claimed, [(notice, link)], now)


def resendable(notice: MessageNotice, now: datetime) -> bool:
    """An e-mail with an address that did not go: FAILED, or stuck at SENDING too long."""
    if notice.channel is not Channel.EMAIL or not notice.to_address:
        return False
    if notice.state is NoticeState.FAILED:
        return True
    return notice.state is NoticeState.SENDING and notice.at <= now - STUCK_AFTER


def message_notices(session: Session, message_id: int) -> list[MessageNotice]:
    """Every notice of the message, newest first."""
    return list(
        session.exec(
            select(MessageNotice)
            .where(col(MessageNotice.message_id) == message_id)
            .order_by(col(MessageNotice.at).desc(), col(MessageNotice.id))
        ).all()
    )


@dataclass(frozen=True, slots=True)
class _Claimed:
    message_id: int
    number: str
    kind: NoticeKind
    notices: tuple[MessageNotice, ...]
    links: dict[int, str]  # notice id → the survey link its letter carries
    duplicate: bool


def _claim(
    session: Session, settings: Settings, request: NoticeRequest, now: datetime
) -> _Claimed | Refused:
    """The rows of a new sending, stored; mail still to be handed over (see the module's doc)."""
    message = _locked_message(session, request.number)
    if message is None or message.id is None:
        return Refused(f"Обращения с номером {request.number} нет.", not_found=True)
    earlier = session.exec(
        select(MessageNotice)
        .where(
            col(MessageNotice.message_id) == message.id,
            col(MessageNotice.form_key) == request.form_key,
        )
        .order_by(col(MessageNotice.id))
    ).all()
    if earlier:
        return _Claimed(message.id, message.number, earlier[0].kind, tuple(earlier), {}, True)
    reason = why_not(request.kind, message.status, message.abuse) or _busy(session, message, now)
    if reason:
        return Refused(reason)
    client = session.get(Client, message.client_id) if message.client_id is not None else None
    routes = message_routes(message, client)
    if all(route.missing for route in routes):
        return Refused(
            "Уведомление некуда отправить: ни для одного канала клиента нет адреса — ни "
            "электронной почты, ни почтового адреса, ни телефона."
        )
    choice = choice_problem(
        session, request.kind, agency_id=request.agency_id, refusal_id=request.refusal_id
    )
    if choice:
        return Refused(choice)
    body = with_survey_mark(request.body) if request.kind in SURVEY_KINDS else request.body
    rows = [
        _row(message.id, request, route, notice_subject(request.kind, message.number), body, now)
        for route in routes
    ]
    session.add_all(rows)
    session.flush()
    links = {
        row.id or 0: issue_survey_link(session, settings, message.id, now)
        for row in rows
        if row.state is NoticeState.SENDING and request.kind in SURVEY_KINDS
    }
    if any(row.state in _GONE_OUT for row in rows):
        _advance(session, message.id, request.kind, now)
    return _Claimed(message.id, message.number, request.kind, tuple(rows), links, False)


def _row(
    message_id: int,
    request: NoticeRequest,
    route: NoticeRoute,
    subject: str,
    body: str,
    now: datetime,
) -> MessageNotice:
    if route.missing:
        state, error = NoticeState.FAILED, f"не отправлено: {_NO_ADDRESS[route.channel]}"
    elif route.channel is Channel.EMAIL:
        state, error = NoticeState.SENDING, ""
    else:
        state, error = HANDED_TO_A_PERSON[route.channel], ""
    return MessageNotice(
        message_id=message_id,
        kind=request.kind,
        channel=route.channel,
        to_address=route.address[:255],
        subject=subject,
        body=body,
        state=state,
        error=error,
        at=now,
        by=request.by[:64],
        form_key=request.form_key,
    )


def _deliver(
    engine: Engine,
    mailer: Mailer,
    claimed: _Claimed,
    letters: Iterable[tuple[MessageNotice, str]],
    now: datetime,
) -> Sending:
    """Hands the e-mails among ``letters`` (rows at SENDING, with their survey links) to the
    outgoing server, one by one, recording each outcome; then moves the message on."""
    outcomes: dict[int, tuple[NoticeState, str]] = {}
    for notice, link in letters:
        if notice.state is not NoticeState.SENDING or notice.id is None:
            continue
        text = with_survey_link(notice.body, link) if link else notice.body
        try:
            mailer(notice.to_address, notice.subject, text)
        except NotSentError as exc:
            outcomes[notice.id] = (NoticeState.FAILED, str(exc)[:ERROR_MAX] or NOT_SENT_YET)
        else:
            outcomes[notice.id] = (NoticeState.SENT, "")
    with session_scope(engine) as session:
        for notice_id, (state, error) in outcomes.items():
            session.execute(
                update(MessageNotice)
                .where(col(MessageNotice.id) == notice_id)
                .values(state=state, error=error)
                .execution_options(synchronize_session=False)
            )
        if any(state is NoticeState.SENT for state, _ in outcomes.values()):
            _advance(session, claimed.message_id, claimed.kind, now)
        ids = [notice.id for notice in claimed.notices]
        stored = session.exec(
            select(MessageNotice)
            .where(col(MessageNotice.id).in_(ids))
            .order_by(col(MessageNotice.id))
        ).all()
    return Sending(claimed.number, claimed.kind, tuple(stored))


def _advance(session: Session, message_id: int, kind: NoticeKind, now: datetime) -> None:
    """The message's state after a notice of ``kind`` went out, unless it moved on already."""
    after = STATUS_AFTER[kind]
    values: dict[str, object] = {"status": after}
    if after not in OPEN_STATES:
        values["closed_at"] = now
    session.execute(
        update(WrittenMessage)
        .where(
            col(WrittenMessage.id) == message_id,
            col(WrittenMessage.status).in_(_MOVES_FROM[kind]),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _busy(session: Session, message: WrittenMessage, now: datetime) -> str:
    """A letter of this message still at the outgoing server: another sending is under way."""
    at_server = session.exec(
        select(MessageNotice.id).where(
            col(MessageNotice.message_id) == message.id,
            col(MessageNotice.state) == NoticeState.SENDING,
            col(MessageNotice.at) > now - STUCK_AFTER,
        )
    ).first()
    if at_server is None:
        return ""
    return (
        "По этому обращению сейчас отправляется другое уведомление: дождитесь, пока оно "
        "уйдёт, и откройте обращение заново."
    )


def _locked_message(session: Session, number: str) -> WrittenMessage | None:
    """The message, its row locked until the transaction ends (PostgreSQL: the row; SQLite:
    the database's write lock): sendings for one message are set up one at a time."""
    session.execute(
        update(WrittenMessage)
        .where(col(WrittenMessage.number) == number)
        .values(status=WrittenMessage.status)
        .execution_options(synchronize_session=False)
    )
    return find_message(session, number)


def find_message(session: Session, number: str) -> WrittenMessage | None:
    return session.exec(select(WrittenMessage).where(col(WrittenMessage.number) == number)).first()
