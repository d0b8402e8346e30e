"""The caller bridged with an answered leg, until one side ends it or a transfer moves it.

Queue() and Dial() both end their search this way: :func:`connect` makes the bridge (the
member's channel enters first, as app_queue and Dial do), :func:`converse` waits for what ends
the conversation and says which it was; the application sends its own events for it
(AgentComplete, DIALSTATUS, ...) and tears down with :func:`end_bridge`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from simulator.channels import Conversation, Leg, SimChannel
from simulator.clock import Notifier
from simulator.pbx import Pbx


class Ending(StrEnum):
    PEER_HUNG_UP = "peer"  # the member or employee put the phone down
    CALLER_HUNG_UP = "caller"
    BLIND_TRANSFER = "blind"  # the caller goes to ``target`` (context, exten)
    ATTENDED_TRANSFER = "attended"  # the peer was replaced; ``replaced`` is the old leg


@dataclass(frozen=True, slots=True)
class Outcome:
    ending: Ending
    target: tuple[str, str] | None = None
    replaced: Leg | None = None
    cause: int = 16


def connect(pbx: Pbx, caller: SimChannel, leg: Leg) -> Conversation:
    bridge = pbx.new_bridge()
    conversation = Conversation(
        caller=caller,
        peer=leg,
        bridge=bridge,
        changed=Notifier(pbx.clock, f"conversation {caller.name}"),
        started_at=pbx.clock.now(),
    )
    pbx.enter_bridge(bridge, leg.near)
    pbx.enter_bridge(bridge, caller)
    register(pbx, conversation)
    return conversation


def register(pbx: Pbx, conversation: Conversation) -> None:
    pbx.conversations[conversation.caller.name] = conversation
    pbx.conversations[conversation.peer.near.name] = conversation


def forget(pbx: Pbx, conversation: Conversation, *channels: SimChannel) -> None:
    for chan in channels:
        if pbx.conversations.get(chan.name) is conversation:
            del pbx.conversations[chan.name]


async def converse(pbx: Pbx, conversation: Conversation) -> Outcome:
    caller = conversation.caller
    while True:
        peer = conversation.peer
        redirected = caller.redirected.signal
        changed = conversation.changed.signal
        signals = [caller.hangup_requested, redirected, changed]
        if not conversation.consulting:
            signals.append(peer.near.hangup_requested)
        fired = await pbx.clock.wait(*signals)
        if fired is caller.hangup_requested:
            return Outcome(Ending.CALLER_HUNG_UP, cause=_cause(fired.value))
        if fired is redirected:
            target = fired.value
            assert isinstance(target, tuple)
            return Outcome(Ending.BLIND_TRANSFER, target=(str(target[0]), str(target[1])))
        if fired is changed:
            if isinstance(fired.value, Leg):
                return Outcome(Ending.ATTENDED_TRANSFER, replaced=fired.value)
            continue  # a consultation began or ended
        if fired is peer.near.hangup_requested:
            return Outcome(Ending.PEER_HUNG_UP, cause=_cause(fired.value))


def end_bridge(pbx: Pbx, conversation: Conversation) -> None:
    """Both leave (the peer's channel first) and the bridge goes."""
    bridge = conversation.bridge
    for chan in (conversation.peer.near, conversation.caller):
        pbx.leave_bridge(bridge, chan)
    pbx.destroy_bridge(bridge)
    forget(pbx, conversation, conversation.caller, conversation.peer.near)


def _cause(value: object) -> int:
    return value if isinstance(value, int) else 16
