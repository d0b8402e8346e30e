"""The simulated PBX's channels and bridges, and how Asterisk names and numbers them.

Ids follow Asterisk 22 as recorded (``tests/fixtures/asterisk``): a Uniqueid is
``<creation second>.<sequence>`` with one sequence for the whole PBX from 0; a channel's name is
its device plus ``-%08x`` from a second counter (both halves of a Local channel share one
value: ``Local/agent1@agents-00000001;1`` and ``;2``); every channel of a call carries the
Linkedid of the call's first channel; a bridge is a random UUID.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from enum import IntEnum

from simulator.clock import Notifier, Signal

UNKNOWN = "<unknown>"


class ChannelState(IntEnum):
    """AST_STATE_* values as AMI shows them (``ChannelState``/``ChannelStateDesc``)."""

    DOWN = 0
    RING = 4
    RINGING = 5
    UP = 6

    @property
    def desc(self) -> str:
        return _STATE_DESC[self]


_STATE_DESC = {
    ChannelState.DOWN: "Down",
    ChannelState.RING: "Ring",
    ChannelState.RINGING: "Ringing",
    ChannelState.UP: "Up",
}


class IdAllocator:
    """Uniqueids, channel name suffixes and bridge ids, in Asterisk's formats."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._uniqueids = 0
        self._names = 0

    def uniqueid(self, now: float) -> str:
        value = f"{int(now)}.{self._uniqueids}"
        self._uniqueids += 1
        return value

    def name_suffix(self) -> str:
        value = f"{self._names:08x}"
        self._names += 1
        return value

    def bridge_id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))


@dataclass(eq=False)
class SimChannel:
    """One channel: what AMI shows of it (the standard channel headers) and what the
    simulation needs (variables, bridge, signals for its end)."""

    name: str
    uniqueid: str
    linkedid: str
    created_at: float
    hangup_requested: Signal  # fired with the cause when the far end (or Asterisk) ends it
    gone: Signal  # fired once the channel has hung up
    redirected: Notifier  # notified with (context, exten) when a blind transfer moves it
    up: Signal  # fired when the channel is answered
    bridged: Signal  # fired the first time it is bridged with another channel
    state: ChannelState = ChannelState.DOWN
    caller_num: str = ""
    caller_name: str = ""
    connected_num: str = ""
    connected_name: str = ""
    language: str = "ru"
    dnid: str = ""  # the number the caller dialled (agi_dnid)
    accountcode: str = ""
    context: str = ""
    exten: str = ""
    priority: int = 1
    application: str = ""
    app_data: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    bridge: Bridge | None = None
    partner: SimChannel | None = None  # the other half of a Local channel
    half: int = 0  # 1 or 2 for a Local channel's halves, 0 otherwise
    hung_up: bool = False
    soft_hung_up: bool = False
    answered_at: float | None = None

    @property
    def device(self) -> str:
        """``PJSIP/201-0000001a`` → ``PJSIP/201``; Local halves drop ``;1``/``;2`` too."""
        base = self.name.split(";", 1)[0]
        return base.rsplit("-", 1)[0]

    def inherit_from(self, other: SimChannel) -> None:
        """Variables with the ``__`` prefix travel to channels this one creates."""
        for name, value in other.variables.items():
            if name.startswith("__"):
                self.variables[name] = value


@dataclass(eq=False)
class Bridge:
    uniqueid: str
    channels: list[SimChannel] = field(default_factory=list)
    destroyed: bool = False
    technology: str = "simple_bridge"
    emptied: Signal | None = None  # fired when a channel leaves and one is left alone

    def others(self, channel: SimChannel) -> list[SimChannel]:
        return [other for other in self.channels if other is not channel]


@dataclass(eq=False)
class Leg:
    """What Queue() or Dial() created for one device (``simulator.devices``)."""

    interface: str
    near: SimChannel  # bridged with the caller: the Local ``;1`` half, or the only channel
    far: SimChannel  # where the phone is: the Local ``;2`` half, or that same channel
    placed_at: float

    @property
    def local(self) -> bool:
        return self.near is not self.far


@dataclass(eq=False)
class Conversation:
    """The caller bridged with a party (a queue member, a Dial target; after an attended
    transfer, the consultation leg). ``changed`` is notified by transfers: with the replaced
    leg when an attended transfer completed, with None when a consultation began or ended
    (while the peer consults, its hang-up is the transfer's business, not the caller's)."""

    caller: SimChannel
    peer: Leg
    bridge: Bridge
    changed: Notifier
    started_at: float
    consulting: bool = False
