"""The AMI stream decoder: however TCP cuts the bytes, the same messages come out whole."""

from __future__ import annotations

import pytest

from ami.stream import MAX_LINE_CHARS, AmiMessage, AmiStreamDecoder, decode_all
from tests.ami.captures import SCENARIOS, capture_bytes, chunks, decode_chunked

CUTS = [(1, 1), (2, 7), (3, 64), (4, 1500)]  # (seed, largest piece in bytes)


@pytest.mark.parametrize("name", SCENARIOS)
@pytest.mark.parametrize(("seed", "max_size"), CUTS)
def test_capture_in_random_pieces_gives_the_same_messages_as_whole(
    name: str, seed: int, max_size: int
) -> None:
    data = capture_bytes(name)
    whole = decode_all(data)
    assert decode_chunked(chunks(data, seed=seed, max_size=max_size)) == whole


@pytest.mark.parametrize("name", SCENARIOS)
def test_capture_starts_with_the_login_reply_and_ends_with_goodbye(name: str) -> None:
    messages = decode_all(capture_bytes(name))
    # The banner "Asterisk Call Manager/11.0.0" is not a message and not a header.
    assert messages[0].items_in_order[0] == ("Response", "Success")
    assert messages[0]["Message"] == "Authentication accepted"
    assert messages[-1]["Response"] == "Goodbye"
    assert all(len(message) > 0 for message in messages)


def test_cyrillic_name_split_inside_a_character_arrives_whole() -> None:
    raw = "Event: Newchannel\r\nCallerIDName: Жанна Абдуллаева\r\nUniqueid: 1.0\r\n\r\n"
    data = raw.encode()
    split_at = data.index("Ж".encode()) + 1  # between the two bytes of "Ж"
    decoder = AmiStreamDecoder()
    assert decoder.feed(data[:split_at]) == []
    assert decoder.pending
    [message] = decoder.feed(data[split_at:])
    assert message["CallerIDName"] == "Жанна Абдуллаева"
    assert not decoder.pending


def test_every_byte_fed_alone_keeps_cyrillic_intact() -> None:
    data = "Event: VarSet\r\nValue: Ислам Магомедов\r\n\r\n".encode()
    [message] = decode_chunked(data[i : i + 1] for i in range(len(data)))
    assert message["Value"] == "Ислам Магомедов"


def test_lf_line_ends_decode_like_crlf() -> None:
    crlf = b"Event: Hangup\r\nCause: 16\r\n\r\nEvent: Newstate\r\n\r\n"
    assert decode_all(crlf.replace(b"\r\n", b"\n")) == decode_all(crlf)
    assert len(decode_all(crlf)) == 2


def test_banner_is_skipped_only_at_the_start_of_the_stream() -> None:
    data = b"Asterisk Call Manager/11.0.0\r\nResponse: Success\r\n\r\n"
    [message] = decode_all(data)
    assert message.items_in_order == (("Response", "Success"),)
    # Without a banner the first line is an ordinary header.
    [plain] = decode_all(b"Event: FullyBooted\r\n\r\n")
    assert plain["Event"] == "FullyBooted"


def test_repeated_headers_are_kept_as_lists_in_order() -> None:
    data = (
        b"Event: Newexten\r\nChanVariable: A=1\r\nUniqueid: 9.1\r\n"
        b"ChanVariable: B=2\r\nChanVariable: C=3\r\n\r\n"
    )
    [message] = decode_all(data)
    assert message["ChanVariable"] == ["A=1", "B=2", "C=3"]
    assert message.all("chanvariable") == ["A=1", "B=2", "C=3"]
    assert message.first("ChanVariable") == "A=1"
    assert message["Uniqueid"] == "9.1"
    assert list(message) == ["Event", "ChanVariable", "Uniqueid"]
    assert dict(message)["ChanVariable"] == ["A=1", "B=2", "C=3"]


def test_lookups_ignore_case_and_empty_values_are_kept() -> None:
    [message] = decode_all(b"Event: Newchannel\r\nAccountCode: \r\nLinkedid: 5.0\r\n\r\n")
    assert message["linkedid"] == "5.0"
    assert "LINKEDID" in message
    assert message["AccountCode"] == ""
    assert message.first("Missing") is None
    with pytest.raises(KeyError):
        message["Missing"]


def test_value_keeps_colons_after_the_first() -> None:
    [message] = decode_all(b"Event: VarSet\r\nValue: agi://127.0.0.1:4573/entry\r\n\r\n")
    assert message["Value"] == "agi://127.0.0.1:4573/entry"


def test_unterminated_tail_is_held_back() -> None:
    decoder = AmiStreamDecoder()
    assert decoder.feed(b"Event: Hangup\r\nCause: 16\r\n") == []
    assert decoder.pending
    assert decode_all(b"Event: Hangup\r\nCause: 16") == []


def test_lines_that_are_not_headers_are_dropped_and_counted() -> None:
    decoder = AmiStreamDecoder()
    [message] = decoder.feed(b"Event: Hangup\r\nnot a header\r\n: no name\r\nCause: 16\r\n\r\n")
    assert message.items_in_order == (("Event", "Hangup"), ("Cause", "16"))
    assert decoder.dropped_lines == 2


def test_endless_line_does_not_grow_the_buffer() -> None:
    decoder = AmiStreamDecoder()
    for _ in range(3):
        decoder.feed(b"x" * (MAX_LINE_CHARS // 2 + 1))
    assert decoder.dropped_lines >= 1
    [message] = decoder.feed(b"\r\nEvent: FullyBooted\r\n\r\n")
    assert message["Event"] == "FullyBooted"


def test_blank_lines_between_messages_make_no_empty_messages() -> None:
    assert decode_all(b"\r\n\r\nEvent: A\r\n\r\n\r\n\r\nEvent: B\r\n\r\n") == [
        AmiMessage([("Event", "A")]),
        AmiMessage([("Event", "B")]),
    ]
