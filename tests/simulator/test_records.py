"""The simulator's own records, as Asterisk writes them: ``queue_log`` and the CDR.

A replayed recording's queue_log equals the recorded one line for line, but for what cannot
be the same (the member leg's Uniqueid: the recordings' caller was a Local pair, one more
channel; a bridge's random id; ring times in milliseconds, to the second). Both files,
read by the project's own reconciliation readers (``ami.queue_log``, ``ami.cdr``), give the
entries the recordings' files give: what the line reconciles after an AMI outage.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ami.call_record import CallLogEntry
from ami.cdr import CAPTURES_DIALPLAN, CAPTURES_LAYOUT, PROJECT_LAYOUT, cdr_calls_entries, parse_cdr
from ami.queue_log import fold_calls, parse_queue_log, queue_call_entry
from simulator.ami_events import AmiEvent
from simulator.cdr import CdrWriter
from simulator.queue_log import QueueLog
from tests.asterisk_captures import Kind, capture_lines
from tests.simulator.replay import PLAYABLE, replay

_RING_EVENTS = frozenset({"RINGCANCELED", "RINGNOANSWER"})


def _comparable(line: str) -> str:
    fields = line.rstrip("\n").split("|")
    event = fields[4] if len(fields) > 4 else ""
    if event == "QUEUESTART":
        fields[0] = "<start>"  # when the recording's Asterisk started, before the call
    if event == "CONNECT":
        fields[6] = "<member leg>"
    if event == "ATTENDEDTRANSFER":
        fields[6] = "<bridge>"
    if event in _RING_EVENTS:
        fields[5] = str(round(int(fields[5]) / 1000))
    return "|".join(fields)


@pytest.mark.parametrize("name", PLAYABLE)
async def test_the_queue_log_is_the_recorded_one(name: str) -> None:
    played = await replay(name)
    recorded = [_comparable(line) for line in capture_lines(name, Kind.QUEUE_LOG)]
    assert [_comparable(line) for line in played.queue_log] == recorded


def _queue_log_entries(lines: list[str]) -> dict[str, CallLogEntry]:
    return {
        callid: queue_call_entry(call, accept_transferred_out=True)
        for callid, call in fold_calls(parse_queue_log(lines).lines).items()
    }


def _cdr_entries(lines: list[str]) -> dict[str, CallLogEntry]:
    rows = parse_cdr(lines, tz=UTC, layout=CAPTURES_LAYOUT)
    assert rows.garbled == 0
    return dict(cdr_calls_entries(rows.rows, dialplan=CAPTURES_DIALPLAN))


def _same(ours: CallLogEntry, theirs: CallLogEntry) -> None:
    assert ours.linkedid == theirs.linkedid
    assert ours.queue_exit is theirs.queue_exit
    assert ours.operator_interface == theirs.operator_interface
    assert ours.hangup_side is theirs.hangup_side
    assert (ours.caller_number, ours.caller_name) == (theirs.caller_number, theirs.caller_name)
    assert [(t.kind, t.to_extension, t.outcome) for t in ours.transfers] == [
        (t.kind, t.to_extension, t.outcome) for t in theirs.transfers
    ]
    for mine, recorded in (
        (ours.answered_at, theirs.answered_at),
        (ours.ended_at, theirs.ended_at),
    ):
        assert (mine is None) == (recorded is None)
        if mine is not None and recorded is not None:
            assert abs((mine - recorded).total_seconds()) <= 1


@pytest.mark.parametrize("name", PLAYABLE)
async def test_reconciling_from_the_queue_log_gives_the_recordings_entry(name: str) -> None:
    played = await replay(name)
    ours = _queue_log_entries([line + "\n" for line in played.queue_log])
    theirs = _queue_log_entries(capture_lines(name, Kind.QUEUE_LOG))
    assert ours.keys() == theirs.keys()
    for callid, entry in theirs.items():
        _same(ours[callid], entry)


@pytest.mark.parametrize("name", PLAYABLE)
async def test_reconciling_from_the_cdr_gives_the_recordings_entry(name: str) -> None:
    played = await replay(name)
    ours = _cdr_entries([row + "\n" for row in played.cdr.rows])
    theirs = _cdr_entries(capture_lines(name, Kind.CDR))
    assert ours.keys() == theirs.keys()
    for linkedid, entry in theirs.items():
        _same(ours[linkedid], entry)


async def test_cdr_rows_have_the_recorded_columns() -> None:
    played = await replay("a-answered")
    recorded = list(csv.reader(capture_lines("a-answered", Kind.CDR)))
    ours = list(csv.reader(played.cdr.rows))
    assert {len(row) for row in ours} == {len(CAPTURES_LAYOUT.columns)}
    inbound = [row for row in ours if row[5].startswith("PJSIP/trunk-")]
    recorded_inbound = [row for row in recorded if row[5].endswith("caller-00000000;1")]
    # lastapp, lastdata, disposition, amaflags of each of the caller's records
    assert [(r[7], r[8], r[14], r[15]) for r in inbound] == [
        (r[7], r[8], r[14], r[15]) for r in recorded_inbound
    ]


def test_files_are_written_as_they_go(tmp_path: Path) -> None:
    queue_log = QueueLog(tmp_path / "queue_log")
    queue_log.write(1795867058.7, "1795867058.0", "consult-line", "NONE", "ENTERQUEUE", "",
                    "79281234567", "1")  # fmt: skip
    assert (tmp_path / "queue_log").read_text() == (
        "1795867058|1795867058.0|consult-line|NONE|ENTERQUEUE||79281234567|1\n"
    )
    queue_log.close()


def test_the_lines_cdr_has_the_projects_layout_in_the_host_zone() -> None:
    """``newcdrcolumns = yes`` (21 columns, Linkedid and sequence), times in the given zone:
    a call that rang three seconds and was never answered."""
    writer = CdrWriter(None, ZoneInfo("Europe/Moscow"))
    channel = (
        ("Channel", "PJSIP/trunk-00000000"),
        ("ChannelState", "4"),
        ("ChannelStateDesc", "Ring"),
        ("CallerIDNum", "79281234567"),
        ("CallerIDName", "<unknown>"),
        ("ConnectedLineNum", "<unknown>"),
        ("ConnectedLineName", "<unknown>"),
        ("Language", "ru"),
        ("AccountCode", ""),
        ("Context", "consult-line-inbound"),
        ("Exten", "78722678091"),
        ("Priority", "1"),
        ("Uniqueid", "1796626800.0"),
        ("Linkedid", "1796626800.0"),
    )
    start = datetime(2026, 12, 7, 7, 0, tzinfo=UTC).timestamp()  # 10:00 in Moscow
    writer(AmiEvent("Newchannel", "call,all", channel), start)
    writer(AmiEvent("Hangup", "call,all", (*channel, ("Cause", "16"))), start + 3)
    [row] = list(csv.reader(writer.rows))
    assert len(row) == len(PROJECT_LAYOUT.columns)
    assert (row[9], row[10], row[11]) == ("2026-12-07 10:00:00", "", "2026-12-07 10:00:03")
    assert (row[12], row[13], row[14]) == ("3", "0", "NO ANSWER")
    assert (row[16], row[19], row[20]) == ("1796626800.0", "1796626800.0", "0")
