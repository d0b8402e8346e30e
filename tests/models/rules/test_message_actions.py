"""Which notices a written message may get now (W5–W7, W10–W12), for every state and verdict."""

from __future__ import annotations

import pytest

from models.rules.message_actions import allowed_notices
from models.tables import AbuseCheck, MessageStatus, NoticeKind

S, A, K = MessageStatus, AbuseCheck, NoticeKind
CLOSING = {K.REDIRECT, K.REFUSAL, K.ANSWER}


@pytest.mark.parametrize(
    ("status", "abuse", "expected"),
    [
        # W6: the primary answer while nothing went out; W7, W10, W11 the closing ones.
        (S.REGISTERED, A.CLEAN, {K.PRIMARY} | CLOSING),
        (S.REGISTERED, A.DISMISSED, {K.PRIMARY} | CLOSING),
        (S.ACKNOWLEDGED, A.CLEAN, CLOSING),
        (S.ACKNOWLEDGED, A.DISMISSED, CLOSING),
        # W5: suspected — a person decides first; confirmed — only the abuse notice.
        (S.REGISTERED, A.SUSPECTED, set()),
        (S.ACKNOWLEDGED, A.SUSPECTED, set()),
        (S.REGISTERED, A.CONFIRMED, {K.ABUSE}),
        (S.ACKNOWLEDGED, A.CONFIRMED, {K.ABUSE}),
        (S.ABUSIVE, A.CONFIRMED, set()),  # sent already
        # Closed messages get nothing more.
        (S.REDIRECTED, A.CLEAN, set()),
        (S.ANSWERED, A.CLEAN, set()),
        (S.REFUSED, A.DISMISSED, set()),
        (S.ABUSIVE, A.DISMISSED, set()),
    ],
)
def test_allowed_notices(status: MessageStatus, abuse: AbuseCheck, expected: set[NoticeKind]):
    assert allowed_notices(status, abuse) == frozenset(expected)


@pytest.mark.parametrize("status", list(MessageStatus))
@pytest.mark.parametrize("abuse", list(AbuseCheck))
def test_no_answer_on_the_merits_while_abuse_is_suspected_or_confirmed(  # W5
    status: MessageStatus, abuse: AbuseCheck
) -> None:
    allowed = allowed_notices(status, abuse)
    if abuse in (A.SUSPECTED, A.CONFIRMED):
        assert not allowed & ({K.PRIMARY} | CLOSING)
    if abuse is not A.CONFIRMED:
        assert K.ABUSE not in allowed
