"""What may be done with a written message now, by its state and the abuse check (W5–W12).

* :func:`allowed_notices` — which notices may be sent: the primary answer (W6) while nothing
  went out; the abuse notice (W5) once a person confirmed the abuse and until it went out; a
  redirection (W7), a refusal (W10) or the substantive answer while the message is open. While
  abuse is suspected or confirmed nothing on the merits goes out: a person decides first.
* :func:`handling_open` — whether urgency, the abuse verdict and the owner may still change:
  while the message is open (nothing final went out).
"""

from __future__ import annotations

from models.rules.message_states import (
    ABUSE_HELD,
    OPEN_STATES,
    AbuseCheck,
    MessageStatus,
    NoticeKind,
)

_ON_THE_MERITS = frozenset({NoticeKind.REDIRECT, NoticeKind.REFUSAL, NoticeKind.ANSWER})


def allowed_notices(status: MessageStatus, abuse: AbuseCheck) -> frozenset[NoticeKind]:
    allowed: set[NoticeKind] = set()
    if abuse is AbuseCheck.CONFIRMED and status is not MessageStatus.ABUSIVE:
        allowed.add(NoticeKind.ABUSE)
    if abuse not in ABUSE_HELD:
        if status is MessageStatus.REGISTERED:
            allowed.add(NoticeKind.PRIMARY)
        if status in OPEN_STATES:
            allowed |= _ON_THE_MERITS
    return frozenset(allowed)


def handling_open(status: MessageStatus) -> bool:
    return status in OPEN_STATES
