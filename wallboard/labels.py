"""The words the wallboard shows for the live picture of the queue (``ami.live_state``): each
operator's state and each waiting caller's topic from the voice menu (C1). The page's script
draws the live picture and gets them from here (``board_labels``), so they are written once."""

from __future__ import annotations

from typing import Any

from ami.live_state import OperatorActivity
from models.topics import TOPIC_LABELS_RU

ACTIVITY_LABELS_RU: dict[OperatorActivity, str] = {
    OperatorActivity.READY: "Готов(а)",
    OperatorActivity.PAUSED: "Пауза",
    OperatorActivity.RINGING: "Звонит телефон",
    OperatorActivity.ON_CALL: "Разговор",
    OperatorActivity.WRAP_UP: "Завершение звонка",
    OperatorActivity.UNAVAILABLE: "Телефон недоступен",
}
NO_TOPIC_RU = "тема не выбрана"


def board_labels() -> dict[str, Any]:
    """For the page's script: ``activities`` and ``topics`` by their values in the live
    picture, and what a caller without a topic is shown with."""
    return {
        "activities": {activity.value: label for activity, label in ACTIVITY_LABELS_RU.items()},
        "topics": {topic.value: label for topic, label in TOPIC_LABELS_RU.items()},
        "no_topic": NO_TOPIC_RU,
    }
