"""The Russian words for a written message's intake, state, abuse check and notices, shared by
the CLI, the console and the client's history."""

from __future__ import annotations

from typing import Final

from models.tables import AbuseCheck, MessageIntake, MessageStatus, NoticeKind, NoticeState

INTAKE_RU: Final[dict[MessageIntake, str]] = {
    MessageIntake.PAPER: "бумага",
    MessageIntake.PHONE: "телефон",
    MessageIntake.WEB: "сайт",
    MessageIntake.EMAIL: "почта",
}
STATUS_RU: Final[dict[MessageStatus, str]] = {
    MessageStatus.REGISTERED: "зарегистрировано",
    MessageStatus.ACKNOWLEDGED: "первичный ответ дан",
    MessageStatus.REDIRECTED: "перенаправлено",
    MessageStatus.ANSWERED: "дан ответ",
    MessageStatus.REFUSED: "отказ",
    MessageStatus.ABUSIVE: "оскорбительное",
}
ABUSE_RU: Final[dict[AbuseCheck, str]] = {
    AbuseCheck.CLEAN: "не найдено",
    AbuseCheck.SUSPECTED: "подозрение на оскорбления",
    AbuseCheck.CONFIRMED: "оскорбления подтверждены",
    AbuseCheck.DISMISSED: "подозрение снято",
}
NOTICE_KIND_RU: Final[dict[NoticeKind, str]] = {
    NoticeKind.PRIMARY: "первичный ответ",
    NoticeKind.ABUSE: "уведомление о недопустимости оскорблений",
    NoticeKind.REDIRECT: "уведомление о перенаправлении",
    NoticeKind.REFUSAL: "отказ",
    NoticeKind.ANSWER: "ответ по существу",
}
NOTICE_STATE_RU: Final[dict[NoticeState, str]] = {
    NoticeState.SENT: "отправлено",
    NoticeState.FAILED: "не отправлено",
    NoticeState.SENDING: "передаётся почтовому серверу",
    NoticeState.TO_PRINT: "передано для отправки почтой",
    NoticeState.TO_CALL: "передано сотруднику, чтобы сообщить по телефону",
    NoticeState.TO_DELIVER: "передано сотруднику для отправки",
}
