"""What happens to a call in working hours (C10, C13), what it is about, and how often."""

from __future__ import annotations

from enum import Enum, auto

from models.rules.missed import QueueExit
from models.topics import Topic


class Scenario(Enum):
    ANSWERED = auto()
    ANSWERED_ONE_TRANSFER = auto()
    ANSWERED_TWO_TRANSFERS = auto()
    THIRD_TRANSFER_REFUSED = auto()  # C10: the third attempt is refused by the rule
    HUNG_UP_IN_IVR = auto()
    HUNG_UP_AT_ONCE = auto()  # a short missed call
    HUNG_UP_IN_QUEUE = auto()
    QUEUE_TIMEOUT = auto()
    NO_OPERATORS = auto()
    LEFT_BY_KEY = auto()


IN_HOURS_WEIGHTS = {
    Scenario.ANSWERED: 58,
    Scenario.ANSWERED_ONE_TRANSFER: 12,
    Scenario.ANSWERED_TWO_TRANSFERS: 4,
    Scenario.THIRD_TRANSFER_REFUSED: 1,
    Scenario.HUNG_UP_IN_IVR: 5,
    Scenario.HUNG_UP_AT_ONCE: 3,
    Scenario.HUNG_UP_IN_QUEUE: 9,
    Scenario.QUEUE_TIMEOUT: 3,
    Scenario.NO_OPERATORS: 2,
    Scenario.LEFT_BY_KEY: 2,
}
TRANSFER_ATTEMPTS = {
    Scenario.ANSWERED_ONE_TRANSFER: 1,
    Scenario.ANSWERED_TWO_TRANSFERS: 2,
    Scenario.THIRD_TRANSFER_REFUSED: 3,
}
# The scenarios in which the caller never reaches an operator, and how they leave.
QUEUE_EXIT = {
    Scenario.HUNG_UP_IN_IVR: QueueExit.NOT_QUEUED,
    Scenario.HUNG_UP_AT_ONCE: QueueExit.NOT_QUEUED,
    Scenario.HUNG_UP_IN_QUEUE: QueueExit.ABANDONED,
    Scenario.QUEUE_TIMEOUT: QueueExit.TIMEOUT,
    Scenario.NO_OPERATORS: QueueExit.EMPTY,
    Scenario.LEFT_BY_KEY: QueueExit.KEY,
}
TOPIC_WEIGHTS = {
    Topic.STATE_SERVICES: 30,
    Topic.SUPPORT_MEASURES: 25,
    Topic.MESSAGES: 15,
    Topic.CONTROL_SUPERVISION: 10,
    Topic.HOURS_AND_VISITS: 10,
    Topic.GENERAL: 10,
}
