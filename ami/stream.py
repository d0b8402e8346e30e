"""Incremental AMI stream decoder: bytes in, complete messages out. Pure, no I/O.

AMI is a text protocol: ``Name: value`` header lines, a blank line ends a message. TCP
delivers it in arbitrary pieces, so a message, a line or even one UTF-8 character (a
Cyrillic caller name) can be split across reads. The decoder keeps what is incomplete and
hands out only whole messages, in order. Lines may end in CRLF (Asterisk) or LF (test
fixtures); the ``Asterisk Call Manager/x.y.z`` banner the server sends first is skipped.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Mapping, Sequence

# A line longer than this is not AMI: the partial line is dropped (counted) so that a peer
# sending garbage without newlines cannot make the buffer grow without bound.
MAX_LINE_CHARS = 64 * 1024
# A message with more headers than this is cut at the limit (counted).
MAX_HEADERS = 1000

_BANNER = re.compile(r"Asterisk Call Manager/\S+")


class AmiMessage(Mapping[str, str | list[str]]):
    """One AMI message: its headers in arrival order.

    Look-ups ignore case (``msg["uniqueid"]``). A header that occurs once maps to its
    value; a repeated one (``ChanVariable``, ``Variable``, ``Output``) maps to the list of
    its values in order. Iteration yields each header name once, as first spelled.
    """

    __slots__ = ("_index", "_items", "_names")

    def __init__(self, items: Sequence[tuple[str, str]]) -> None:
        self._items = tuple(items)
        index: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        for name, value in self._items:
            key = name.lower()
            index.setdefault(key, []).append(value)
            names.setdefault(key, name)
        self._index = index
        self._names = names

    @property
    def items_in_order(self) -> tuple[tuple[str, str], ...]:
        """Every header line as (name, value), repeats included, in arrival order."""
        return self._items

    def first(self, name: str) -> str | None:
        values = self._index.get(name.lower())
        return values[0] if values else None

    def all(self, name: str) -> list[str]:
        return list(self._index.get(name.lower(), ()))

    def __getitem__(self, name: str) -> str | list[str]:
        values = self._index.get(name.lower())
        if values is None:
            raise KeyError(name)
        return values[0] if len(values) == 1 else list(values)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names.values())

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._index

    def __eq__(self, other: object) -> bool:
        if isinstance(other, AmiMessage):
            return self._items == other._items
        return super().__eq__(other)

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        return f"AmiMessage({list(self._items)!r})"


class AmiStreamDecoder:
    """Feed it bytes as they arrive; get back the messages they complete.

    One decoder per connection: after a reconnect start a new one (a half-received message
    of the old connection must not be glued to the new stream).
    """

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._partial = ""  # text after the last newline
        self._headers: list[tuple[str, str]] = []
        self._at_stream_start = True
        self.dropped_lines = 0  # lines that were not "Name: value" (or too long)
        self.messages = 0

    @property
    def pending(self) -> bool:
        """True while part of a message has been received but not its end."""
        return bool(self._partial or self._headers)

    def feed(self, data: bytes) -> list[AmiMessage]:
        text = self._partial + self._decoder.decode(data)
        lines = text.split("\n")
        self._partial = lines.pop()
        if len(self._partial) > MAX_LINE_CHARS:
            self._partial = ""
            self.dropped_lines += 1
        out: list[AmiMessage] = []
        for line in lines:
            message = self._line(line.removesuffix("\r"))
            if message is not None:
                out.append(message)
        return out

    def _line(self, line: str) -> AmiMessage | None:
        if self._at_stream_start:
            self._at_stream_start = False
            if _BANNER.fullmatch(line):
                return None
        if not line:
            if not self._headers:
                return None
            message = AmiMessage(self._headers)
            self._headers = []
            self.messages += 1
            return message
        name, sep, value = line.partition(":")
        if not sep or not name or len(line) > MAX_LINE_CHARS:
            self.dropped_lines += 1
            return None
        if len(self._headers) >= MAX_HEADERS:
            self.dropped_lines += 1
            return None
        # Asterisk writes "Name: value"; an empty value is "Name: " (or "Name:").
        self._headers.append((name.strip(), value.removeprefix(" ")))
        return None


def decode_all(data: bytes) -> list[AmiMessage]:
    """Every complete message in ``data`` (a recorded stream); an unterminated tail is left out."""
    return AmiStreamDecoder().feed(data)
