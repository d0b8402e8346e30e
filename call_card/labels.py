"""Russian labels for the values the card shows (the pages print these, never raw values)."""

from __future__ import annotations

# Beside their enums, shared with the reports; re-exported for the card's modules.
from models.rules.callbacks import CALLBACK_STATUS_LABELS_RU as CALLBACK_STATUS_LABELS_RU
from models.rules.missed import CallOutcome
from models.rules.survey import AnswerReceived, QualityRating
from models.rules.transfers import TransferOutcome
from models.tables import CallbackSource, Language
from models.tables.callbacks import ATTEMPT_RESULT_LABELS_RU as ATTEMPT_RESULT_LABELS_RU

CALL_OUTCOME_LABELS_RU: dict[CallOutcome, str] = {
    CallOutcome.ANSWERED: "Принят оператором",
    CallOutcome.MISSED: "Пропущен",
    CallOutcome.AFTER_HOURS: "В нерабочее время",
}
CALL_IN_PROGRESS_RU = "Идёт"

CALLBACK_SOURCE_LABELS_RU: dict[CallbackSource, str] = {
    CallbackSource.OPERATOR: "Оператор: ответ не мог быть дан сразу",
    CallbackSource.AFTER_HOURS: "Заявка в нерабочее время",
    CallbackSource.MISSED_CALL: "Пропущенный звонок",
    CallbackSource.TRANSFER_CAP: "Вместо третьего перевода",
}

TRANSFER_OUTCOME_LABELS_RU: dict[TransferOutcome, str] = {
    TransferOutcome.COMPLETED: "Состоялся",
    TransferOutcome.PENDING: "Выполняется",
    TransferOutcome.FAILED: "Не состоялся",
    TransferOutcome.REFUSED: "Отклонён: лимит переводов",
}

ANSWER_RECEIVED_LABELS_RU: dict[AnswerReceived, str] = {
    AnswerReceived.YES: "ответ получен",
    AnswerReceived.NO: "ответ не получен",
}

# The answer itself, as a table or a form shows it under the question.
YES_NO_LABELS_RU: dict[AnswerReceived, str] = {AnswerReceived.YES: "да", AnswerReceived.NO: "нет"}

QUALITY_LABELS_RU: dict[QualityRating, str] = {
    QualityRating.SATISFIED: "удовлетворен",
    QualityRating.PARTLY_SATISFIED: "частично удовлетворен",
    QualityRating.NOT_SATISFIED: "не удовлетворен",
}

LANGUAGE_LABELS_RU: dict[Language, str] = {
    Language.RU: "русский",
    Language.EN: "английский",
}
