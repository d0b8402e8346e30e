"""The simulated PBX's core: its channels and bridges, and every event they send.

Applications (``simulator.apps`` and the queue, Dial and transfer modules) change channels and
bridges only through these methods, so each change sends the AMI event Asterisk sends for it,
stamped with the clock's time, to every listener (the AMI server's sessions, the CDR writer).

Applications end a channel's dialplan early by raising :class:`HungUp` (the channel is gone)
or :class:`Redirect` (a blind transfer sent it elsewhere); ``simulator.switch`` runs them.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from simulator import ami_events as ev
from simulator.ami_events import AmiEvent
from simulator.channels import Bridge, ChannelState, Conversation, IdAllocator, SimChannel
from simulator.clock import Notifier, SimClock

log = logging.getLogger(__name__)

Listener = Callable[[AmiEvent, float], None]
NORMAL_CLEARING = 16


class HungUp(Exception):  # noqa: N818 (a control-flow signal, as asyncio's CancelledError)
    """The channel hung up: its dialplan stops."""

    def __init__(self, cause: int = NORMAL_CLEARING) -> None:
        super().__init__(cause)
        self.cause = cause


class Redirect(Exception):  # noqa: N818
    """The channel continues at ``context``/``exten`` priority 1 (a blind transfer)."""

    def __init__(self, context: str, exten: str) -> None:
        super().__init__(context, exten)
        self.context = context
        self.exten = exten


@dataclass(frozen=True, slots=True)
class CallerId:
    number: str
    name: str = ""


class Pbx:
    def __init__(self, *, clock: SimClock, rng: random.Random) -> None:
        self.clock = clock
        self.rng = rng
        self.ids = IdAllocator(rng)
        self._listeners: list[Listener] = []
        self._channels: dict[str, SimChannel] = {}
        # Conversations in progress, by the name of each channel in them (transfers look
        # them up by the transferring channel).
        self.conversations: dict[str, Conversation] = {}

    # ------------------------------------------------------------------ listeners

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def emit(self, event: AmiEvent) -> None:
        at = self.clock.now()
        for listener in list(self._listeners):
            try:
                listener(event, at)
            except Exception:
                log.exception("listener failed on %s", event.name)

    # ------------------------------------------------------------------ channels

    def channel(self, name: str) -> SimChannel | None:
        return self._channels.get(name)

    def channels(self) -> Iterator[SimChannel]:
        return iter(list(self._channels.values()))

    def new_channel(
        self,
        name: str,
        *,
        context: str,
        exten: str,
        state: ChannelState,
        caller: CallerId,
        linkedid: str | None = None,
        language: str = "ru",
        uniqueid: str = "",
    ) -> SimChannel:
        """Creates the channel and sends its Newchannel; ``linkedid`` None starts a call;
        ``uniqueid`` as an Originate's ChannelId asks, else the next one."""
        now = self.clock.now()
        uniqueid = uniqueid or self.ids.uniqueid(now)
        chan = SimChannel(
            name=name,
            uniqueid=uniqueid,
            linkedid=linkedid or uniqueid,
            created_at=now,
            hangup_requested=self.clock.signal(f"hangup request {name}"),
            gone=self.clock.signal(f"gone {name}"),
            redirected=Notifier(self.clock, f"redirect {name}"),
            up=self.clock.signal(f"up {name}"),
            bridged=self.clock.signal(f"bridged {name}"),
            state=state,
            caller_num=caller.number,
            caller_name=caller.name,
            language=language,
            context=context,
            exten=exten,
        )
        self._channels[name] = chan
        self.emit(ev.channel_event("Newchannel", chan))
        return chan

    def new_local_pair(
        self, resource: str, *, caller: CallerId, linkedid: str, language: str = "ru"
    ) -> tuple[SimChannel, SimChannel]:
        """``Local/<exten>@<context>``: the ``;1`` half (down) that the dialling side holds and
        the ``;2`` half (ringing) that runs the target; the ``;2`` half's answer and hang-up
        reach the ``;1`` half (``set_state``, ``soft_hangup``, ``finish``)."""
        exten, _, context = resource.partition("@")
        name = f"Local/{resource}-{self.ids.name_suffix()}"
        one, two = (
            self.new_channel(
                f"{name};{half}",
                context=context,
                exten=exten,
                state=state,
                caller=caller,
                linkedid=linkedid,
                language=language,
            )
            for half, state in ((1, ChannelState.DOWN), (2, ChannelState.RING))
        )
        one.partner, one.half = two, 1
        two.partner, two.half = one, 2
        return one, two

    def set_state(self, chan: SimChannel, state: ChannelState) -> None:
        if chan.state is state or chan.hung_up:
            return
        chan.state = state
        if state is ChannelState.UP and chan.answered_at is None:
            chan.answered_at = self.clock.now()
        self.emit(ev.channel_event("Newstate", chan))
        if state is ChannelState.UP:
            chan.up.fire()
        partner = chan.partner
        if chan.half == 2 and partner is not None and state is not ChannelState.DOWN:
            self.set_state(partner, state)

    def set_connected(self, chan: SimChannel, number: str, name: str) -> None:
        chan.connected_num, chan.connected_name = number, name
        self.emit(ev.channel_event("NewConnectedLine", chan))

    def set_caller(self, chan: SimChannel, number: str, name: str) -> None:
        chan.caller_num, chan.caller_name = number, name
        self.emit(ev.new_callerid(chan))

    def set_var(self, chan: SimChannel, name: str, value: str) -> None:
        """A channel variable (as written: ``__X`` inherits); sends VarSet."""
        chan.variables[name] = value
        self.emit(ev.varset(chan, name, value))

    def get_var(self, chan: SimChannel, name: str) -> str | None:
        for key in (name, f"_{name}", f"__{name}"):
            if key in chan.variables:
                return chan.variables[key]
        return None

    def app(
        self,
        chan: SimChannel,
        application: str,
        data: str = "",
        *,
        location: tuple[str, str, int] | None = None,
    ) -> None:
        """The dialplan runs ``application(data)`` on ``chan``; sends Newexten. ``location``
        (context, exten, priority) where the dialplan is; else the next priority."""
        if location is not None:
            chan.context, chan.exten, chan.priority = location
        chan.application, chan.app_data = application, data
        self.emit(ev.newexten(chan))

    def request_hangup(self, chan: SimChannel, cause: int = NORMAL_CLEARING) -> None:
        """The far end hangs up (a caller's BYE, a phone put down): HangupRequest; whatever
        runs on the channel ends."""
        if chan.hung_up or chan.hangup_requested.fired:
            return
        self.emit(ev.hangup_request("HangupRequest", chan, cause))
        chan.hangup_requested.fire(cause)

    def soft_hangup(self, chan: SimChannel, cause: int = NORMAL_CLEARING) -> None:
        """Asterisk itself ends the channel (the dialplan's Hangup(), AMI Hangup)."""
        if chan.hung_up or chan.soft_hung_up:
            return
        chan.soft_hung_up = True
        self.emit(ev.hangup_request("SoftHangupRequest", chan, cause))
        chan.hangup_requested.fire(cause)
        self._far_half_ended(chan, cause)

    def _far_half_ended(self, chan: SimChannel, cause: int) -> None:
        """A Local ``;2`` half ended on its own: the far end of its ``;1`` half hung up."""
        partner = chan.partner
        if chan.half == 2 and partner is not None and not partner.hung_up:
            self.request_hangup(partner, cause)

    def finish(self, chan: SimChannel, cause: int = NORMAL_CLEARING) -> None:
        """The channel is gone: Hangup. Leaves its bridge first if still in one."""
        if chan.hung_up:
            return
        if chan.bridge is not None:
            self.leave_bridge(chan.bridge, chan)
        chan.hung_up = True
        self._channels.pop(chan.name, None)
        self.emit(ev.hangup(chan, cause))
        chan.gone.fire(cause)
        chan.hangup_requested.fire(cause)
        self._far_half_ended(chan, cause)

    def redirect(self, chan: SimChannel, context: str, exten: str) -> None:
        """Sends whatever runs on ``chan`` to ``context``/``exten`` (blind transfer)."""
        if not chan.hung_up:
            chan.redirected.notify((context, exten))

    # ------------------------------------------------------------------ bridges

    def new_bridge(self) -> Bridge:
        bridge = Bridge(uniqueid=self.ids.bridge_id())
        self.emit(ev.bridge_event("BridgeCreate", bridge))
        return bridge

    def enter_bridge(
        self, bridge: Bridge, chan: SimChannel, *, swap: SimChannel | None = None
    ) -> None:
        """BridgeEnter; with two channels in it, each one's BRIDGEPEER names the other."""
        if swap is not None and swap in bridge.channels:
            bridge.channels.remove(swap)
            swap.bridge = None
        bridge.channels.append(chan)
        chan.bridge = bridge
        self.emit(ev.bridge_enter(bridge, chan, swap))
        if len(bridge.channels) == 2:
            first, second = bridge.channels
            self.set_var(first, "BRIDGEPEER", second.name)
            self.set_var(second, "BRIDGEPEER", first.name)
            first.bridged.fire()
            second.bridged.fire()

    def leave_bridge(self, bridge: Bridge, chan: SimChannel) -> None:
        if chan not in bridge.channels:
            return
        for member in bridge.channels:
            if member.variables.get("BRIDGEPEER"):
                self.set_var(member, "BRIDGEPEER", "")
        bridge.channels.remove(chan)
        chan.bridge = None
        self.emit(ev.bridge_leave(bridge, chan))

    def destroy_bridge(self, bridge: Bridge) -> None:
        if bridge.destroyed:
            return
        for chan in list(bridge.channels):
            self.leave_bridge(bridge, chan)
        bridge.destroyed = True
        self.emit(ev.bridge_event("BridgeDestroy", bridge))
