"""Russian words for the values of a client's history that the call card has no words for."""

from __future__ import annotations

from models.tables import CallbackSource, Channel, HangupSide, SurveyChannel

CHANNEL_LABELS_RU: dict[Channel, str] = {
    Channel.PHONE: "телефон",
    Channel.EMAIL: "электронная почта",
    Channel.SMS: "SMS",
    Channel.POST: "почта",
    Channel.PORTAL: "Единый портал госуслуг",
}

# How a callback request came about, as the client is told (the console's words are the
# staff's: call_card.labels.CALLBACK_SOURCE_LABELS_RU).
CLIENT_SOURCE_LABELS_RU: dict[CallbackSource, str] = {
    CallbackSource.OPERATOR: "ответ не мог быть дан во время звонка",
    CallbackSource.AFTER_HOURS: "заказан в нерабочее время",
    CallbackSource.MISSED_CALL: "после пропущенного звонка",
    CallbackSource.TRANSFER_CAP: "вместо третьего перевода звонка",
}

IN_PROGRESS = "in_progress"  # the outcome of a call that has not ended

# The console's words for staff-only values.
HANGUP_SIDE_LABELS_RU: dict[HangupSide, str] = {
    HangupSide.CALLER: "звонящий",
    HangupSide.OPERATOR: "оператор",
    HangupSide.SYSTEM: "линия",
}

SURVEY_CHANNEL_LABELS_RU: dict[SurveyChannel, str] = {
    SurveyChannel.KEYPAD: "клавишами",
    SurveyChannel.SPEECH: "голосом",
}
