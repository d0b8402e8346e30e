"""Blind and attended transfers on the simulated PBX, as AMI BlindTransfer/Atxfer do them.

**Blind** (``BlindTransfer`` of the operator's channel): the BLINDTRANSFER variables and the
BlindTransfer event, then the caller leaves the conversation for ``context``/``exten`` (the
application that held the caller sends AgentComplete ``transfer`` and hangs the operator up).

**Attended** (``Atxfer``): the operator's channel is put on hold and placed in a new bridge
with a Local consultation channel ``Local/<exten>@<context>``, whose ``;2`` half runs the
dialplan there (the line's transfer guard, then Dial of the employee). The operator completes
with ``*2`` (PlayDTMF) or by hanging up: the consultation leg takes the operator's place in
the caller's bridge and AttendedTransfer (``DestType: Bridge``) is sent. ``*1``, or the
consultation leg ending first, gives the caller back to the operator. (Asterisk then
optimises the Local pair away; the simulation keeps it until the employee hangs up, which the
call log cannot tell apart.)
"""

from __future__ import annotations

import contextlib

from simulator import ami_events as ev
from simulator.channels import Bridge, Conversation, Leg, SimChannel
from simulator.clock import Notifier
from simulator.conversation import register
from simulator.devices import drop_leg
from simulator.pbx import CallerId
from simulator.switch import Switch

ATXFER = "*2"  # features.conf atxfer: what AMI Atxfer types before the number
COMPLETE = "*2"  # atxfercomplete
ABORT = "*1"  # atxferabort
DIGIT_S = 0.06  # how long each queued DTMF digit takes to send


class TransferError(Exception):
    """What AMI answers (manager.c's messages)."""


def _conversation_of(switch: Switch, name: str) -> tuple[SimChannel, Conversation]:
    transferer = switch.pbx.channel(name)
    if transferer is None:
        raise TransferError("Channel specified does not exist")
    conversation = switch.pbx.conversations.get(name)
    if conversation is None or conversation.peer.near is not transferer:
        raise TransferError("Transfer invalid")  # not bridged with a caller
    return transferer, conversation


def blind_transfer(switch: Switch, channel_name: str, context: str, exten: str) -> None:
    pbx = switch.pbx
    transferer, conversation = _conversation_of(switch, channel_name)
    if conversation.consulting:
        raise TransferError("Transfer failed")
    caller = conversation.caller
    pbx.set_var(transferer, "BLINDTRANSFER", caller.name)
    pbx.set_var(caller, "BLINDTRANSFER", transferer.name)
    pbx.set_var(transferer, "BRIDGEPEER", "")
    pbx.emit(ev.blind_transfer(transferer, caller, conversation.bridge, context, exten))
    pbx.redirect(caller, context, exten)


def start_attended_transfer(switch: Switch, channel_name: str, context: str, exten: str) -> None:
    """Atxfer: the consultation starts once the feature code and digits are "typed"."""
    pbx = switch.pbx
    transferer, conversation = _conversation_of(switch, channel_name)
    if conversation.consulting:
        raise TransferError("Transfer failed")
    if context:
        pbx.set_var(transferer, "TRANSFER_CONTEXT", context)
    pbx.clock.spawn(
        _consult(switch, transferer, conversation, context, exten),
        name=f"consultation {transferer.name}",
    )


def transfer_context(switch: Switch, chan: SimChannel, asked: str = "") -> str:
    """Where a transfer from ``chan`` goes: ``asked``, else the channel's TRANSFER_CONTEXT
    (the line sets it on every operator's leg), else the channel's own context."""
    return asked or switch.pbx.get_var(chan, "TRANSFER_CONTEXT") or chan.context


def transfer_key(switch: Switch, chan: SimChannel, exten: str, attended: bool) -> None:
    """A phone's transfer key: into the channel's ``TRANSFER_CONTEXT`` (features.conf's
    blindxfer/atxfer read it), else its own context. Refused as Asterisk refuses it
    (nothing happens) when the channel is not talking to a caller."""
    context = transfer_context(switch, chan)
    with contextlib.suppress(TransferError):
        if attended:
            start_attended_transfer(switch, chan.name, context, exten)
        else:
            blind_transfer(switch, chan.name, context, exten)


def send_digits(switch: Switch, channel_name: str, digits: str) -> bool:
    """PlayDTMF on a channel; False when it does not exist."""
    chan = switch.pbx.channel(channel_name)
    if chan is None:
        return False
    for digit in digits:
        switch.pbx.emit(ev.dtmf_end(chan, digit, 100))
    consultation = switch.consultations.get(channel_name)
    if consultation is not None:
        consultation.notify(digits)
    return True


async def _consult(
    switch: Switch, transferer: SimChannel, conversation: Conversation, context: str, exten: str
) -> None:
    pbx = switch.pbx
    for digit in ATXFER + exten:
        pbx.emit(ev.dtmf_end(transferer, digit, 60))
    await pbx.clock.sleep(DIGIT_S * len(ATXFER + exten))
    caller = conversation.caller
    if transferer.hung_up or caller.hung_up or conversation.consulting:
        return
    conversation.consulting = True
    conversation.changed.notify(None)
    pbx.emit(ev.channel_event("Hold", transferer))
    pbx.emit(ev.music_on_hold_start(caller))
    one, two = pbx.new_local_pair(
        f"{exten}@{context}",
        caller=CallerId(caller.caller_num, caller.caller_name),
        linkedid=transferer.linkedid,
        language=transferer.language,
    )
    pbx.set_var(one, "TRANSFERERNAME", transferer.name)
    pbx.set_var(one, "ATTENDEDTRANSFER", transferer.name)
    two.inherit_from(caller)
    consult_bridge = pbx.new_bridge()
    pbx.emit(ev.local_bridge(one, two, context, exten))
    switch.start_channel(two, context, exten)
    pbx.enter_bridge(consult_bridge, one)
    pbx.leave_bridge(conversation.bridge, transferer)
    pbx.enter_bridge(consult_bridge, transferer)
    keys = Notifier(pbx.clock, f"digits {transferer.name}")
    switch.consultations[transferer.name] = keys
    try:
        completed = await _until_decided(switch, transferer, caller, one, keys)
    finally:
        switch.consultations.pop(transferer.name, None)
    if caller.hung_up or caller.hangup_requested.fired:
        _abandon_consultation(switch, one, consult_bridge)
    elif completed:
        _complete(switch, conversation, transferer, one, two, consult_bridge, context, exten)
    else:
        _give_back(switch, conversation, transferer, one, consult_bridge)


async def _until_decided(
    switch: Switch, transferer: SimChannel, caller: SimChannel, one: SimChannel, keys: Notifier
) -> bool:
    """True to complete the transfer, False to give the caller back."""
    typed = ""
    while True:
        digits = keys.signal
        fired = await switch.pbx.clock.wait(
            digits, transferer.hangup_requested, one.hangup_requested, caller.hangup_requested
        )
        if fired is transferer.hangup_requested:
            return True  # the operator hung up: the transfer completes
        if fired is not digits:
            return False
        typed = (typed + str(fired.value))[-2:]
        if typed == COMPLETE:
            return True
        if typed == ABORT:
            return False


def _complete(
    switch: Switch,
    conversation: Conversation,
    transferer: SimChannel,
    one: SimChannel,
    two: SimChannel,
    consult_bridge: Bridge,
    context: str,
    exten: str,
) -> None:
    pbx = switch.pbx
    caller = conversation.caller
    pbx.leave_bridge(consult_bridge, one)
    pbx.enter_bridge(conversation.bridge, one)
    pbx.emit(ev.channel_event("MusicOnHoldStop", caller))
    pbx.leave_bridge(consult_bridge, transferer)
    pbx.emit(ev.attended_transfer(transferer, conversation.bridge, consult_bridge, caller, one))
    replaced = conversation.peer
    conversation.peer = Leg(f"Local/{exten}@{context}", one, two, pbx.clock.now())
    conversation.consulting = False
    register(pbx, conversation)
    conversation.changed.notify(replaced)
    drop_leg(pbx, replaced, 16)
    pbx.destroy_bridge(consult_bridge)


def _give_back(
    switch: Switch,
    conversation: Conversation,
    transferer: SimChannel,
    one: SimChannel,
    consult_bridge: Bridge,
) -> None:
    pbx = switch.pbx
    _abandon_consultation(switch, one, consult_bridge)
    pbx.emit(ev.channel_event("MusicOnHoldStop", conversation.caller))
    if not transferer.hung_up:
        pbx.leave_bridge(consult_bridge, transferer)
        pbx.enter_bridge(conversation.bridge, transferer)
        pbx.emit(ev.channel_event("Unhold", transferer))
    conversation.consulting = False
    conversation.changed.notify(None)


def _abandon_consultation(switch: Switch, one: SimChannel, consult_bridge: Bridge) -> None:
    pbx = switch.pbx
    if not one.hung_up:
        partner = one.partner
        if partner is not None and not partner.hung_up:
            pbx.request_hangup(partner)  # its dialplan ends (and hangs its Dial up)
        pbx.finish(one)
    pbx.destroy_bridge(consult_bridge)
