"""A MIME tree sorted into the letter's text and its files.

* ``multipart/alternative``: one version is the text (plain preferred, else HTML, else a
  ``multipart/related`` holding the HTML); the files inside the versions not chosen (an HTML
  version's inline images) are still files.
* Other multiparts: every child in order.
* A ``text/plain`` or ``text/html`` part that is not marked as an attachment and has no file
  name is text (some mailers split the text around an attachment); every other leaf,
  a forwarded ``message/rfc822`` included, is a file.

Charsets: the declared one, bytes it cannot decode replaced; an unknown or missing one: UTF-8
if the bytes are UTF-8, else windows-1251 (the usual Russian 8-bit mail), with replacement.
Nothing here raises on a broken part: the email package records defects and hands back what
it could decode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage, Message

from mail.html_text import html_to_text

FALLBACK_CHARSET = "windows-1251"
_TEXT_TYPES = ("text/plain", "text/html")


@dataclass
class SortedParts:
    texts: list[str] = field(default_factory=list)
    files: list[Message] = field(default_factory=list)


def sort_parts(message: EmailMessage) -> SortedParts:
    """The message's texts (HTML already plain) and file parts, in the order they came."""
    found = SortedParts()
    _sort(message, found)
    return found


def file_bytes(part: Message) -> bytes:
    """A file part's content, transfer encoding undone (a forwarded message as sent)."""
    if part.get_content_maintype() == "message":
        inner = part.get_payload(0) if part.is_multipart() else part.get_payload()
        return inner.as_bytes() if isinstance(inner, Message) else str(inner).encode()
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _sort(part: Message, found: SortedParts) -> None:
    if part.get_content_maintype() == "multipart":
        children = [child for child in part.get_payload() if isinstance(child, Message)]
        if part.get_content_subtype() == "alternative" and children:
            chosen = _preferred_version(children)
            for child in children:
                # The versions not chosen say the same; only their files are kept.
                _sort(child, found if child is chosen else SortedParts(files=found.files))
        else:
            for child in children:
                _sort(child, found)
    elif _is_text(part):
        text = _decoded_text(part)
        found.texts.append(html_to_text(text) if part.get_content_subtype() == "html" else text)
    else:
        found.files.append(part)


def _preferred_version(versions: list[Message]) -> Message:
    for wanted in ("text/plain", "text/html"):
        for version in versions:
            if version.get_content_type() == wanted:
                return version
    multiparts = [version for version in versions if version.get_content_maintype() == "multipart"]
    return multiparts[-1] if multiparts else versions[-1]


def _is_text(part: Message) -> bool:
    return (
        part.get_content_type() in _TEXT_TYPES
        and part.get_content_disposition() != "attachment"
        and not part.get_filename()
    )


def _decoded_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    raw = payload if isinstance(payload, bytes) else b""
    declared = part.get_content_charset()
    # "us-ascii" on 8-bit bytes is a mailer's mistake more often than not: guess as for none.
    if declared and declared.lower() not in {"us-ascii", "ascii"}:
        try:
            return raw.decode(declared, errors="replace")
        except (LookupError, ValueError):  # unknown, not a text encoding ("base64"), odd codec
            pass
    return guessed_text(raw)


def guessed_text(raw: bytes) -> str:
    """Bytes of no known charset: UTF-8 if they are, else windows-1251 with replacement."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode(FALLBACK_CHARSET, errors="replace")


def unescaped(value: str) -> str:
    """A header value with raw 8-bit bytes (which the email package keeps as surrogate
    escapes) decoded as ``guessed_text`` decodes bodies."""
    if value.isascii() or not any("\udc80" <= char <= "\udcff" for char in value):
        return value
    return guessed_text(value.encode("utf-8", errors="surrogateescape"))
