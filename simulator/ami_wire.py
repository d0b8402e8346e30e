"""The manager protocol's wire format, as Asterisk's ``main/manager.c`` reads and writes it.

A message is ``Key: value`` lines ending in CRLF, closed by an empty line. Asterisk reads a
request line by line, accepting LF alone too, and looks headers up case-insensitively
(``astman_get_header``), the first occurrence winning; a repeated header (``Variable``) is
read in order. Replies: ``Response``, ``ActionID`` (when the request had one), ``EventList``
for lists, ``Message`` (``astman_send_response_full``); a list ends with an event named
``…Complete`` carrying ``EventList: Complete`` and ``ListItems`` (``astman_send_list_complete``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from simulator.ami_events import AmiEvent

EOL = "\r\n"
BANNER = b"Asterisk Call Manager/11.0.0\r\n"  # AMI_VERSION of Asterisk 22 (the recordings)
MAX_LINE = 1025  # manager.c: a request line longer than this is cut
MAX_HEADERS = 128  # AST_MAX_MANHEADERS


def format_message(headers: Iterable[tuple[str, str]]) -> bytes:
    return ("".join(f"{key}: {value}{EOL}" for key, value in headers) + EOL).encode("utf-8")


def timestamp(epoch: float) -> str:
    """``Timestamp: 1795867058.735585`` (``timestampevents = yes``)."""
    seconds = int(epoch)
    micros = round((epoch - seconds) * 1_000_000)
    if micros == 1_000_000:
        seconds, micros = seconds + 1, 0
    return f"{seconds}.{micros:06d}"


def event_bytes(event: AmiEvent, at: float | None) -> bytes:
    """The event as sent; ``at`` None leaves out ``Timestamp`` (FullyBooted at login)."""
    head = [("Event", event.name), ("Privilege", event.privilege)]
    if at is not None:
        head.append(("Timestamp", timestamp(at)))
    return format_message([*head, *event.headers])


@dataclass(frozen=True, slots=True)
class Request:
    """One action as received: its headers in order."""

    headers: tuple[tuple[str, str], ...]

    def get(self, name: str) -> str:
        """The first value of header ``name`` (any case), "" when absent."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return ""

    def values(self, name: str) -> list[str]:
        lowered = name.lower()
        return [value for key, value in self.headers if key.lower() == lowered]

    @property
    def action(self) -> str:
        """``Action``, the first non-empty one (``GET_HEADER_SKIP_EMPTY``)."""
        return next((v for k, v in self.headers if k.lower() == "action" and v.strip()), "")

    @property
    def action_id(self) -> str:
        return self.get("ActionID")


def parse_line(line: str) -> tuple[str, str] | None:
    """``Key: value`` → a pair; Asterisk skips the blanks after the colon."""
    key, sep, value = line.partition(":")
    if not sep or not key:
        return None
    return key.strip(), value.lstrip(" ")


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """The next request, or None at the end of the stream."""
    headers: list[tuple[str, str]] = []
    while True:
        try:
            raw = await reader.readuntil(b"\n")
        except asyncio.IncompleteReadError:
            return None
        except asyncio.LimitOverrunError as exc:
            await reader.readexactly(exc.consumed)  # an overlong line: dropped, as cut
            continue
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")[:MAX_LINE]
        if not line:
            if headers:
                return Request(tuple(headers))
            continue
        pair = parse_line(line)
        if pair is not None and len(headers) < MAX_HEADERS:
            headers.append(pair)


def response(
    request: Request,
    status: str,
    message: str | None,
    *,
    list_flag: str | None = None,
    extra: Sequence[tuple[str, str]] = (),
) -> bytes:
    """``astman_send_response_full``: Response, ActionID, EventList, then Message."""
    headers: list[tuple[str, str]] = [("Response", status)]
    if request.action_id:
        headers.append(("ActionID", request.action_id))
    if list_flag is not None:
        headers.append(("EventList", list_flag))
    headers.extend(extra)
    if message is not None:
        headers.append(("Message", message))
    return format_message(headers)


def list_item(request: Request, event: AmiEvent, *, id_first: bool) -> bytes:
    """An event of a list reply: ``ActionID`` right after ``Event`` (CoreShowChannel) or
    after the event's own headers (QueueStatus's events), as Asterisk writes each."""
    action_id: list[tuple[str, str]] = (
        [("ActionID", request.action_id)] if request.action_id else []
    )
    if id_first:
        return format_message([("Event", event.name), *action_id, *event.headers])
    return format_message([("Event", event.name), *event.headers, *action_id])


def list_complete(request: Request, name: str, count: int) -> bytes:
    headers: list[tuple[str, str]] = [("Event", name)]
    if request.action_id:
        headers.append(("ActionID", request.action_id))
    headers += [("EventList", "Complete"), ("ListItems", str(count))]
    return format_message(headers)
