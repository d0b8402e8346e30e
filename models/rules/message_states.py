"""The states of a written message and of what is sent for it (W5–W12), shared by the tables
(``models.tables.messages``) and the rules that decide on them."""

from __future__ import annotations

from enum import StrEnum


class MessageStatus(StrEnum):
    REGISTERED = "registered"  # nothing sent yet
    ACKNOWLEDGED = "acknowledged"  # W6: the primary answer went out
    REDIRECTED = "redirected"  # W7: sent on to the competent agency, the client told
    ANSWERED = "answered"  # the substantive answer went out (W12: with the survey link)
    REFUSED = "refused"  # W10: refused, the grounds in plain words
    ABUSIVE = "abusive"  # W5: not considered on the merits, the notice went out


class AbuseCheck(StrEnum):
    """W5: the lexicon's suspicion, and a person's verdict on it."""

    CLEAN = "clean"  # nothing found
    SUSPECTED = "suspected"  # found, waiting for a person
    CONFIRMED = "confirmed"  # a person agreed: the notice is due, no answer on the merits
    DISMISSED = "dismissed"  # a person disagreed: handled as any other message


class NoticeKind(StrEnum):
    PRIMARY = "primary"  # W6
    ABUSE = "abuse"  # W5
    REDIRECT = "redirect"  # W7
    REFUSAL = "refusal"  # W10
    ANSWER = "answer"  # the substantive answer (W12: survey link)


# The states in which the substantive answer is still owed: the message is being handled.
OPEN_STATES: frozenset[MessageStatus] = frozenset(
    {MessageStatus.REGISTERED, MessageStatus.ACKNOWLEDGED}
)
# A person's verdict or the lexicon's suspicion: no answer on the merits until it is dismissed.
ABUSE_HELD: frozenset[AbuseCheck] = frozenset({AbuseCheck.SUSPECTED, AbuseCheck.CONFIRMED})
