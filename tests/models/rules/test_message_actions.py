"""Which notices may be sent for a written message now (W5–W12), by its state and the abuse
check: every combination, written out by hand from the rule."""

from __future__ import annotations

import pytest

from models.rules.message_actions import allowed_notices, handling_open
from models.rules.message_states import AbuseCheck, MessageStatus, NoticeKind

P, AB, RD, RF, AN = (
    NoticeKind.PRIMARY,
    NoticeKind.ABUSE,
    NoticeKind.REDIRECT,
    NoticeKind.REFUSAL,
    NoticeKind.ANSWER,
)
CLEAN, SUSPECTED, CONFIRMED, DISMISSED = (
    AbuseCheck.CLEAN,
    AbuseCheck.SUSPECTED,
    AbuseCheck.CONFIRMED,
    AbuseCheck.DISMISSED,
)
EXPECTED: dict[tuple[MessageStatus, AbuseCheck], set[NoticeKind]] = {
    (MessageStatus.REGISTERED, CLEAN): {P, RD, RF, AN},
    (MessageStatus.REGISTERED, DISMISSED): {P, RD, RF, AN},
    (MessageStatus.REGISTERED, SUSPECTED): set(),  # a person decides first
    (MessageStatus.REGISTERED, CONFIRMED): {AB},
    (MessageStatus.ACKNOWLEDGED, CLEAN): {RD, RF, AN},
    (MessageStatus.ACKNOWLEDGED, DISMISSED): {RD, RF, AN},
    (MessageStatus.ACKNOWLEDGED, SUSPECTED): set(),
    (MessageStatus.ACKNOWLEDGED, CONFIRMED): {AB},
    (MessageStatus.REDIRECTED, CLEAN): set(),
    (MessageStatus.REDIRECTED, DISMISSED): set(),
    (MessageStatus.REDIRECTED, SUSPECTED): set(),
    (MessageStatus.REDIRECTED, CONFIRMED): {AB},
    (MessageStatus.ANSWERED, CLEAN): set(),
    (MessageStatus.ANSWERED, DISMISSED): set(),
    (MessageStatus.ANSWERED, SUSPECTED): set(),
    (MessageStatus.ANSWERED, CONFIRMED): {AB},
    (MessageStatus.REFUSED, CLEAN): set(),
    (MessageStatus.REFUSED, DISMISSED): set(),
    (MessageStatus.REFUSED, SUSPECTED): set(),
    (MessageStatus.REFUSED, CONFIRMED): {AB},
    (MessageStatus.ABUSIVE, CLEAN): set(),
    (MessageStatus.ABUSIVE, DISMISSED): set(),
    (MessageStatus.ABUSIVE, SUSPECTED): set(),
    (MessageStatus.ABUSIVE, CONFIRMED): set(),  # the notice went out
}


def test_every_combination_is_listed() -> None:
    assert set(EXPECTED) == {(s, a) for s in MessageStatus for a in AbuseCheck}


@pytest.mark.parametrize(("status", "abuse"), list(EXPECTED))
def test_the_notices_allowed_now(status: MessageStatus, abuse: AbuseCheck) -> None:  # W5–W12
    assert allowed_notices(status, abuse) == frozenset(EXPECTED[(status, abuse)])


@pytest.mark.parametrize("status", list(MessageStatus))
def test_handling_stays_open_until_something_final_went_out(status: MessageStatus) -> None:
    expected = status in (MessageStatus.REGISTERED, MessageStatus.ACKNOWLEDGED)
    assert handling_open(status) is expected
