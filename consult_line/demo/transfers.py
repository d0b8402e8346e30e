"""Transfers during an answered call (C9–C10): every attempt asks ``may_transfer``; the
refused third one ends in a callback task instead."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from consult_line.demo.callbacks import CallbackPlanner
from consult_line.demo.context import SeedContext
from consult_line.demo.plans import CallPlan
from models.rules.transfers import TransferOutcome, TransferRecord, may_transfer
from models.tables import CallbackSource, CallTransfer, Employee, TransferKind


def plan_transfers(
    plan: CallPlan, attempts: int, context: SeedContext, callbacks: CallbackPlanner
) -> datetime:
    """C9–C10: each attempt asks the rule; the refused third one ends in a callback.

    Returns the moment of the last attempt (the answer itself when there is none).
    """
    assert plan.call.answered_at is not None
    moment = plan.call.answered_at
    history: list[TransferRecord] = []
    for _ in range(attempts):
        moment += timedelta(seconds=context.rng.uniform(60, 240))
        holder = plan.holders[-1]
        target = _target(holder, context)
        allowed = may_transfer(history).allowed
        outcome = TransferOutcome.COMPLETED if allowed else TransferOutcome.REFUSED
        record = TransferRecord(moment, outcome)
        history.append(record)
        plan.transfers.append((record, holder, target))
        if allowed:
            plan.holders.append(target)
        elif plan.client is not None:
            plan.task = callbacks.task(
                CallbackSource.TRANSFER_CAP,
                moment,
                plan.client,
                plan.call.topic,
                holder,
                windows=True,
            )
    return moment


def _target(holder: Employee, context: SeedContext) -> Employee:
    staff = context.staff
    candidates = [e for e in staff.experts or staff.operators if e is not holder]
    return context.rng.choice(candidates or [holder])


def transfer_row(
    call_id: int,
    seq: int,
    record: TransferRecord,
    source: Employee,
    target: Employee,
    rng: random.Random,
) -> CallTransfer:
    return CallTransfer(
        call_id=call_id,
        seq=seq,
        kind=rng.choice(list(TransferKind)),
        outcome=record.outcome,
        from_employee_id=source.id,
        to_employee_id=target.id,
        to_extension=target.internal_number,
        at=record.at,
    )
