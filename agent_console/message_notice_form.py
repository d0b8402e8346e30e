"""The console's form for a notice about a written message (W5–W7, W10–W12, G1–G2): the text
prefilled from the knowledge base for staff to read and edit, the channels and addresses it
will go to, the agency of a redirection and the grounds of a refusal to choose.

The form carries a one-time key made when it is opened (``models.message_notices``: the same
form sent twice sends once). The subject is shown, not edited: it is ours alone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import tzinfo
from typing import Final

from sqlmodel import Session

from agent_console.message_list import message_href
from agent_console.message_notice_page import mail_missing, notices_href
from client_history.labels import CHANNEL_LABELS_RU
from models.kb_agencies import agency_directory, load_agency
from models.notice_plan import message_routes
from models.notice_templates import (
    KIND_TITLES_RU,
    SURVEY_KINDS,
    SURVEY_MARK,
    notice_subject,
    notice_text,
    refusal_templates,
    template_entry,
)
from models.rules.notice_channels import Why
from models.settings import Settings
from models.tables import Client, NoticeKind, WrittenMessage

KEY_BYTES: Final = 24
WHY_RU: Final[dict[Why, str]] = {
    Why.CHOSEN: "выбран клиентом",
    Why.LAW: "так пришло обращение — ответ обязателен этим путём",
    Why.EXTRA: "дополнительный канал клиента",
}
_NO_ADDRESS_RU: Final = "адреса нет — по этому каналу уведомление не уйдёт"
_PORTAL_ADDRESS_RU: Final = "личный кабинет клиента на портале"


@dataclass(frozen=True, slots=True)
class ComposeForm:
    """What staff typed and chose."""

    kind: NoticeKind
    body: str
    form_key: str
    refusal_id: str = ""
    agency_id: str = ""


@dataclass(frozen=True, slots=True)
class RouteLine:
    channel: str
    address: str
    why: str
    missing: bool


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str
    chosen: bool


@dataclass(frozen=True, slots=True)
class ComposePage:
    number: str
    message_href: str
    notices_href: str
    action: str
    kind: str
    kind_title: str
    subject: str
    routes: list[RouteLine]
    smtp_missing: str
    refusals: list[Option]  # only for a refusal
    agencies: list[Option]  # only for a redirection
    unconfirmed_contacts: bool  # the agency's contacts are still «[уточнить: …]»
    template_missing: str  # the KB has no template for this notice
    survey: bool  # the text carries the survey link
    survey_mark: str
    form: ComposeForm
    error: str = ""


def new_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def prefilled(
    session: Session,
    message: WrittenMessage,
    client: Client | None,
    kind: NoticeKind,
    *,
    refusal_id: str,
    agency_id: str,
    tz: tzinfo,
) -> ComposeForm:
    """The form as it opens: the text from the KB's template, slots filled."""
    entry = template_entry(session, kind, refusal_id)
    text = notice_text(
        kind=kind,
        entry=entry,
        message=message,
        client=client,
        routes=message_routes(message, client),
        agency=load_agency(session, agency_id) if agency_id else None,
        tz=tz,
    )
    return ComposeForm(kind, text.body, new_key(), refusal_id, agency_id)


def compose_page(
    session: Session,
    settings: Settings,
    message: WrittenMessage,
    client: Client | None,
    form: ComposeForm,
    error: str = "",
) -> ComposePage:
    routes = message_routes(message, client)
    kind = form.kind
    agency = load_agency(session, form.agency_id) if form.agency_id else None
    missing = ""
    if template_entry(session, kind, form.refusal_id) is None:
        missing = (
            "Выберите основание отказа: текст подставится из базы знаний."
            if kind is NoticeKind.REFUSAL
            else "В базе знаний нет шаблона этого уведомления (загрузите базу знаний: "
            "consult-line kb load): напишите текст сами."
        )
    return ComposePage(
        number=message.number,
        message_href=message_href(message.number),
        notices_href=notices_href(message.number),
        action=notices_href(message.number),
        kind=kind.value,
        kind_title=KIND_TITLES_RU[kind],
        subject=notice_subject(kind, message.number),
        routes=[
            RouteLine(
                channel=CHANNEL_LABELS_RU[route.channel],
                address=route.address or (_NO_ADDRESS_RU if route.missing else _PORTAL_ADDRESS_RU),
                why=", ".join(WHY_RU[why] for why in route.why),
                missing=route.missing,
            )
            for route in routes
        ],
        smtp_missing=mail_missing(settings, {route.channel for route in routes}),
        refusals=[
            Option(t.entry_id, t.title, t.entry_id == form.refusal_id)
            for t in refusal_templates(session, message.topic.value if message.topic else None)
        ]
        if kind is NoticeKind.REFUSAL
        else [],
        agencies=[
            Option(a.entry_id, a.title, a.entry_id == form.agency_id)
            for a in agency_directory(session, topic=message.topic)
        ]
        if kind is NoticeKind.REDIRECT
        else [],
        unconfirmed_contacts=agency is not None and agency.unconfirmed,
        template_missing=missing,
        survey=kind in SURVEY_KINDS,
        survey_mark=SURVEY_MARK,
        form=form,
        error=error,
    )


def with_new_key(form: ComposeForm) -> ComposeForm:
    """The form sent back to staff after a stale key: a fresh key, the text kept."""
    return replace(form, form_key=new_key())
