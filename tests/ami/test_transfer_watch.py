"""The transfer watch (C10): which events settle an attempt the dialplan guard allowed, on
the recorded attended transfer (completed, and cancelled: tests/ami/transfer_streams.py) and
on blind transfers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ami.events import AmiEvent, VarSet
from ami.transfer_watch import TransferWatch
from models.rules.transfers import TransferEvidence
from tests.ami.transfer_streams import (
    CONSULT_LEG,
    LINKEDID,
    as_events,
    consultation,
    prelude,
)

E = TransferEvidence
AT = "1795867300.000000"


def _signals(watch: TransferWatch, events: Iterable[AmiEvent]) -> list[tuple[str, E]]:
    return [(s.channel_id, s.evidence) for event in events for s in watch.apply(event)]


def _caller(event: str, **headers: str) -> Mapping[str, str]:
    """An event on the caller's own channel (where a blind transfer's guard runs)."""
    channel = {"Channel": "PJSIP/trunk-00000001", "Uniqueid": LINKEDID, "Linkedid": LINKEDID}
    return {"Event": event, "Timestamp": AT, **channel, **headers}


def _dial_end(status: str) -> Mapping[str, str]:
    return {
        **_caller("DialEnd"),
        "DestChannel": "PJSIP/301-00000002",
        "DestUniqueid": "1795867300.2",
        "DestLinkedid": LINKEDID,
        "DialStatus": status,
    }


def _guard(allowed: str) -> list[Mapping[str, str]]:
    return [
        _caller("VarSet", Variable="XFER_LEG", Value="caller"),
        _caller("VarSet", Variable="TRANSFER_ALLOWED", Value=""),
        _caller("VarSet", Variable="TRANSFER_ALLOWED", Value=allowed),
    ]


def test_recorded_attended_transfer_is_answered_then_handed_over() -> None:
    watch = TransferWatch()
    stream = as_events([*prelude(), *consultation(1, completed=True)])
    assert _signals(watch, stream) == [(CONSULT_LEG, E.ANSWERED), (CONSULT_LEG, E.HANDED_OVER)]
    assert watch.armed == 0  # the Local halves' hang-ups after the hand-over change nothing


def test_cancelled_consultation_ends_the_leg_without_a_hand_over() -> None:
    watch = TransferWatch()
    stream = as_events([*prelude(), *consultation(1, completed=False)])
    assert _signals(watch, stream) == [(CONSULT_LEG, E.ANSWERED), (CONSULT_LEG, E.LEG_ENDED)]


def test_handed_over_while_ringing_then_nobody_answered() -> None:
    # The operator hangs up before the employee answers: Asterisk hands the caller over at
    # once ("blond" transfer); the employee's Dial then decides.
    blocks = [*prelude(), *consultation(1, completed=True)]
    [handover] = [b for b in blocks if b["Event"] == "AttendedTransfer"]
    blocks.remove(handover)
    [dial_end] = [b for b in blocks if b["Event"] == "DialEnd" and b.get("Uniqueid") == CONSULT_LEG]
    blocks.insert(blocks.index(dial_end), handover)
    dial_end["DialStatus"] = "NOANSWER"
    signals = _signals(TransferWatch(), as_events(blocks))
    assert signals == [(CONSULT_LEG, E.HANDED_OVER), (CONSULT_LEG, E.NOT_ANSWERED)]


def test_nothing_without_the_guards_marks() -> None:
    # The recording as made (harness dialplan, no guard): no attempt to settle.
    watch = TransferWatch()
    events = as_events([*prelude(), *consultation(1, completed=True)])
    unguarded = [e for e in events if not isinstance(e, VarSet)]
    assert _signals(watch, unguarded) == []


def test_blind_transfer_is_settled_by_the_guards_dial_only() -> None:
    watch = TransferWatch()
    answered = as_events([*_guard("1"), _dial_end("ANSWER"), _dial_end("NOANSWER")])
    assert _signals(watch, answered) == [(LINKEDID, E.ANSWERED)]
    unanswered = as_events([*_guard("1"), _dial_end("BUSY"), _caller("Hangup", Cause="16")])
    assert _signals(watch, unanswered) == [(LINKEDID, E.NOT_ANSWERED)]


def test_a_refused_transfer_back_in_the_queue_is_not_watched() -> None:
    # Unknown employee: TRANSFER_ALLOWED=0, the caller is requeued; the queue's dials to the
    # operators are not the guard's.
    watch = TransferWatch()
    assert _signals(watch, as_events([*_guard("0"), _dial_end("ANSWER")])) == []


def test_after_a_lost_link_nothing_is_settled_from_partial_events() -> None:
    watch = TransferWatch()
    assert _signals(watch, as_events(_guard("1"))) == []
    watch.connection_lost()
    assert _signals(watch, as_events([_dial_end("ANSWER")])) == []
