"""Phones a person works at the console: the training line's «Ответить» and «Завершить».

A console operator's phone (``PJSIP/201``, joined to the queue from the console) is nobody's
simulated behaviour: it rings until its keys are pressed. The console presses them with AMI's
``UserEvent`` (``ami.training_phone``; ``simulator.ami_actions`` hands the event here). A key
reaches the phone that waits for it right then; a key pressed on a phone that is neither
ringing nor talking does nothing, as on a desk phone.
"""

from __future__ import annotations

from simulator.clock import Notifier, Signal, SimClock


class Handsets:
    def __init__(self, clock: SimClock) -> None:
        self._clock = clock
        self._keys: dict[str, Notifier] = {}

    def next_key(self, device: str) -> Signal:
        """Fires with the next key pressed on ``device``'s phone."""
        keys = self._keys.get(device)
        if keys is None:
            keys = self._keys[device] = Notifier(self._clock, f"handset {device}")
        return keys.signal

    def press(self, device: str, key: str) -> None:
        keys = self._keys.get(device)
        if keys is not None:
            keys.notify(key)
