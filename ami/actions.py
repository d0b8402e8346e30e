"""The console's actions on Asterisk, over :class:`ami.connection.AmiConnection`.

Each returns a typed result; a refusal carries a Russian reason for the operator:

* queue login / logout / pause (``QueueAdd`` / ``QueueRemove`` / ``QueuePause`` on queue
  ``consult-line``): joining the queue and coming back from a pause are refused while the
  operator's training is missing or lapsed (C4); logout and pause never are;
* blind (``BlindTransfer``) and attended (``Atxfer``) transfer into ``consult-line-transfer``:
  refused once the call has had its two transfers (C10) — the dialplan guard checks again;
* click-to-call for a callback task (C11): ``Originate`` of the operator's device into
  ``consult-line-callback`` with ``CALLBACK_TASK_ID``; the operator's phone rings first, then
  the dialplan dials the client. The task is reserved for the Originate's ChannelId *before*
  it is sent (``models.operator_access.reserve_callback``): a second click, a second operator
  or a retry after an UNKNOWN outcome is refused, naming who is dialling and since when,
  until the first attempt has a result; the dialplan's ``callback-dialout`` route gives the
  number only to the channel holding the reservation.

Outcomes: DONE; REFUSED (a rule, bad input, or no link: nothing was sent); FAILED (Asterisk
said no); UNKNOWN (sent, no answer: the link dropped or timed out; Asterisk may or may not have
acted, and nothing is retried automatically — the operator checks before trying again).

The callback attempt (C11) is written once, when its result is known — ``AttemptResult``
has no "pending" value and a placeholder would be a false record — and ends the reservation:

* FAILED, by ``click_to_call``, when Asterisk refused the Originate or the operator's own
  phone did not answer (busy, no answer, unreachable): no client was dialled;
* otherwise the client is being dialled (or, after a lost link, maybe is). The result is the
  client leg's ``DialEnd`` on the channel whose Uniqueid is the returned ``channel_id``; the
  AMI bridge records it with ``models.operator_access.record_callback_attempt`` and
  :func:`attempt_result_for_dialstatus`. Until then the task has no row for that attempt.

Nothing sent (no link, bad input): the reservation is released at once. UNKNOWN: it is kept,
since the client may be ringing, and lapses after ``DIAL_RESERVATION_TTL`` (3 min, longer
than a whole attempt) if no result arrives.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import Final

from sqlalchemy.engine import Engine

from ami.connection import (
    ActionHeaders,
    AmiActionError,
    AmiConnection,
    AmiInvalidActionError,
    AmiNotConnectedError,
    AmiOutcomeUnknownError,
    OriginateOutcome,
)
from ivr.variables import CALLBACK_TASK_ID
from models.db import session_scope
from models.operator_access import (
    CallbackTarget,
    OperatorAccess,
    Reservation,
    record_callback_attempt,
    release_callback,
    reserve_callback,
)
from models.rules.callbacks import CallbackStatus
from models.rules.training import TRAINING_BLOCK_LABELS_RU, TrainingBlock, TrainingStatus
from models.rules.transfers import MAX_TRANSFERS_PER_CALL, TransferRecord, may_transfer
from models.tables import AttemptResult

QUEUE: Final = "consult-line"
TRANSFER_CONTEXT: Final = "consult-line-transfer"
CALLBACK_CONTEXT: Final = "consult-line-callback"
CALLBACK_EXTEN: Final = "s"
OPERATOR_RING_TIMEOUT_S: Final = 30.0  # click-to-call: how long the operator's phone rings
OUTCOME_MARGIN_S: Final = 10.0  # OriginateResponse comes right after the ring timeout
# consult-line-transfer has extensions _XX … _XXXXXX: anything else Asterisk refuses anyway.
_EXTENSION = re.compile(r"[0-9]{2,6}")

NO_DEVICE_RU: Final = "Для вас не указан телефон: обратитесь к администратору."
NO_LINK_RU: Final = "Нет связи с Asterisk: действие не выполнено. Повторите позже."
UNKNOWN_RU: Final = (
    "Asterisk не ответил: связь прервалась. Действие могло выполниться — "
    "проверьте результат, прежде чем повторять."
)


class ActionStatus(StrEnum):
    DONE = "done"
    REFUSED = "refused"  # nothing was sent to Asterisk
    FAILED = "failed"  # Asterisk answered with an error
    UNKNOWN = "unknown"  # sent, no answer: may or may not have happened


@dataclass(frozen=True, slots=True)
class ActionResult:
    status: ActionStatus
    reason: str = ""  # for the operator, in Russian; "" when done

    @property
    def ok(self) -> bool:
        return self.status is ActionStatus.DONE


@dataclass(frozen=True, slots=True)
class ClickToCallResult:
    """DONE: the operator's phone answered and the client is being dialled."""

    status: ActionStatus
    reason: str = ""
    channel_id: str | None = None  # the Originate's ChannelId, once one was sent
    attempt_id: int | None = None  # the CallbackAttempt written now (FAILED only)

    @property
    def ok(self) -> bool:
        return self.status is ActionStatus.DONE


# --------------------------------------------------------------------------- queue (C4)


async def queue_login(
    ami: AmiConnection, operator: OperatorAccess, *, paused: bool = False, pause_reason: str = ""
) -> ActionResult:
    """QueueAdd; refused while the operator may not take calls (C4)."""
    refusal = _device_refusal(operator) or training_refusal(operator.training)
    if refusal is not None:
        return refusal
    action: dict[str, str] = {
        "Action": "QueueAdd",
        "Queue": QUEUE,
        "Interface": operator.device,
        "MemberName": operator.full_name,
        "Paused": _flag(paused),
    }
    if paused and pause_reason:
        action["Reason"] = pause_reason
    return await run_action(ami, action, already_done="already there")


async def queue_logout(ami: AmiConnection, operator: OperatorAccess) -> ActionResult:
    refusal = _device_refusal(operator)
    if refusal is not None:
        return refusal
    action = {"Action": "QueueRemove", "Queue": QUEUE, "Interface": operator.device}
    return await run_action(ami, action, already_done="not there")


async def queue_pause(ami: AmiConnection, operator: OperatorAccess, *, reason: str) -> ActionResult:
    refusal = _device_refusal(operator)
    if refusal is not None:
        return refusal
    action = {
        "Action": "QueuePause",
        "Queue": QUEUE,
        "Interface": operator.device,
        "Paused": "true",
        "Reason": reason,
    }
    return await run_action(ami, action)


async def queue_unpause(ami: AmiConnection, operator: OperatorAccess) -> ActionResult:
    """Back to "ready": refused while the operator may not take calls (C4)."""
    refusal = _device_refusal(operator) or training_refusal(operator.training)
    if refusal is not None:
        return refusal
    action = {
        "Action": "QueuePause",
        "Queue": QUEUE,
        "Interface": operator.device,
        "Paused": "false",
    }
    return await run_action(ami, action)


def training_refusal(training: TrainingStatus) -> ActionResult | None:
    """C4: the block's label, and for a lapsed training the date it lapsed."""
    if training.may_take_calls:
        return None
    block = training.block
    label = TRAINING_BLOCK_LABELS_RU[block] if block is not None else "Обучение не пройдено"
    reason = f"Нельзя принимать звонки: {label[0].lower()}{label[1:]}"
    if block is TrainingBlock.EXPIRED and training.lapses_on is not None:
        reason += f" (обучение недействительно с {training.lapses_on:%d.%m.%Y})"
    return ActionResult(ActionStatus.REFUSED, reason + ". Обратитесь к руководителю.")


def _device_refusal(operator: OperatorAccess) -> ActionResult | None:
    if operator.device:
        return None
    return ActionResult(ActionStatus.REFUSED, NO_DEVICE_RU)


# --------------------------------------------------------------------------- transfers (C10)


async def blind_transfer(
    ami: AmiConnection,
    *,
    channel: str,
    extension: str,
    history: Sequence[TransferRecord],
    cap: int = MAX_TRANSFERS_PER_CALL,
) -> ActionResult:
    """BlindTransfer of the operator's ``channel`` to an internal number; ``history`` is the
    call's recorded transfers (all legs)."""
    refusal = _transfer_refusal(channel, extension, history, cap)
    if refusal is not None:
        return refusal
    action = {
        "Action": "BlindTransfer",
        "Channel": channel,
        "Context": TRANSFER_CONTEXT,
        "Exten": extension,
    }
    return await run_action(ami, action)


async def attended_transfer(
    ami: AmiConnection,
    *,
    channel: str,
    extension: str,
    history: Sequence[TransferRecord],
    cap: int = MAX_TRANSFERS_PER_CALL,
) -> ActionResult:
    """Atxfer: the operator consults the employee first; DONE means the consultation leg
    started (Asterisk answers "Atxfer successfully queued")."""
    refusal = _transfer_refusal(channel, extension, history, cap)
    if refusal is not None:
        return refusal
    action = {
        "Action": "Atxfer",
        "Channel": channel,
        "Context": TRANSFER_CONTEXT,
        "Exten": extension,
    }
    return await run_action(ami, action)


def _transfer_refusal(
    channel: str, extension: str, history: Sequence[TransferRecord], cap: int
) -> ActionResult | None:
    if not channel:
        return ActionResult(ActionStatus.REFUSED, "Нет активного звонка для перевода.")
    if not _EXTENSION.fullmatch(extension):
        return ActionResult(ActionStatus.REFUSED, "Внутренний номер сотрудника — от 2 до 6 цифр.")
    decision = may_transfer(history, cap)  # C10
    if not decision.allowed:
        return ActionResult(ActionStatus.REFUSED, decision.reason or "Перевод невозможен.")
    return None


# --------------------------------------------------------------------------- callbacks (C11)


async def click_to_call(
    ami: AmiConnection,
    *,
    engine: Engine,
    task_id: int,
    operator: OperatorAccess,
    now: datetime,
    ring_timeout_s: float = OPERATOR_RING_TIMEOUT_S,
    zone: tzinfo | None = None,
) -> ClickToCallResult:
    """Rings the operator's phone, then (dialplan) the task's client. Returns once the
    operator's phone answered or failed; see the module docstring for the reservation and the
    attempt record. ``zone``: for the time in a refusal (default: ``now``'s)."""
    if not operator.device:
        return ClickToCallResult(ActionStatus.REFUSED, NO_DEVICE_RU)
    channel_id = str(uuid.uuid4())
    reservation = await asyncio.to_thread(
        _reserve, engine, task_id, channel_id, operator.employee_id, now
    )
    if not reservation.reserved:
        return _callback_refusal(task_id, reservation.target, operator, zone or now.tzinfo)
    try:
        handle = await ami.originate(
            channel=operator.device,
            context=CALLBACK_CONTEXT,
            exten=CALLBACK_EXTEN,
            variables={CALLBACK_TASK_ID: str(task_id)},
            ring_timeout_ms=int(ring_timeout_s * 1000),
            channel_id=channel_id,
        )
    except (AmiNotConnectedError, AmiInvalidActionError) as exc:
        await asyncio.to_thread(_release, engine, task_id, channel_id)  # nothing was sent
        return ClickToCallResult(ActionStatus.REFUSED, _local_refusal(exc))
    except AmiActionError as exc:
        reason = f"Asterisk не начал звонок: {exc.message or 'ошибка'}."
        return await _failed_attempt(engine, task_id, operator, channel_id, now, reason)
    except AmiOutcomeUnknownError:
        return ClickToCallResult(ActionStatus.UNKNOWN, UNKNOWN_RU, channel_id)
    try:
        async with asyncio.timeout(ring_timeout_s + OUTCOME_MARGIN_S):
            outcome = await handle.outcome
    except (AmiOutcomeUnknownError, TimeoutError):
        return ClickToCallResult(ActionStatus.UNKNOWN, UNKNOWN_RU, channel_id)
    if not outcome.success:
        reason = _operator_leg_reason(outcome)
        return await _failed_attempt(engine, task_id, operator, channel_id, now, reason)
    return ClickToCallResult(ActionStatus.DONE, "", channel_id)


def attempt_result_for_dialstatus(dialstatus: str) -> AttemptResult:
    """The client leg's DIALSTATUS (DialEnd) as the attempt's result, for the AMI bridge."""
    match dialstatus.upper():
        case "ANSWER":
            return AttemptResult.ANSWERED
        case "NOANSWER" | "CANCEL":  # CANCEL: the operator gave up while it rang
            return AttemptResult.NO_ANSWER
        case "BUSY":
            return AttemptResult.BUSY
        case _:  # CONGESTION, CHANUNAVAIL, DONTCALL, ...
            return AttemptResult.FAILED


_CLOSED_TASK_RU: dict[CallbackStatus, str] = {
    CallbackStatus.DONE: "выполнена",
    CallbackStatus.FAILED: "закрыта без результата",
    CallbackStatus.CANCELLED: "отменена",
}

# OriginateResponse Reason for the operator's own phone (AST_CONTROL_* codes).
_OPERATOR_LEG_RU: dict[int, str] = {
    0: "ваш телефон недоступен",
    1: "вызов на ваш телефон сброшен",
    3: "ваш телефон не ответил",
    5: "ваш телефон занят",
    8: "сеть перегружена",
}


def _callback_refusal(
    task_id: int, target: CallbackTarget | None, operator: OperatorAccess, zone: tzinfo | None
) -> ClickToCallResult:
    if target is None:
        return ClickToCallResult(
            ActionStatus.REFUSED, f"Задача на обратный звонок № {task_id} не найдена."
        )
    if not target.active:  # C11: only an open or in-progress task is called back
        state = _CLOSED_TASK_RU.get(target.status, target.status.value)
        return ClickToCallResult(
            ActionStatus.REFUSED, f"Задача № {task_id} {state}: звонить по ней не нужно."
        )
    dialling = target.dialling
    if dialling is None:  # lapsed or released between the UPDATE and the read: try again
        return ClickToCallResult(
            ActionStatus.REFUSED, f"Задача № {task_id} только что изменилась: повторите звонок."
        )
    since = dialling.since.astimezone(zone).strftime("%H:%M:%S")
    if dialling.employee_id == operator.employee_id:
        who = "Вы уже звоните"
    else:
        who = f"Уже звонит {dialling.employee_name or 'другой сотрудник'}"
    return ClickToCallResult(
        ActionStatus.REFUSED,
        f"{who} клиенту по задаче № {task_id} (с {since}). "
        "Второй звонок не начат: дождитесь результата первого.",
    )


def _operator_leg_reason(outcome: OriginateOutcome) -> str:
    text = _OPERATOR_LEG_RU.get(outcome.reason or 0, "вызов не состоялся")
    return f"Звонок клиенту не начат: {text}."


async def _failed_attempt(
    engine: Engine,
    task_id: int,
    operator: OperatorAccess,
    channel_id: str,
    at: datetime,
    reason: str,
) -> ClickToCallResult:
    attempt_id = await asyncio.to_thread(
        _record_failed, engine, task_id, operator.employee_id, channel_id, at
    )
    return ClickToCallResult(ActionStatus.FAILED, reason, channel_id, attempt_id)


def _reserve(
    engine: Engine, task_id: int, channel_id: str, employee_id: int, now: datetime
) -> Reservation:
    with session_scope(engine) as session:
        return reserve_callback(
            session, task_id=task_id, channel_id=channel_id, employee_id=employee_id, now=now
        )


def _release(engine: Engine, task_id: int, channel_id: str) -> None:
    with session_scope(engine) as session:
        release_callback(session, task_id=task_id, channel_id=channel_id)


def _record_failed(
    engine: Engine, task_id: int, employee_id: int, channel_id: str, at: datetime
) -> int:
    with session_scope(engine) as session:
        return record_callback_attempt(
            session,
            task_id=task_id,
            employee_id=employee_id,
            channel_id=channel_id,
            result=AttemptResult.FAILED,
            at=at,
        )


# --------------------------------------------------------------------------- sending

# Asterisk's error messages (manager.c, app_queue.c) as the operator should read them.
_ASTERISK_RU: tuple[tuple[str, str], ...] = (
    ("no such channel", "Звонок уже завершён."),
    ("channel specified does not exist", "Звонок уже завершён."),
    ("interface not found", "Вы не в очереди: сначала войдите в очередь."),
    ("no such queue", f"Очередь {QUEUE} не настроена в Asterisk: сообщите администратору."),
    ("not permitted", "Asterisk не разрешил перевод."),
    ("transfer failed", "Перевод не удался."),
)


async def run_action(
    ami: AmiConnection, action: ActionHeaders, *, already_done: str = ""
) -> ActionResult:
    try:
        await ami.send(action)
    except (AmiNotConnectedError, AmiInvalidActionError) as exc:
        return ActionResult(ActionStatus.REFUSED, _local_refusal(exc))
    except AmiActionError as exc:
        if already_done and already_done in exc.message.lower():
            return ActionResult(ActionStatus.DONE)  # the state asked for is already there
        return ActionResult(ActionStatus.FAILED, _asterisk_reason(exc.message))
    except AmiOutcomeUnknownError:
        return ActionResult(ActionStatus.UNKNOWN, UNKNOWN_RU)
    return ActionResult(ActionStatus.DONE)


def _asterisk_reason(message: str) -> str:
    lowered = message.lower()
    for fragment, text in _ASTERISK_RU:
        if fragment in lowered:
            return text
    return f"Asterisk отказал: {message or 'без пояснений'}."


def _local_refusal(exc: Exception) -> str:
    if isinstance(exc, AmiNotConnectedError):
        return NO_LINK_RU
    return (
        "Недопустимые данные для Asterisk (перевод строки в значении): обратитесь к администратору."
    )


def _flag(value: bool) -> str:
    return "true" if value else "false"
