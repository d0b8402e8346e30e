"""Whether a transfer the dialplan guard allowed happened (C10), from the guard's own channel.

The guard (``[consult-line-transfer-guard]``, route ``transfer``) records an allowed attempt
PENDING on the channel it runs on, keyed by that channel's Uniqueid, before it dials the
employee. This pure state machine, fed the parsed AMI events in arrival order, says what
happened to the attempt next; the AMI bridge applies each :class:`TransferSignal` with
``LineStore.settle_transfer`` and the rule ``models.rules.transfers.settle``.

How a guard channel is recognised: the guard sets ``XFER_LEG`` (``caller``: a blind
transfer, the channel is the caller's own; ``consult``: the consultation leg of an attended
transfer, a Local ``;2`` half) and clears ``TRANSFER_ALLOWED`` before its route, and the route
sets ``TRANSFER_ALLOWED=1`` once the attempt is recorded. Both arrive as ``VarSet`` (the AMI
user's ``dialplan`` read class). From ``TRANSFER_ALLOWED=1`` until the attempt is settled the
channel is *armed*:

* the first ``DialEnd`` it makes is the guard's Dial to the employee: ANSWERED or
  NOT_ANSWERED. A blind attempt is settled by it; an answered consultation goes on;
* an ``AttendedTransfer`` with ``Result: Success`` (not ``DestType: Fail``) of the same call
  whose transfer target is the other half of the armed Local consultation leg (``…;1`` for
  the guard's ``…;2``; the only armed consultation of the call if the names do not pair):
  HANDED_OVER. Asterisk publishes it when the operator completes the transfer (key or
  hang-up) and before the Local halves are optimised away and hang up;
* the armed channel's ``Hangup``: LEG_ENDED — a consultation that ended without being handed
  over: the operator pressed the abort key or the employee hung up (Asterisk's attended
  transfer then rebridges the operator with the caller and publishes no AttendedTransfer).

After a lost AMI link the watch starts empty: an attempt whose evidence was missed stays
PENDING (the cap errs on the side of C10) until the call-log store settles it when the call
has ended (``models.call_log_store``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ami.events import AmiEvent, AttendedTransfer, DialEnd, Hangup, VarSet
from models.rules.transfers import TransferEvidence

LEG_CONSULT = "consult"  # XFER_LEG on an attended transfer's consultation leg


@dataclass(frozen=True, slots=True)
class TransferSignal:
    linkedid: str  # the call
    channel_id: str  # Uniqueid of the channel the guard ran on
    evidence: TransferEvidence
    at: datetime


@dataclass(slots=True)
class _Armed:
    linkedid: str
    name: str  # channel name, to pair a Local consultation leg with its other half
    consult: bool
    dialled: bool = False  # its Dial to the employee has ended


class TransferWatch:
    def __init__(self) -> None:
        self._legs: dict[str, str] = {}  # Uniqueid → XFER_LEG last set on it
        self._armed: dict[str, _Armed] = {}  # Uniqueid → attempt in flight

    @property
    def armed(self) -> int:
        return len(self._armed)

    def apply(self, event: AmiEvent) -> list[TransferSignal]:
        if isinstance(event, VarSet):
            self._on_varset(event)
            return []
        if isinstance(event, DialEnd):
            return self._on_dial_end(event)
        if isinstance(event, AttendedTransfer):
            return self._on_attended_transfer(event)
        if isinstance(event, Hangup):
            return self._on_hangup(event)
        return []

    def connection_lost(self) -> None:
        """Events are missing from now on: forget everything (see the module docstring)."""
        self._legs.clear()
        self._armed.clear()

    def _on_varset(self, event: VarSet) -> None:
        uniqueid = event.uniqueid
        if event.variable == "XFER_LEG":
            self._legs[uniqueid] = event.value.strip().lower()
        elif event.variable == "TRANSFER_ALLOWED":
            if event.value.strip() == "1":
                self._armed[uniqueid] = _Armed(
                    linkedid=event.linkedid,
                    name=event.channel,
                    consult=self._legs.get(uniqueid) == LEG_CONSULT,
                )
            else:  # cleared before the guard's route: a new decision is coming
                self._armed.pop(uniqueid, None)

    def _on_dial_end(self, event: DialEnd) -> list[TransferSignal]:
        if event.caller is None:
            return []
        uniqueid = event.caller.uniqueid
        armed = self._armed.get(uniqueid)
        if armed is None or armed.dialled:
            return []
        answered = event.dial_status.strip().upper() == "ANSWER"
        armed.dialled = True
        if not armed.consult or not answered:
            del self._armed[uniqueid]
        evidence = TransferEvidence.ANSWERED if answered else TransferEvidence.NOT_ANSWERED
        return [TransferSignal(armed.linkedid, uniqueid, evidence, event.at)]

    def _on_attended_transfer(self, event: AttendedTransfer) -> list[TransferSignal]:
        if event.result.strip().lower() != "success" or event.dest_type.lower() == "fail":
            return []
        linkedid = event.linkedid
        legs = {
            uniqueid: armed
            for uniqueid, armed in self._armed.items()
            if armed.consult and armed.linkedid == linkedid
        }
        target = event.transfer_target
        paired = [
            uniqueid
            for uniqueid, armed in legs.items()
            if target is not None and _local_pair(armed.name, target.name)
        ]
        chosen = paired or (list(legs) if len(legs) == 1 else [])
        if not chosen:
            return []
        uniqueid = chosen[0]
        if legs[uniqueid].dialled:
            del self._armed[uniqueid]
        # else still armed: handed over while it rang, the Dial's end settles it.
        return [TransferSignal(linkedid, uniqueid, TransferEvidence.HANDED_OVER, event.at)]

    def _on_hangup(self, event: Hangup) -> list[TransferSignal]:
        uniqueid = event.uniqueid
        self._legs.pop(uniqueid, None)
        armed = self._armed.pop(uniqueid, None)
        if armed is None:
            return []
        return [TransferSignal(armed.linkedid, uniqueid, TransferEvidence.LEG_ENDED, event.at)]


def _local_pair(name: str, other: str) -> bool:
    """``Local/301@ctx-0000000a;2`` and ``Local/301@ctx-0000000a;1``: two halves of one."""
    stem, sep, _half = name.rpartition(";")
    other_stem, other_sep, _other_half = other.rpartition(";")
    return bool(sep and other_sep and stem == other_stem)
