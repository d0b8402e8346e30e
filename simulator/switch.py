"""Everything a dialplan application may use, in one object: the PBX, its queues, the phones,
the dialplan itself and where FastAGI runs; and the runner of a channel's dialplan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from simulator.caller import CallerPlan
from simulator.channels import SimChannel
from simulator.clock import Notifier
from simulator.devices import Phones
from simulator.handsets import Handsets
from simulator.pbx import NORMAL_CLEARING, HungUp, Pbx, Redirect
from simulator.queue_log import QueueLog
from simulator.queues import QueueConfig, SimQueue


class Dialplan(Protocol):
    """Runs ``chan`` from ``context``/``exten`` priority 1 until its dialplan ends (it
    returns, or raises HungUp/Redirect)."""

    async def __call__(
        self, switch: Switch, chan: SimChannel, context: str, exten: str
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class FastAgiTarget:
    """Where ``agi://host:port/`` points (the line's ``CONSULT_AGI``)."""

    host: str = "127.0.0.1"
    port: int = 4573

    @property
    def url(self) -> str:
        return f"agi://{self.host}:{self.port}"


@dataclass(eq=False)
class Switch:
    pbx: Pbx
    dialplan: Dialplan
    phones: Phones
    queue_log: QueueLog
    agi: FastAgiTarget = field(default_factory=FastAgiTarget)
    queues: dict[str, SimQueue] = field(default_factory=dict)
    # Consultations of attended transfers, by the transferring channel: the digits it
    # sends (PlayDTMF) go to the consultation (``simulator.transfers``).
    consultations: dict[str, Notifier] = field(default_factory=dict)
    # What each caller does, by the call's Linkedid (the FastAGI menus ask it).
    callers: dict[str, CallerPlan] = field(default_factory=dict)
    # The console operators' phones, whose keys AMI's UserEvent presses; None: no console.
    handsets: Handsets | None = None

    @classmethod
    def build(
        cls,
        pbx: Pbx,
        *,
        dialplan: Dialplan,
        phones: Phones,
        queues: Iterable[QueueConfig],
        queue_log: QueueLog | None = None,
        agi: FastAgiTarget | None = None,
        handsets: Handsets | None = None,
    ) -> Switch:
        log = queue_log or QueueLog(None)
        switch = cls(pbx, dialplan, phones, log, agi or FastAgiTarget(), handsets=handsets)
        for config in queues:
            switch.queues[config.name] = SimQueue(pbx, config, log)
        log.write(pbx.clock.now(), "NONE", "NONE", "NONE", "QUEUESTART", "")
        return switch

    def start_channel(self, chan: SimChannel, context: str, exten: str) -> None:
        """Runs the dialplan on ``chan`` as a clock process."""
        self.pbx.clock.spawn(self.run_channel(chan, context, exten), name=f"channel {chan.name}")

    async def run_channel(self, chan: SimChannel, context: str, exten: str) -> None:
        """The dialplan, restarted where a blind transfer sends the channel, until it ends;
        then the channel hangs up."""
        cause = NORMAL_CLEARING
        while True:
            try:
                await self.dialplan(self, chan, context, exten)
            except Redirect as redirect:
                context, exten = redirect.context, redirect.exten
                continue
            except HungUp as hung_up:
                cause = hung_up.cause
            break
        if not chan.hung_up:
            self.pbx.soft_hangup(chan, cause)
            self.pbx.finish(chan, cause)
