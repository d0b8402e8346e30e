"""A simulated caller: who calls, what they press in the menus, how long they wait.

The caller answers the line's questions by the prompt they hear (``topic-menu`` → ``"3"``),
after thinking a while; a question they have no answer for gets silence. Patience counts from
the arrival: a caller nobody has talked to by then hangs up, in the IVR or in the queue. Once
talking, a caller either waits for the other side to end (``talk_s`` None) or hangs up after
``talk_s`` seconds. ``leaves_at_s`` ends the call at that moment whatever is going on (a
scripted caller, as the recordings' harness had).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from simulator.channels import SimChannel
from simulator.pbx import Pbx


@dataclass(frozen=True, slots=True)
class CallerPlan:
    number: str  # caller ID as the trunk sends it ("" when withheld)
    name: str = ""
    dialled: str = "78722678091"  # the DID (the line's number, C2)
    # prompt id → keys ("" = silence); "1/" answers 1 the first time, then stays silent
    keys: Mapping[str, str] = field(default_factory=dict)
    think_s: float = 2.0
    patience_s: float | None = None  # None: waits as long as it takes
    talk_s: float | None = None  # None: the other side ends the conversation
    leaves_at_s: float | None = None  # hangs up this long after calling, whatever happens

    def answer(self, prompt: str, attempt: int = 0) -> str:
        """The keys for the ``attempt``-th time (from 0) ``prompt`` is asked; the last answer
        given holds for every later time."""
        answers = self.keys.get(prompt, "").split("/")
        return answers[min(attempt, len(answers) - 1)]


async def play_caller(pbx: Pbx, chan: SimChannel, plan: CallerPlan) -> None:
    """The person on the inbound channel: hangs up when out of patience or done talking."""
    if plan.leaves_at_s is not None:
        pbx.clock.spawn(_leave_at(pbx, chan, plan.leaves_at_s), name=f"leaves {chan.name}")
    clock = pbx.clock
    if plan.patience_s is not None:
        fired = await clock.wait(chan.bridged, chan.gone, timeout=plan.patience_s)
        if fired is None:
            pbx.request_hangup(chan)
            return
    if plan.talk_s is None:
        return
    if await clock.wait(chan.bridged, chan.gone) is chan.gone:
        return
    if await clock.wait(chan.gone, timeout=plan.talk_s) is None:
        pbx.request_hangup(chan)


async def _leave_at(pbx: Pbx, chan: SimChannel, seconds: float) -> None:
    if await pbx.clock.wait(chan.gone, timeout=seconds) is None:
        pbx.request_hangup(chan)
