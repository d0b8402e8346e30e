"""cdr_csv Master.csv parser, call grouping and CDR-only entries (C13), over every capture."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ami.call_record import EntrySource
from ami.cdr import (
    CAPTURES_DIALPLAN,
    CAPTURES_LAYOUT,
    PROJECT_DIALPLAN,
    PROJECT_LAYOUT,
    CdrLayout,
    CdrRow,
    cdr_call_entry,
    cdr_calls_entries,
    group_calls,
    layout_of,
    parse_cdr,
    parse_clid,
)
from ami.channels import device_of
from models.rules.missed import CallFacts, CallOutcome, MissedReason, QueueExit, classify_call
from models.tables.calls import HangupSide
from tests import asterisk_captures
from tests.asterisk_captures import CAPTURES_ETC, Kind, capture_names

ALL_CDRS = capture_names(Kind.CDR)
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def capture_lines(name: str) -> list[str]:
    return asterisk_captures.capture_lines(name, Kind.CDR)


def capture_rows(name: str) -> tuple[CdrRow, ...]:
    parsed = parse_cdr(capture_lines(name), layout=CAPTURES_LAYOUT, tz=UTC)
    assert parsed.garbled == 0
    return parsed.rows


def conf_flags(path: Path) -> dict[str, bool]:
    """The [csv] switches of a cdr.conf."""
    flags: dict[str, bool] = {}
    section = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        text = raw.split(";", 1)[0].strip()
        if text.startswith("["):
            section = text.strip("[]")
        elif "=" in text and section == "csv":
            name, value = (part.strip() for part in text.split("=", 1))
            flags[name] = value.lower() in {"yes", "true", "1", "on"}
    return flags


@pytest.mark.parametrize(
    ("conf", "layout", "columns"),
    [
        (CAPTURES_ETC / "cdr.conf", CAPTURES_LAYOUT, 18),
        (PROJECT_ROOT / "asterisk" / "etc" / "cdr.conf", PROJECT_LAYOUT, 21),
    ],
)
def test_layouts_match_the_configs(conf: Path, layout: CdrLayout, columns: int) -> None:
    flags = conf_flags(conf)
    assert layout == CdrLayout(
        loguniqueid=flags.get("loguniqueid", False),
        loguserfield=flags.get("loguserfield", False),
        newcdrcolumns=flags.get("newcdrcolumns", False),
    )
    assert len(layout.columns) == columns


def test_layout_columns_in_cdr_csv_order() -> None:
    assert PROJECT_LAYOUT.columns[-6:] == (
        "amaflags",
        "uniqueid",
        "userfield",
        "peeraccount",
        "linkedid",
        "sequence",
    )
    assert CdrLayout(loguserfield=False, newcdrcolumns=True).columns[-4:] == (
        "uniqueid",
        "peeraccount",
        "linkedid",
        "sequence",
    )
    with pytest.raises(ValueError, match="loguniqueid"):
        CdrLayout(loguniqueid=False)


@pytest.mark.parametrize("name", ALL_CDRS)
def test_every_capture_parses(name: str) -> None:
    lines = capture_lines(name)
    parsed = parse_cdr(lines, layout=CAPTURES_LAYOUT, tz=UTC)
    assert parsed.garbled == 0
    assert not parsed.partial_tail
    assert len(parsed.rows) == len(lines)
    # the other layout does not fit: the column map is never guessed
    assert parse_cdr(lines, layout=PROJECT_LAYOUT, tz=UTC).garbled == len(lines)


def test_row_fields() -> None:
    rows = capture_rows("b-abandoned")
    agent = rows[1]
    assert agent.channel == "Local/agent1@harness-agents-00000001;2"
    assert agent.answer is None  # empty, unquoted
    assert agent.disposition == "FAILED"
    queue = rows[2]
    assert queue.clid == '"Ivan Petrov" <79281234567>'
    assert queue.lastapp == "Queue"
    assert queue.lastdata == "consult,tc,,,120"
    assert queue.start == at(1795867085)
    assert queue.end == at(1795867093)
    assert (queue.duration, queue.billsec, queue.disposition) == (8, 8, "NO ANSWER")
    assert queue.uniqueid == "1795867085.0"
    assert queue.linkedid == ""


def test_local_time_is_converted_to_utc() -> None:
    moscow = ZoneInfo("Europe/Moscow")
    lines = [line.replace("11:58:", "14:58:") for line in capture_lines("c-afterhours")]
    rows = parse_cdr(lines, layout=CAPTURES_LAYOUT, tz=moscow).rows
    assert rows[0].start == at(1795867123)


# Captures -> (calls found, queue_exit, operator, hang-up side guess). One call each: the
# harness's ;2 caller half, agent legs and Local transfer pairs are legs, not calls.
EXPECTED = {
    "a-answered": (QueueExit.CONNECTED, "Local/agent1@harness-agents", HangupSide.SYSTEM),
    "a2-answered-caller-hangs-up": (QueueExit.CONNECTED, "Local/agent1@harness-agents", None),
    "b-abandoned": (QueueExit.ABANDONED, "", HangupSide.CALLER),
    "c-afterhours": (QueueExit.NOT_QUEUED, "", HangupSide.SYSTEM),
    "c2-noagents-joinempty": (QueueExit.EMPTY, "", HangupSide.SYSTEM),
    "d-blind-transfer-chain": (QueueExit.CONNECTED, "Local/agent1@harness-agents", None),
    "d2-blind-transfer-third-refused": (
        QueueExit.CONNECTED,
        "Local/agent1@harness-agents",
        HangupSide.SYSTEM,
    ),
    "e-attended-transfer": (QueueExit.CONNECTED, "Local/agent1@harness-agents", HangupSide.SYSTEM),
    "f-agi-caller-hangup": (QueueExit.NOT_QUEUED, "", HangupSide.CALLER),
    "f3-agi-caller-hangup-nosighup": (QueueExit.NOT_QUEUED, "", HangupSide.CALLER),
    "g-agi-server-down": (QueueExit.NOT_QUEUED, "", HangupSide.SYSTEM),
    "ivr-dtmf": (QueueExit.NOT_QUEUED, "", HangupSide.SYSTEM),
    "x-full-flow-ivr-queue-survey": (
        QueueExit.CONNECTED,
        "Local/agent1@harness-agents",
        HangupSide.SYSTEM,
    ),
}


@pytest.mark.parametrize("name", ALL_CDRS)
def test_capture_calls(name: str) -> None:
    rows = capture_rows(name)
    calls = group_calls(rows, dialplan=CAPTURES_DIALPLAN)
    (linkedid,) = calls
    # the inbound channel: the harness's "incoming call" ;1 half, first channel of the run
    assert linkedid.endswith(".0")
    call = calls[linkedid]
    assert {row.channel for row in call.rows} == {"Local/caller@harness-caller-00000000;1"}
    entry = cdr_call_entry(call, dialplan=CAPTURES_DIALPLAN)
    exit_, operator, side = EXPECTED[name]
    assert entry.source is EntrySource.CDR
    assert entry.linkedid == linkedid
    assert entry.queue_exit is exit_
    assert entry.operator_interface == operator
    assert entry.hangup_side is side
    assert (entry.answered_at is not None) == (exit_ is QueueExit.CONNECTED)
    assert entry.caller_number == "79281234567"
    assert entry.caller_name == "Ivan Petrov"
    assert entry.arrived_at == min(row.start for row in rows)
    assert entry.ended_at == max(row.end for row in call.rows)
    assert entry.queue_joined_at is None  # the CDR has no queue times
    assert entry.queue_wait_s is None
    assert entry.transfers == ()


def verdict(name: str, *, in_working_hours: bool = True) -> tuple[CallOutcome, object]:
    (entry,) = cdr_calls_entries(capture_rows(name), dialplan=CAPTURES_DIALPLAN).values()
    assert entry.ended_at is not None
    result = classify_call(
        CallFacts(
            arrived_at=entry.arrived_at,
            ended_at=entry.ended_at,
            in_working_hours=in_working_hours,
            reached_operator=entry.reached_operator,
            queue_exit=entry.queue_exit,
        )
    )
    return result.outcome, result.missed_reason


def test_c2_joinempty_is_missed_for_no_operators() -> None:
    """C13: JOINEMPTY writes no queue_log line and no queue event. The CDR's last location
    (the queue extension, or consult-line-fallback,no-operators in the project's dialplan)
    without any queue_log line is the only trace: the call was refused by the queue."""
    assert verdict("c2-noagents-joinempty") == (CallOutcome.MISSED, MissedReason.NO_OPERATORS)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("f-agi-caller-hangup", MissedReason.ABANDONED_IN_IVR),
        ("f3-agi-caller-hangup-nosighup", MissedReason.ABANDONED_IN_IVR),
        # AGI down: the harness played a message and hung up; in working hours the project's
        # dialplan queues the caller instead (consult-line-fallback, entry-failed).
        ("g-agi-server-down", MissedReason.ABANDONED_IN_IVR),
        ("b-abandoned", MissedReason.ABANDONED_IN_QUEUE),
    ],
)
def test_cdr_only_missed_calls(name: str, reason: MissedReason) -> None:
    assert verdict(name) == (CallOutcome.MISSED, reason)


def test_after_hours_is_not_missed() -> None:
    assert verdict("c-afterhours", in_working_hours=False) == (CallOutcome.AFTER_HOURS, None)


def test_answered_via_the_queue_member_leg() -> None:
    assert verdict("a-answered") == (CallOutcome.ANSWERED, None)
    (entry,) = cdr_calls_entries(capture_rows("a-answered"), dialplan=CAPTURES_DIALPLAN).values()
    # approximate: the row of the inbound channel (answered by the IVR) starts the bridge
    assert entry.answered_at == at(1795867058)
    assert entry.talk_s == 8.0


# -------------------------------------------------------------------------------- layouts


def with_linkedid(name: str, *, linkedid: str) -> list[str]:
    """A capture's lines rewritten as newcdrcolumns would have written them."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for sequence, fields in enumerate(csv.reader(capture_lines(name))):
        writer.writerow([*fields, "", linkedid, str(sequence)])
    return out.getvalue().splitlines(keepends=True)


def test_project_layout_groups_by_linkedid() -> None:
    lines = with_linkedid("e-attended-transfer", linkedid="1795867227.0")
    parsed = parse_cdr(lines, layout=PROJECT_LAYOUT, tz=UTC)
    assert parsed.garbled == 0
    assert parsed.rows[0].sequence == 0
    calls = group_calls(parsed.rows, dialplan=CAPTURES_DIALPLAN)
    call = calls["1795867227.0"]
    assert list(calls) == ["1795867227.0"]
    assert len(call.rows) == 4  # the inbound channel's own rows
    assert len(call.legs) == 7  # agent, transfer and caller-half legs
    entry = cdr_call_entry(call, dialplan=CAPTURES_DIALPLAN)
    assert entry.operator_interface == "Local/agent1@harness-agents"


def test_callbacks_are_not_inbound_calls() -> None:
    # C11 callbacks: Originate to the operator's device into consult-line-callback
    fields = [
        "",
        "201",
        "s",
        "consult-line-callback",
        '"Оператор" <201>',
        "PJSIP/201-0000000a",
        "PJSIP/trunk-0000000b",
        "Dial",
        "PJSIP/79281234567@trunk,60",
        "2026-11-28 12:10:00",
        "2026-11-28 12:10:05",
        "2026-11-28 12:11:00",
        "60",
        "55",
        "ANSWERED",
        "DOCUMENTATION",
        "1795867800.20",
        "",
        "",
        "1795867800.20",
        "1",
    ]
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(fields)
    rows = parse_cdr([out.getvalue()], layout=PROJECT_LAYOUT, tz=UTC).rows
    assert len(rows) == 1
    assert group_calls(rows, dialplan=PROJECT_DIALPLAN) == {}


@pytest.mark.parametrize(
    ("context", "the_lines"),
    [
        ("consult-line-inbound", True),  # the trunk's context: the IVR
        ("consult-line-fallback", True),  # the line's "no operators" message
        ("consult-line-operators", False),  # an operator calling another (extensions.conf)
        ("from-trunk-sales", False),  # another department's number on the same PBX
    ],
)
def test_only_calls_in_the_lines_contexts_are_the_lines(context: str, the_lines: bool) -> None:
    # ami.line_calls: the same contexts the live call log logs a call by
    def project_row(sequence: int, fields: list[str]) -> list[str]:
        fields[3] = context  # dcontext
        return [*fields, "", fields[16], str(sequence)]

    lines = rewritten("c-afterhours", project_row)[:1]  # the inbound channel's row
    rows = parse_cdr(lines, layout=PROJECT_LAYOUT, tz=UTC).rows
    assert list(group_calls(rows, dialplan=PROJECT_DIALPLAN)) == (
        ["1795867123.0"] if the_lines else []
    )


def test_garbled_and_partial_rows() -> None:
    good = capture_lines("c-afterhours")
    lines = [
        "\n",
        'just "garbage\n',
        '"","1","2"\n',  # too few columns
        good[0].replace("2026-11-28 11:58:43", "yesterday"),  # bad time
        good[0].replace(",2,2,", ",two,2,"),  # bad number
        good[0].replace('"1795867123.0"', '""'),  # no uniqueid
        good[0],
        good[1].rstrip("\n"),  # still being written
    ]
    parsed = parse_cdr(lines, layout=CAPTURES_LAYOUT, tz=UTC)
    assert parsed.blank == 1
    assert parsed.garbled == 5
    assert parsed.garbled_line_nos == (2, 3, 4, 5, 6)
    assert parsed.partial_tail
    assert [row.uniqueid for row in parsed.rows] == ["1795867123.0"]


def test_not_before_drops_old_rows() -> None:
    rows = parse_cdr(
        capture_lines("d-blind-transfer-chain"),
        layout=CAPTURES_LAYOUT,
        tz=UTC,
        not_before=at(1795867163) + timedelta(seconds=7),
    ).rows
    assert all(row.end >= at(1795867170) for row in rows)
    assert len(rows) == 5


@pytest.mark.parametrize(
    ("channel", "interface"),
    [
        ("PJSIP/201-0000002a", "PJSIP/201"),
        ("Local/agent1@harness-agents-00000001;1", "Local/agent1@harness-agents"),
        ("SIP/trunk-00ab12cd", "SIP/trunk"),
        ("PJSIP/201", "PJSIP/201"),
    ],
)
def test_channel_interface(channel: str, interface: str) -> None:
    assert device_of(channel) == interface


@pytest.mark.parametrize(
    ("clid", "expected"),
    [
        ('"Ivan Petrov" <79281234567>', ("Ivan Petrov", "79281234567")),
        ('"" <>', ("", "")),
        ("Ivan <79281234567>", ("Ivan", "79281234567")),
        ('"Иван "Ваня" Петров" <79281234567>', ('Иван "Ваня" Петров', "79281234567")),
        ("79281234567", ("", "79281234567")),
    ],
)
def test_parse_clid(clid: str, expected: tuple[str, str]) -> None:
    assert parse_clid(clid) == expected


# --------------------------------------------------------------------------------------------
# Layout detection: both of Asterisk's layouts are read without being told which one


def rewritten(name: str, edit: Callable[[int, list[str]], list[str]]) -> list[str]:
    """A capture's CDR lines with each row's fields passed through ``edit(sequence, fields)``."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for sequence, fields in enumerate(csv.reader(capture_lines(name))):
        writer.writerow(edit(sequence, fields))
    return out.getvalue().splitlines(keepends=True)


def test_the_default_and_the_projects_layouts_are_detected_row_by_row() -> None:
    # Asterisk's default (18 columns, the recordings) followed by rows written after
    # newcdrcolumns = yes was switched on (21 columns): one file, every row read.
    old = capture_lines("b-abandoned")
    new = with_linkedid("c-afterhours", linkedid="1795867123.0")
    parsed = parse_cdr(old + new, tz=UTC)
    assert parsed.garbled == 0
    assert dict(parsed.layouts) == {CAPTURES_LAYOUT: len(old), PROJECT_LAYOUT: len(new)}
    assert [row.linkedid for row in parsed.rows] == [""] * len(old) + ["1795867123.0"] * len(new)
    # rows without a Linkedid among them: grouped by Uniqueid, both calls found
    calls = group_calls(parsed.rows, dialplan=CAPTURES_DIALPLAN)
    assert set(calls) == {"1795867085.0", "1795867123.0"}


@pytest.mark.parametrize(
    ("loguserfield", "newcdrcolumns", "columns"),
    [(False, False, 17), (True, False, 18), (False, True, 20), (True, True, 21)],
)
def test_every_layout_with_a_uniqueid_is_readable(
    loguserfield: bool, newcdrcolumns: bool, columns: int
) -> None:
    def layout(sequence: int, fields: list[str]) -> list[str]:
        base, uniqueid, userfield = fields[:16], fields[16], fields[17]
        extra = ["", uniqueid, str(sequence)] if newcdrcolumns else []
        return [*base, uniqueid, *([userfield] if loguserfield else []), *extra]

    lines = rewritten("a-answered", layout)
    parsed = parse_cdr(lines, tz=UTC)
    expected = CdrLayout(loguserfield=loguserfield, newcdrcolumns=newcdrcolumns)
    assert len(expected.columns) == columns
    assert dict(parsed.layouts) == {expected: len(lines)}
    assert [row.uniqueid for row in parsed.rows] == [
        row.uniqueid for row in capture_rows("a-answered")
    ]


@pytest.mark.parametrize(
    "edit",
    [
        lambda _seq, fields: fields[:16],  # loguniqueid = no, loguserfield = no
        lambda _seq, fields: [*fields[:16], fields[17]],  # userfield only: 17 columns
        lambda seq, fields: [*fields[:16], fields[17], "", "", str(seq)],  # 20, no uniqueid
    ],
    ids=["16", "17-userfield", "20-userfield-newcdrcolumns"],
)
def test_rows_without_a_uniqueid_are_counted_not_misread(
    edit: Callable[[int, list[str]], list[str]],
) -> None:
    lines = rewritten("a-answered", edit)
    parsed = parse_cdr(lines, tz=UTC)
    assert parsed.rows == ()
    assert parsed.without_uniqueid == parsed.garbled == len(lines)


def test_layout_of_needs_a_uniqueid_where_the_layout_has_one() -> None:
    (fields,) = csv.reader(capture_lines("c-afterhours")[:1])
    assert layout_of(fields) == CAPTURES_LAYOUT
    assert layout_of([*fields[:16], "not-a-uniqueid", fields[17]]) is None
    assert layout_of(fields[:5]) is None
