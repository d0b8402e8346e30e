"""Sending information mailings (M1–M4) from ``serve``'s scheduler and from
``consult-line mailings send``: one letter at a time (``models.mailing_send``), at the pace of
``CONSULT_LINE_MAILING_PER_MINUTE``.

A mailing cannot start, and its letters do not go, while the outgoing server is not set
(``CONSULT_LINE_SMTP_HOST``) or the public address is not (``CONSULT_LINE_PUBLIC_URL``: the
unsubscribe link would lead nowhere a recipient can reach): ``models.mailings.mailing_problem``
says which.
A failure to hand a letter over is recorded on its delivery with the reason and tried again
within the limits of ``models.rules.mailing_delivery``; a refused address fails at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from consult_line.wiring import Services
from mail.mailing_letters import mailing_letter
from mail.sender import MailSendError, refused_for_good, send_mail
from models.db import session_scope
from models.mailing_send import Claimed, claim_next, record_failure, record_sent, recover_stale
from models.rules.mailing_delivery import DeliveryState, pause_between


class Step(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # failed, tried again later
    FAILED = "failed"  # failed for good
    SKIPPED = "skipped"  # M2: consent withdrawn (or the delivery taken by another process)
    IDLE = "idle"  # nothing due


@dataclass(frozen=True, slots=True)
class StepResult:
    step: Step
    to: str = ""
    reason: str = ""


def send_one(services: Services, *, mailing_id: int | None = None) -> StepResult:
    """Hands over the next due letter (of ``mailing_id`` only, if given) and records how it
    went."""
    settings = services.settings
    with session_scope(services.engine) as session:
        now = services.clock()
        recover_stale(session, now)
        claimed = claim_next(session, settings.public_base, now, mailing_id=mailing_id)
    if claimed is None:
        return StepResult(Step.IDLE)
    if isinstance(claimed, bool):
        return StepResult(Step.SKIPPED)
    return _hand_over(services, claimed)


def _hand_over(services: Services, claimed: Claimed) -> StepResult:
    letter = mailing_letter(claimed.subject, claimed.body, claimed.unsubscribe_link)
    try:
        send_mail(
            services.settings, claimed.to, letter.subject, letter.text, headers=letter.headers
        )
    except (MailSendError, ValueError) as exc:
        with session_scope(services.engine) as session:
            state = record_failure(
                session, claimed, str(exc), permanent=refused_for_good(exc), now=services.clock()
            )
        step = Step.RETRY if state is DeliveryState.QUEUED else Step.FAILED
        return StepResult(step, claimed.to, str(exc))
    with session_scope(services.engine) as session:
        record_sent(session, claimed, services.clock())
    return StepResult(Step.SENT, claimed.to)


async def send_a_minute(services: Services) -> list[StepResult]:
    """The scheduler's run (every minute): up to ``mailing_per_minute`` letters, evenly
    spaced; stops early when nothing is due. Cancelled at shutdown between two letters."""
    per_minute = services.settings.mailing_per_minute
    pause = pause_between(per_minute).total_seconds()
    done: list[StepResult] = []
    handed = 0
    while handed < per_minute:
        result = await asyncio.to_thread(send_one, services)
        if result.step is Step.IDLE:
            break
        done.append(result)
        if result.step is not Step.SKIPPED:
            handed += 1
            if handed < per_minute:
                await asyncio.sleep(pause)
    return done


def send_mailing(
    services: Services,
    mailing_id: int,
    *,
    sleep: Callable[[float], None],
    report: Callable[[StepResult], None],
) -> None:
    """``consult-line mailings send``: the mailing's due letters at the configured pace,
    until none is due (letters waiting for a retry stay for later)."""
    pause = pause_between(services.settings.mailing_per_minute).total_seconds()
    while True:
        result = send_one(services, mailing_id=mailing_id)
        if result.step is Step.IDLE:
            return
        report(result)
        if result.step is not Step.SKIPPED:
            sleep(pause)
