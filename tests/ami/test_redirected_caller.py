"""A caller redirected out of the queue's bridge by another AMI client (issue 9).

Asterisk then sends ``AgentComplete`` without ``Channel`` and ``DestChannel`` (the ids, the
member's Interface, TalkTime and ``Reason: caller`` are there) and queue_log writes
``COMPLETECALLER``. The stream here is a recorded call with its AgentComplete so changed and
the queue_log derived the same way; the call logged live and the call reconciled from the
files alone must agree, talk time and hang-up side included (C13; ``ami.projector``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from ami.events import AgentComplete, ParseStats, parse_event
from ami.projector import CallLogProjector
from ami.stream import AmiMessage, decode_all
from models.settings import Settings
from models.tables.calls import HangupSide
from tests.ami.captures import HARNESS_CONTEXTS, RECEIVED_AT, capture_messages, events_of
from tests.ami.fake_ami import format_message
from tests.ami.test_outage import assert_same_call, feed, make_store, reconcile, rows
from tests.asterisk_captures import Kind, capture_lines
from tests.conftest import EngineFactory

# The capture, and the Reason its AgentComplete had.
CALLS = {"a-answered": "agent", "a2-answered-caller-hangs-up": "caller"}
DROPPED = ("Channel", "DestChannel")


def redirected(message: AmiMessage) -> AmiMessage:
    """The AgentComplete as it arrives after a Redirect of the caller's channel."""
    headers = {
        key: value for key, value in message.items() if key not in DROPPED
    }  # fmt: skip
    headers["Reason"] = "caller"
    [changed] = decode_all(format_message(headers))
    return changed


def redirected_stream(name: str) -> list[AmiMessage]:
    return [
        redirected(message) if message.first("Event") == "AgentComplete" else message
        for message in capture_messages(name)
    ]


def redirected_files(name: str, directory: Path, settings: Settings) -> Settings:
    """queue_log with COMPLETECALLER (the CDR is what Asterisk wrote)."""
    directory.mkdir(parents=True, exist_ok=True)
    queue_log = directory / "queue_log"
    queue_log.write_text(
        "".join(
            line.replace("|COMPLETEAGENT|", "|COMPLETECALLER|")
            for line in capture_lines(name, Kind.QUEUE_LOG)
        ),
        encoding="utf-8",
        newline="",
    )
    return settings.model_copy(update={"queue_log_path": queue_log})


def test_agent_complete_without_its_channels_is_parsed_from_the_ids() -> None:
    [message] = [m for m in redirected_stream("a-answered") if m.first("Event") == "AgentComplete"]
    assert message.first("Channel") is None
    assert message.first("DestChannel") is None
    stats = ParseStats()
    event = parse_event(message, RECEIVED_AT, stats)
    assert not stats.rejected
    assert isinstance(event, AgentComplete)
    assert (event.uniqueid, event.linkedid, event.chan.name) == (
        "1795867058.0",
        "1795867058.0",
        "",
    )
    assert event.member is not None
    assert event.member.uniqueid == "1795867058.2"
    assert (event.interface, event.queue, event.talk_time, event.reason) == (
        "Local/agent1@harness-agents",
        "consult",
        6,
        "caller",
    )
    # Without even the caller's Uniqueid the event cannot be keyed: rejected, counted.
    keyless = {k: v for k, v in message.items() if k not in ("Uniqueid", "Linkedid")}
    assert parse_event(keyless, RECEIVED_AT, stats) is None
    assert list(stats.rejected) == ["AgentComplete: missing Channel/Uniqueid"]


@pytest.mark.parametrize("name", CALLS)
def test_live_and_reconciled_records_of_a_redirected_caller_agree(
    engine_factory: EngineFactory, tmp_path: Path, name: str
) -> None:
    events = events_of(redirected_stream(name))
    live_engine: Engine = engine_factory()
    store, _settings = make_store(live_engine, name)
    projector = CallLogProjector(line_contexts=HARNESS_CONTEXTS)
    assert feed(projector, store, events, events[-1].at) == []
    (live,) = rows(live_engine).values()

    files_engine = engine_factory()
    store_b, settings_b = make_store(files_engine, name)
    reconcile(store_b, redirected_files(name, tmp_path, settings_b), name, events)
    (reconciled,) = rows(files_engine).values()

    assert_same_call(live, reconciled)
    assert live.call.talk_s == reconciled.call.talk_s == 6.0  # TalkTime, COMPLETECALLER's 6
    assert live.call.hangup_side is reconciled.call.hangup_side is HangupSide.CALLER
