"""The Russian words for a written message's intake and state, shared by the CLI and the console."""

from __future__ import annotations

from typing import Final

from models.tables import MessageIntake, MessageStatus

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
# The states in which the substantive answer is still owed (its deadline still counts).
OPEN_STATES: Final[frozenset[MessageStatus]] = frozenset(
    {MessageStatus.REGISTERED, MessageStatus.ACKNOWLEDGED}
)
