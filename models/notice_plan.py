"""What a notice about a written message will be, before it is sent: the channels it goes by
with the client's addresses (G1–G2), whether it may go now (W5–W7, W10), whether staff's text
is ready (no blank left), and whether the agency or the refusal's grounds were chosen.

The console's compose page shows these; ``models.message_notices`` checks them again when the
notice is sent.
"""

from __future__ import annotations

from typing import Final

from sqlmodel import Session

from models.kb_agencies import load_agency
from models.message_labels import STATUS_RU
from models.notice_templates import KIND_TITLES_RU, template_entry, unfilled
from models.rules.message_actions import allowed_notices
from models.rules.message_states import OPEN_STATES
from models.rules.notice_channels import Contacts, NoticeRoute, notice_routes
from models.tables import AbuseCheck, Client, MessageStatus, NoticeKind, WrittenMessage

BODY_MAX: Final = 20_000


def message_routes(message: WrittenMessage, client: Client | None) -> tuple[NoticeRoute, ...]:
    """G1–G2: the channels of a notice about ``message``, with the client's addresses."""
    contacts = Contacts(
        email=message.sender_email.strip() or (client.email or "" if client else "").strip(),
        phone=message.sender_phone.strip() or (client.phone_e164 or "" if client else ""),
        postal_address=message.sender_address.strip(),
    )
    return notice_routes(
        intake=message.intake,
        contacts=contacts,
        chosen=client.preferred_channel if client is not None else None,
        extra=client.extra_channel if client is not None else None,
    )


def why_not(kind: NoticeKind, status: MessageStatus, abuse: AbuseCheck) -> str:
    """Why a notice of ``kind`` may not be sent now, in Russian ("" when it may)."""
    if kind in allowed_notices(status, abuse):
        return ""
    title = KIND_TITLES_RU[kind]
    if kind is NoticeKind.ABUSE:
        if status is MessageStatus.ABUSIVE:
            return "Уведомление о недопустимости оскорблений по этому обращению уже отправлено."
        return (
            "Уведомление о недопустимости оскорблений отправляется только после того, как "
            "сотрудник подтвердил, что в обращении есть оскорбления, брань или угрозы."
        )
    if status not in OPEN_STATES:
        return f"Обращение закрыто (состояние «{STATUS_RU[status]}»): «{title}» не отправить."
    if abuse is AbuseCheck.SUSPECTED:
        return (
            "В обращении найдены возможные оскорбления: сначала сотрудник подтверждает или "
            "отклоняет подозрение, до этого уведомления по обращению не отправляются."
        )
    if abuse is AbuseCheck.CONFIRMED:
        return (
            "Обращение признано оскорбительным: по существу оно не рассматривается, отправить "
            "можно только уведомление о недопустимости такого поведения."
        )
    return "Первичный ответ по этому обращению уже отправлен."


def text_problem(kind: NoticeKind, body: str) -> str:
    """Why ``body`` is not ready to send, in Russian ("" when it is)."""
    if not body.strip():
        return "Текст уведомления пуст."
    if len(body) > BODY_MAX:
        return f"Текст уведомления — не длиннее {BODY_MAX} символов."
    left = unfilled(kind, body)
    if left:
        listed = ", ".join(f"«{blank}»" for blank in left)
        return f"В тексте остались незаполненные места: {listed}. Допишите их или уберите."
    return ""


def choice_problem(session: Session, kind: NoticeKind, *, agency_id: str, refusal_id: str) -> str:
    """W7: a redirection names an agency of the KB's directory; W10: a refusal's grounds are
    one of the KB's refusals. Why the choice is missing, in Russian ("" when it is made)."""
    if kind is NoticeKind.REDIRECT and load_agency(session, agency_id) is None:
        return "Выберите ведомство, в которое направлено обращение, из справочника ведомств."
    if kind is NoticeKind.REFUSAL and (
        not refusal_id or template_entry(session, kind, refusal_id) is None
    ):
        return "Выберите основание отказа из базы знаний."
    return ""
