"""The dialplan applications on one channel, each sending the events Asterisk sends for it.

A dialplan (``simulator.dialplan``, or a test's copy of another PBX's) is Python that calls
these in the order its ``extensions.conf`` would run them, naming each priority; ``Newexten``
carries that location and the application's data as Asterisk substitutes it.
"""

from __future__ import annotations

from simulator.channels import ChannelState, SimChannel
from simulator.dial_app import dial
from simulator.pbx import HungUp
from simulator.queue_app import queue
from simulator.switch import Switch


class Apps:
    def __init__(self, switch: Switch, chan: SimChannel, context: str, exten: str) -> None:
        self.switch = switch
        self.pbx = switch.pbx
        self.chan = chan
        self.context = context
        self.exten = exten

    def goto(self, context: str, exten: str) -> None:
        """Where the next priorities run (Goto, GotoIf: Asterisk sends no event for the jump
        itself, only the Newexten of the application there)."""
        self.context, self.exten = context, exten

    def step(self, priority: int, application: str, data: str = "") -> None:
        """Newexten of ``application(data)`` at ``priority``; raises HungUp if the channel
        is already being hung up (Asterisk runs nothing more then)."""
        self._check()
        self.pbx.app(self.chan, application, data, location=(self.context, self.exten, priority))

    def _check(self) -> None:
        requested = self.chan.hangup_requested
        if requested.fired:
            raise HungUp(requested.value if isinstance(requested.value, int) else 16)

    # ------------------------------------------------------------------ simple ones

    def set(self, priority: int, name: str, value: str) -> None:
        self.step(priority, "Set", f"{name}={value}")
        self.pbx.set_var(self.chan, name, value)

    def noop(self, priority: int, text: str) -> None:
        self.step(priority, "NoOp", text)

    def answer(self, priority: int) -> None:
        self.step(priority, "Answer")
        self.pbx.set_state(self.chan, ChannelState.UP)

    async def playback(self, priority: int, sound: str, seconds: float) -> None:
        """Plays ``sound`` for ``seconds``; the caller may hang up meanwhile (HungUp)."""
        self.step(priority, "Playback", sound)
        await self.wait_or_hangup(seconds)

    async def wait_or_hangup(self, seconds: float) -> None:
        fired = await self.pbx.clock.wait(self.chan.hangup_requested, timeout=seconds)
        if fired is not None:
            raise HungUp(fired.value if isinstance(fired.value, int) else 16)

    def hangup(self, priority: int, cause: int = 16) -> None:
        """``Hangup()``: the dialplan ends here (the channel's runner hangs it up)."""
        self.step(priority, "Hangup")
        raise HungUp(cause)

    # ------------------------------------------------------------------ the big ones

    async def queue(
        self, priority: int, name: str, options: str, timeout_s: float, *, queue_priority: int = 0
    ) -> str:
        self.step(priority, "Queue", f"{name},{options},,,{int(timeout_s)}")
        return await queue(
            self.switch, self.chan, name, timeout_s=timeout_s, priority=queue_priority
        )

    async def dial(self, priority: int, device: str, timeout_s: float, options: str) -> str:
        self.step(priority, "Dial", f"{device},{int(timeout_s)},{options}")
        return await dial(self.switch, self.chan, device, timeout_s=timeout_s)

    def variable(self, name: str) -> str:
        return self.pbx.get_var(self.chan, name) or ""
