"""A written message's notices as the console shows them (W5–W7, W10–W12, G1–G2): every row
with its channel, address and state, what a person still has to do for it, the notices that
may be sent now, and the letter as it is printed for the post.

Nothing is called sent that was not: an e-mail is «отправлено» only when the outgoing server
took it; a letter for the post, a call, an SMS or the portal are tasks for a person. When the
outgoing server is not configured, every page about notices says so at the top.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Final
from urllib.parse import urlencode

from sqlmodel import Session

from agent_console.message_list import message_href
from client_history.labels import CHANNEL_LABELS_RU
from models.message_labels import STATUS_RU
from models.message_notices import HANDED_TO_A_PERSON, message_notices, resendable
from models.notice_plan import message_routes
from models.notice_templates import KIND_TITLES_RU, SURVEY_KINDS, SURVEY_MARK, client_name
from models.rules.message_actions import allowed_notices
from models.settings import Settings
from models.survey_links import issue_survey_link
from models.tables import Channel, Client, MessageNotice, NoticeState, WrittenMessage
from models.text_slots import russian_date

SMTP_MISSING: Final = (
    "Исходящая почта не настроена (CONSULT_LINE_SMTP_HOST пуст): письма по электронной почте "
    "не отправляются, они остаются неотправленными. Сообщите администратору; когда почта "
    "будет настроена, отправьте их повторно."
)
STATE_RU: Final[dict[NoticeState, str]] = {
    NoticeState.SENT: "отправлено",
    NoticeState.SENDING: "передаётся почтовому серверу",
    NoticeState.FAILED: "не отправлено",
    NoticeState.TO_PRINT: "распечатать и отправить почтой",
    NoticeState.TO_CALL: "позвонить клиенту и прочитать текст",
    NoticeState.TO_DELIVER: "отправить вручную",
}
_DELIVER_RU: Final[dict[Channel, str]] = {
    Channel.SMS: "отправить SMS вручную: шлюза SMS у линии нет",
    Channel.PORTAL: "разместить в личном кабинете клиента на портале Госуслуг вручную",
}
_STATE_CLASS: Final[dict[NoticeState, str]] = {
    NoticeState.SENT: "done",
    NoticeState.SENDING: "todo",
    NoticeState.FAILED: "failed",
    NoticeState.TO_PRINT: "todo",
    NoticeState.TO_CALL: "todo",
    NoticeState.TO_DELIVER: "todo",
}


@dataclass(frozen=True, slots=True)
class NoticeRow:
    id: int
    at: str
    kind: str
    channel: str
    address: str
    state: str
    state_class: str  # done, todo, failed
    error: str
    by: str
    print_href: str
    resend_action: str  # "" when it cannot be sent again
    fresh: bool  # part of the sending just made


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    label: str


@dataclass(frozen=True, slots=True)
class NoticesPage:
    number: str
    message_href: str
    state: str
    rows: list[NoticeRow]
    compose: list[Link]  # the notices that may be sent now
    smtp_missing: str  # the loud word, "" when mail is configured
    done: list[str]  # what the sending or resend just made did, in words
    error: str = ""


@dataclass(frozen=True, slots=True)
class PrintPage:
    line_title: str
    number: str
    received: str
    printed: str
    to_name: str
    to_address: str
    channel: str
    subject: str
    body: str
    link_made: bool  # a survey link was made for this print
    back_href: str


def notices_href(number: str) -> str:
    return f"{message_href(number)}/notices"


def compose_href(number: str, kind: str) -> str:
    return f"{notices_href(number)}/new?{urlencode({'kind': kind})}"


def state_label(notice: MessageNotice) -> str:
    if notice.state is NoticeState.TO_DELIVER:
        return _DELIVER_RU.get(notice.channel, STATE_RU[notice.state])
    return STATE_RU[notice.state]


def mail_missing(settings: Settings, channels: set[Channel]) -> str:
    """The loud word about outgoing mail, when e-mail is among ``channels`` and not set up."""
    if Channel.EMAIL in channels and not settings.smtp_host.strip():
        return SMTP_MISSING
    return ""


def notices_page(
    session: Session,
    settings: Settings,
    message: WrittenMessage,
    client: Client | None,
    *,
    now: datetime,
    sent_key: str = "",
    resent_id: int | None = None,
    error: str = "",
) -> NoticesPage:
    assert message.id is not None
    notices = message_notices(session, message.id)
    rows = [_row(message.number, n, now, settings.tz, sent_key, resent_id) for n in notices]
    channels = {route.channel for route in message_routes(message, client)}
    channels |= {n.channel for n in notices if n.state is not NoticeState.SENT}
    allowed = allowed_notices(message.status, message.abuse)
    return NoticesPage(
        number=message.number,
        message_href=message_href(message.number),
        state=STATUS_RU[message.status],
        rows=rows,
        compose=[
            Link(compose_href(message.number, kind.value), title)
            for kind, title in KIND_TITLES_RU.items()
            if kind in allowed
        ],
        smtp_missing=mail_missing(settings, channels),
        done=[_done(n) for n in notices if _is_fresh(n, sent_key, resent_id)],
        error=error,
    )


def print_page(
    session: Session,
    settings: Settings,
    message: WrittenMessage,
    client: Client | None,
    notice: MessageNotice,
    now: datetime,
) -> PrintPage:
    """The letter as it is printed. A letter a person delivers (post, phone, SMS, portal)
    gets its survey link now (W12); a copy of an e-mail shows the mark where its link was."""
    body, link_made = notice.body, False
    delivered_by_hand = notice.state in HANDED_TO_A_PERSON.values()
    if notice.kind in SURVEY_KINDS and delivered_by_hand and SURVEY_MARK in body:
        assert message.id is not None
        body = body.replace(SURVEY_MARK, issue_survey_link(session, settings, message.id, now))
        link_made = True
    tz = settings.tz
    return PrintPage(
        line_title=settings.line_title,
        number=message.number,
        received=russian_date(message.received_at.astimezone(tz).date()),
        printed=russian_date(now.astimezone(tz).date()),
        to_name=client_name(message, client),
        to_address=notice.to_address,
        channel=CHANNEL_LABELS_RU[notice.channel],
        subject=notice.subject,
        body=body,
        link_made=link_made,
        back_href=notices_href(message.number),
    )


def _row(
    number: str,
    notice: MessageNotice,
    now: datetime,
    tz: tzinfo,
    sent_key: str,
    resent_id: int | None,
) -> NoticeRow:
    assert notice.id is not None
    href = f"{notices_href(number)}/{notice.id}"
    return NoticeRow(
        id=notice.id,
        at=f"{notice.at.astimezone(tz):%d.%m.%Y %H:%M}",
        kind=KIND_TITLES_RU[notice.kind],
        channel=CHANNEL_LABELS_RU[notice.channel],
        address=notice.to_address,
        state=state_label(notice),
        state_class=_STATE_CLASS[notice.state],
        error=notice.error,
        by=notice.by,
        print_href=f"{href}/print",
        resend_action=f"{href}/resend" if resendable(notice, now) else "",
        fresh=_is_fresh(notice, sent_key, resent_id),
    )


def _is_fresh(notice: MessageNotice, sent_key: str, resent_id: int | None) -> bool:
    return bool(sent_key and notice.form_key == sent_key) or notice.id == resent_id


def _done(notice: MessageNotice) -> str:
    """What happened to one channel of the sending just made, in words."""
    channel = CHANNEL_LABELS_RU[notice.channel]
    if notice.state is NoticeState.SENT:
        return f"{channel}: письмо отправлено на {notice.to_address}."
    if notice.state is NoticeState.FAILED:
        return f"{channel}: не отправлено — {notice.error}."
    if notice.state is NoticeState.SENDING:
        return f"{channel}: письмо передаётся почтовому серверу."
    where = f" ({notice.to_address})" if notice.to_address else ""
    return f"{channel}{where}: {state_label(notice)}."
