"""Simulated operators for runs with nobody at the screen (``--operators N``).

Each is a static member of the line's queue, ready from the start; its phone rings a few
seconds before they answer, they talk for a while and hang up (wrap-up is the queue's
``wrapuptime``); now and then one transfers the caller to an employee whose phone the line
also simulates, who answers or, now and then, does not. A console operator's phone (any other
device in the queue) is answered and hung up from the console (``simulator.handsets``). Each
call gets a fresh behaviour, seeded.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from simulator.devices import PhoneBehaviour
from simulator.handsets import Handsets
from simulator.queues import MemberConfig

EMPLOYEES = ("301", "302")  # internal numbers simulated employees answer on


def operator_interface(number: int) -> str:
    return f"PJSIP/9{number:02d}"


def operator_members(count: int) -> tuple[MemberConfig, ...]:
    return tuple(
        MemberConfig(operator_interface(n), f"Учебный оператор {n}") for n in range(1, count + 1)
    )


@dataclass
class SimulatedPhones:
    """The simulated operators' and employees' phones (a ``simulator.devices.Phones``)."""

    rng: random.Random
    operators: frozenset[str]
    transfer_share: float = 0.1
    employee_answers: float = 0.8  # the share of transfers an employee picks up
    handsets: Handsets | None = None  # the console operators' phones; None: they only ring
    # Whether a device is in a queue (a console operator's phone, QueueAdd); any other
    # device is an employee's, reached by a transfer.
    in_queue: Callable[[str], bool] = field(default=lambda _interface: False)

    def behaviour(self, interface: str) -> PhoneBehaviour | None:
        rng = self.rng
        if interface in self.operators:
            if rng.random() < self.transfer_share:
                return PhoneBehaviour(
                    ring_s=rng.uniform(2.0, 6.0),
                    talk_s=None,
                    transfer_to=rng.choice(EMPLOYEES),
                    transfer_after_s=rng.uniform(20.0, 60.0),
                )
            return PhoneBehaviour(ring_s=rng.uniform(2.0, 6.0), talk_s=rng.uniform(30.0, 180.0))
        if "@" in interface:  # a client called back through the trunk (C11)
            return PhoneBehaviour(ring_s=rng.uniform(3.0, 10.0), talk_s=rng.uniform(20.0, 90.0))
        if self.in_queue(interface):  # a console operator's phone
            return None if self.handsets is None else PhoneBehaviour(handsets=self.handsets)
        return PhoneBehaviour(
            ring_s=rng.uniform(3.0, 8.0),
            answers=rng.random() < self.employee_answers,
            talk_s=rng.uniform(30.0, 120.0),
        )  # an employee a transfer rings
