"""Which notices a written message may get now (W5–W7, W10–W12). Pure.

* the primary answer (W6) while nothing has been sent yet;
* the notice that abusive conduct is unacceptable (W5) once a person confirmed the abuse, until
  it went out;
* a redirection (W7), a refusal (W10) or the substantive answer while the message is open.

A message suspected of abuse waits for a person's verdict before anything else is sent, and a
confirmed one is not answered on the merits (W5).
"""

from __future__ import annotations

from typing import Final

from models.tables import AbuseCheck, MessageStatus, NoticeKind

_OPEN: Final = frozenset({MessageStatus.REGISTERED, MessageStatus.ACKNOWLEDGED})
_WAITING_OR_ABUSIVE: Final = frozenset({AbuseCheck.SUSPECTED, AbuseCheck.CONFIRMED})
_CLOSING: Final = frozenset({NoticeKind.REDIRECT, NoticeKind.REFUSAL, NoticeKind.ANSWER})


def allowed_notices(status: MessageStatus, abuse: AbuseCheck) -> frozenset[NoticeKind]:
    allowed: set[NoticeKind] = set()
    if abuse is AbuseCheck.CONFIRMED and status is not MessageStatus.ABUSIVE:
        allowed.add(NoticeKind.ABUSE)  # W5
    if abuse not in _WAITING_OR_ABUSIVE:
        if status is MessageStatus.REGISTERED:
            allowed.add(NoticeKind.PRIMARY)  # W6
        if status in _OPEN:
            allowed |= _CLOSING  # W7, W10, W11
    return frozenset(allowed)
