"""The ``cdr_csv`` Master.csv of the simulated PBX, written as Asterisk 22 writes it.

Listens to the PBX's events like Asterisk's CDR engine listens to its channels, with the same
rules as far as the line's calls go (the recordings show them):

* a channel that runs a dialplan is a record's party A; a channel dialled by Queue() or Dial()
  (its ``AppQueue``/``AppDial`` "(Outgoing Line)") is only ever party B;
* a record ends when its party A leaves the bridge it shared with party B (the next starts
  with its next application, ``Hangup`` aside), when party B leaves it (the next starts at
  once and takes whoever joins as its party B), or when party A hangs up; the last
  application and the dialplan location when it ends are its ``lastapp``/``lastdata`` and
  ``dst``/``dcontext``;
* disposition: ANSWERED once bridged (or, with no party B, when the channel was answered),
  NO ANSWER when party B was dialled and never answered;
* a channel's records are written when it hangs up.

Columns: ``cdr.conf`` [csv] ``loguniqueid``, ``loguserfield`` and, with ``newcdrcolumns``
(the line's sample), ``peeraccount, linkedid, sequence``; times in ``zone`` (``usegmtime =
no``: the host's own zone), strings quoted, numbers and an empty answer time not.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TextIO

from simulator.ami_events import AmiEvent

log = logging.getLogger(__name__)

_OUTGOING = frozenset({"AppQueue", "AppDial"})


@dataclass
class _Record:
    start: float
    answer: float | None
    party_b: str = ""
    bridged: bool = False
    b_answered: bool = False
    waiting: bool = False  # opened in a bridge its party B left; no row unless someone joins


@dataclass
class _Channel:
    name: str
    uniqueid: str
    linkedid: str
    src: str
    clid: str
    dst: str
    dcontext: str
    answered_at: float | None
    record: _Record | None  # None between records (after a bridge, until the next app)
    lastapp: str = ""
    lastdata: str = ""
    rows: list[str] | None = None


class CdrWriter:
    def __init__(self, path: Path | None, zone: tzinfo, *, newcdrcolumns: bool = True) -> None:
        """``path`` None: rows are only kept in ``rows``; the file is opened at once (OSError
        here when it cannot be written)."""
        self.path = path
        self.zone = zone
        self.newcdrcolumns = newcdrcolumns
        self.rows: list[str] = []
        self._channels: dict[str, _Channel] = {}
        self._bridges: dict[str, list[str]] = {}
        self._names: dict[str, str] = {}  # every live channel, party A or not
        self._sequence = itertools.count()
        self._file: TextIO | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("a", encoding="utf-8")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __call__(self, event: AmiEvent, at: float) -> None:
        """A PBX listener."""
        headers = dict(event.headers)
        handler = getattr(self, f"_on_{event.name.lower()}", None)
        if handler is not None:
            handler(headers, at)

    # ------------------------------------------------------------------ events

    def _on_newchannel(self, h: dict[str, str], at: float) -> None:
        number, name = _known(h["CallerIDNum"]), _known(h["CallerIDName"])
        self._names[h["Uniqueid"]] = h["Channel"]
        self._channels[h["Uniqueid"]] = _Channel(
            name=h["Channel"],
            uniqueid=h["Uniqueid"],
            linkedid=h["Linkedid"],
            src=number,
            clid=f'"{name}" <{number}>',
            dst=h["Exten"],
            dcontext=h["Context"],
            answered_at=None,
            record=_Record(start=at, answer=None),
        )

    def _on_newexten(self, h: dict[str, str], at: float) -> None:
        channel = self._channels.get(h["Uniqueid"])
        if channel is None:
            return
        if h["Application"] in _OUTGOING and h["AppData"] == "(Outgoing Line)":
            del self._channels[h["Uniqueid"]]  # dialled: party B of its caller's records
            return
        if channel.record is None and h["Application"] != "Hangup":
            channel.record = self._new_record(channel, at)
        channel.lastapp, channel.lastdata = h["Application"], h["AppData"]
        channel.dst, channel.dcontext = h["Exten"], h["Context"]

    def _on_newstate(self, h: dict[str, str], at: float) -> None:
        channel = self._channels.get(h["Uniqueid"])
        if channel is not None and h["ChannelState"] == "6" and channel.answered_at is None:
            channel.answered_at = at
            if channel.record is not None:
                channel.record.answer = channel.record.answer or at

    def _on_newcallerid(self, h: dict[str, str], _at: float) -> None:
        channel = self._channels.get(h["Uniqueid"])
        if channel is not None:
            number, name = _known(h["CallerIDNum"]), _known(h["CallerIDName"])
            channel.src, channel.clid = number, f'"{name}" <{number}>'

    def _on_dialbegin(self, h: dict[str, str], _at: float) -> None:
        channel = self._channels.get(h.get("Uniqueid", ""))
        if channel is not None and channel.record is not None:
            channel.record.party_b = h["DestChannel"]
            channel.record.b_answered = False

    def _on_dialend(self, h: dict[str, str], _at: float) -> None:
        channel = self._channels.get(h.get("Uniqueid", ""))
        if channel is not None and channel.record is not None and h["DialStatus"] == "ANSWER":
            channel.record.b_answered = True

    def _on_bridgeenter(self, h: dict[str, str], at: float) -> None:
        members = self._bridges.setdefault(h["BridgeUniqueid"], [])
        members.append(h["Uniqueid"])
        if len(members) != 2:
            return
        first, second = members
        for mine, theirs in ((first, second), (second, first)):
            channel = self._channels.get(mine)
            if channel is None or theirs not in self._names:
                continue
            peer = self._names[theirs]
            record = channel.record
            if record is None or (record.bridged and record.party_b != peer):
                if record is not None:
                    self._end_record(channel, at)  # a new party B: a new record
                record = channel.record = self._new_record(channel, at)
            record.party_b = peer
            record.bridged = True
            record.waiting = False

    def _on_bridgeleave(self, h: dict[str, str], at: float) -> None:
        members = self._bridges.get(h["BridgeUniqueid"], [])
        if h["Uniqueid"] in members:
            members.remove(h["Uniqueid"])
        leaving = self._names.get(h["Uniqueid"], h["Channel"])
        channel = self._channels.get(h["Uniqueid"])
        if channel is not None and channel.record is not None:
            if channel.record.bridged:
                self._end_record(channel, at)
            if channel.record.bridged or channel.record.waiting:
                channel.record = None  # until the next application or bridge
        for uniqueid in members:
            staying = self._channels.get(uniqueid)
            record = staying.record if staying is not None else None
            if staying is not None and record is not None and record.party_b == leaving:
                self._end_record(staying, at)
                # Still in the bridge: a record that takes whoever joins as its party B (it
                # is dropped if nobody does).
                staying.record = self._new_record(staying, at)
                staying.record.waiting = True

    def _new_record(self, channel: _Channel, at: float) -> _Record:
        return _Record(start=at, answer=at if channel.answered_at is not None else None)

    def _on_bridgedestroy(self, h: dict[str, str], _at: float) -> None:
        self._bridges.pop(h["BridgeUniqueid"], None)

    def _on_hangup(self, h: dict[str, str], at: float) -> None:
        self._names.pop(h["Uniqueid"], None)
        channel = self._channels.pop(h["Uniqueid"], None)
        if channel is None:
            return
        if channel.record is not None:
            self._end_record(channel, at)
        for row in channel.rows or []:
            self._write(row)

    # ------------------------------------------------------------------ rows

    def _end_record(self, channel: _Channel, end: float) -> None:
        record = channel.record
        assert record is not None
        if record.bridged:
            disposition = "ANSWERED"
        elif record.party_b:
            disposition = "ANSWERED" if record.b_answered else "NO ANSWER"
        else:
            disposition = "ANSWERED" if channel.answered_at is not None else "NO ANSWER"
        answer = record.answer if disposition == "ANSWERED" else None
        fields = [
            _quoted(""),
            _quoted(channel.src),
            _quoted(channel.dst),
            _quoted(channel.dcontext),
            _quoted(channel.clid),
            _quoted(channel.name),
            _quoted(record.party_b),
            _quoted(channel.lastapp),
            _quoted(channel.lastdata),
            _quoted(self._time(record.start)),
            _quoted(self._time(answer)) if answer is not None else "",
            _quoted(self._time(end)),
            str(int(end - record.start)),
            str(int(end - answer)) if answer is not None else "0",
            _quoted(disposition),
            _quoted("DOCUMENTATION"),
            _quoted(channel.uniqueid),
            _quoted(""),
        ]
        if self.newcdrcolumns:
            fields += [_quoted(""), _quoted(channel.linkedid), str(next(self._sequence))]
        channel.rows = [*(channel.rows or []), ",".join(fields)]

    def _time(self, epoch: float) -> str:
        return datetime.fromtimestamp(int(epoch), self.zone).strftime("%Y-%m-%d %H:%M:%S")

    def _write(self, row: str) -> None:
        self.rows.append(row)
        if self._file is None:
            return
        try:
            self._file.write(row + "\n")
            self._file.flush()
        except OSError as exc:
            log.error("CDR %s не записывается (%s): дальше только в памяти", self.path, exc)
            self._file = None


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _known(value: str) -> str:
    return "" if value == "<unknown>" else value
