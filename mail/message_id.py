"""A received mail's identity: its Message-ID, or one made from its content when it has none.

The store recognises a second delivery of the same mail by this value, so it must not change
between deliveries: a synthesized id hashes the message without its trace headers (the
``Received`` lines and the like that each relay adds), so the same letter forwarded again
gets the same id.
"""

from __future__ import annotations

import hashlib
import re

MAX_MESSAGE_ID_CHARS = 250
SYNTHESIZED_DOMAIN = "consult-line.invalid"
# Headers added in transit (RFC 5321 trace fields and what common servers add on delivery).
_TRACE_HEADERS = frozenset(
    {
        b"received",
        b"return-path",
        b"delivered-to",
        b"x-original-to",
        b"x-received",
        b"received-spf",
        b"authentication-results",
        b"arc-seal",
        b"arc-message-signature",
        b"arc-authentication-results",
    }
)
_BRACKETED = re.compile(r"<([^<>]*)>")
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_FIELD_START = re.compile(rb"(?m)^(?=[^ \t\r\n])")


def normalised_message_id(header: str) -> str:
    """``local@domain`` from a Message-ID header (the first bracketed id, or the whole value),
    without brackets or whitespace; "" when nothing usable is there."""
    match = _BRACKETED.search(header)
    candidate = match.group(1) if match else header
    compact = "".join(char for char in candidate if char.isprintable() and not char.isspace())
    if not compact or len(compact) > MAX_MESSAGE_ID_CHARS:
        return ""
    return compact


def synthesized_message_id(raw: bytes) -> str:
    """A stable id for a mail without a usable Message-ID: a hash of its bytes, trace headers
    left out."""
    digest = hashlib.sha256(_without_trace_headers(raw)).hexdigest()
    return f"sha256-{digest[:40]}@{SYNTHESIZED_DOMAIN}"


def _without_trace_headers(raw: bytes) -> bytes:
    end = _HEADER_END.search(raw)
    head, body = (raw[: end.start()], raw[end.end() :]) if end else (raw, b"")
    fields = [field for field in _FIELD_START.split(head) if field]
    kept = [field for field in fields if _field_name(field) not in _TRACE_HEADERS]
    header = b"".join(field.rstrip(b"\r\n") + b"\n" for field in kept)
    return (header + b"\n" + body).replace(b"\r\n", b"\n")


def _field_name(field: bytes) -> bytes:
    return field.split(b":", 1)[0].strip().lower()
