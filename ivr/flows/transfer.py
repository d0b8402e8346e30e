"""Routes ``transfer`` (args: linkedid, extension) and ``transfer-failed`` (args: linkedid,
dialstatus): the dialplan's transfer guard (C9, C10).

Every transfer, from the console or from a phone's keys, enters the dialplan's transfer
context and asks here first:

* allowed: ``TRANSFER_ALLOWED=1`` and ``TRANSFER_DEVICE`` (from the staff directory; the
  dialplan never hard-codes a device);
* a third transfer (C10): ``TRANSFER_ALLOWED=0``, ``LINE_ROUTE=hangup``; the caller hears
  that the question will be answered by a callback, and the request is taken (C11);
* an unknown or inactive employee: ``TRANSFER_ALLOWED=0``, ``LINE_ROUTE=queue``,
  ``LINE_QUEUE_PRIORITY=10``: back to the operators, ahead of everyone, never into silence.

An allowed transfer is recorded PENDING on the channel the guard runs on (the session's
``agi_uniqueid``): it holds one of the caller's two transfers until it is settled
(``models.rules.transfers``). When the employee's phone does not answer, ``transfer-failed``
releases it; the AMI bridge completes it when it sees the transfer happen and releases an
attended consultation that ended without handing the caller over (``ami.transfer_watch``).

An optional third argument names the leg the guard runs on (the dialplan's ``XFER_LEG``):
``caller`` (default; a blind transfer, the caller is listening) or ``consult`` (the
consultation leg of an attended transfer, the *operator* is listening). On the consult leg a
refused third transfer takes no callback request by keypad: the leg hangs up, the operator is
back with the caller and offers the callback from the console (C10, C11).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Final

from ivr.agi.channel import AgiChannel
from ivr.flows import callback_request
from ivr.flows.context import (
    FlowContext,
    RouteArgumentError,
    argument,
    call_language,
    extension_arg,
    linkedid_arg,
)
from ivr.flows.menus import play
from ivr.variables import (
    LINE_QUEUE_PRIORITY,
    LINE_ROUTE,
    ROUTE_HANGUP,
    ROUTE_QUEUE,
    TRANSFER_ALLOWED,
    TRANSFER_DEVICE,
)
from ivr.voice import CallVoice
from models.line_store import TransferCheckKind
from models.tables import CallbackSource

log = logging.getLogger(__name__)

PRIORITY_AFTER_FAILED_TRANSFER: Final = "10"
LEG_CALLER: Final = "caller"
LEG_CONSULT: Final = "consult"
# Dial()'s DIALSTATUS values (app_dial.c).
DIALSTATUSES: Final = frozenset(
    {
        "ANSWER",
        "BUSY",
        "NOANSWER",
        "CANCEL",
        "CONGESTION",
        "CHANUNAVAIL",
        "DONTCALL",
        "TORTURE",
        "INVALIDARGS",
    }
)


async def run(channel: AgiChannel, context: FlowContext) -> None:
    linkedid = linkedid_arg(channel, 0)
    extension = extension_arg(channel, 1)
    leg = channel.env.args[2] if len(channel.env.args) > 2 else LEG_CALLER
    if leg not in (LEG_CALLER, LEG_CONSULT):
        raise RouteArgumentError(f"bad transfer leg: {leg[:40]!r}")
    now = context.clock()
    cap = context.settings.max_transfers_per_call
    check = await context.blocking(
        partial(
            context.store.check_transfer,
            attended=leg == LEG_CONSULT,
            channel_id=channel.env.uniqueid or None,
        ),
        linkedid,
        extension,
        now,
        cap,
    )
    log.info("call %s: transfer to %s: %s", linkedid, extension, check.kind.value)
    if check.kind is TransferCheckKind.ALLOWED:
        assert check.device is not None
        await channel.set_variable(TRANSFER_DEVICE, check.device)
        await channel.set_variable(TRANSFER_ALLOWED, "1")
        return
    await channel.set_variable(TRANSFER_ALLOWED, "0")
    if check.kind is TransferCheckKind.UNKNOWN_EMPLOYEE:
        await channel.set_variable(LINE_QUEUE_PRIORITY, PRIORITY_AFTER_FAILED_TRANSFER)
        await channel.set_variable(LINE_ROUTE, ROUTE_QUEUE)
        return
    await channel.set_variable(LINE_ROUTE, ROUTE_HANGUP)
    if leg == LEG_CONSULT:
        return
    language = await call_language(channel)
    calendar = await context.blocking(context.store.calendar)
    await callback_request.run(
        channel,
        context,
        source=CallbackSource.TRANSFER_CAP,
        linkedid=linkedid,
        language=language,
        calendar=calendar,
        now=now,
        intro=[play("transfer-limit", language)],
        voice=CallVoice(context.voice),
    )


async def run_failed(channel: AgiChannel, context: FlowContext) -> None:
    linkedid = linkedid_arg(channel, 0)
    dialstatus = argument(channel, 1, "dialstatus")
    if dialstatus not in DIALSTATUSES:
        raise RouteArgumentError(f"bad dialstatus: {dialstatus[:40]!r}")
    if dialstatus == "ANSWER":
        log.warning("call %s: transfer-failed called for an answered transfer", linkedid)
        return
    await context.blocking(
        context.store.transfer_failed, linkedid, dialstatus, channel.env.uniqueid
    )
