"""Every state, kind and way in of a written message has its Russian words: the pages, the
client's history and the CLI look them up and would fail on a value without one."""

from __future__ import annotations

from enum import StrEnum

import pytest

from models.message_labels import (
    ABUSE_RU,
    INTAKE_RU,
    NOTICE_KIND_RU,
    NOTICE_STATE_RU,
    STATUS_RU,
)
from models.tables import AbuseCheck, MessageIntake, MessageStatus, NoticeKind, NoticeState


@pytest.mark.parametrize(
    ("values", "labels"),
    [
        (MessageIntake, INTAKE_RU),
        (MessageStatus, STATUS_RU),
        (AbuseCheck, ABUSE_RU),
        (NoticeKind, NOTICE_KIND_RU),
        (NoticeState, NOTICE_STATE_RU),
    ],
)
def test_every_value_has_its_words(values: type[StrEnum], labels: dict[StrEnum, str]) -> None:
    assert set(labels) == set(values)
    assert all(label.strip() for label in labels.values())
