"""The client's document as JSON (G4): a stable shape, version 1.

The object has ``format`` (``consult-line/client-history``) and ``version`` (1), then the
fields of :class:`client_history.document.ClientDocument` under their own names: ``client``
an object, ``calls``, ``callbacks`` and ``messages`` arrays, oldest first (``messages`` was
added within version 1: a written message with its attachments — names and sizes, never the
files' bytes — its notices in full and the client's survey answers). Instants are ISO 8601
local time with the offset, to the second (``2026-12-07T12:15:03+03:00``); dates ISO
(``2026-12-10``); durations whole seconds; a missing value is ``null``, never left out; lists
are ``[]`` when empty. A new field may be added within version 1; a field is never renamed or
removed without a new version. The README shows an example.
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from datetime import date, datetime

from client_history.document import ClientDocument

FORMAT = "consult-line/client-history"
VERSION = 1
MEDIA_TYPE = "application/json"


def document_json(document: ClientDocument) -> dict[str, object]:
    body = _plain(document)
    assert isinstance(body, dict)
    return {"format": FORMAT, "version": VERSION, **body}


def json_bytes(document: ClientDocument) -> bytes:
    """UTF-8, Cyrillic kept readable, indented for a person who opens the file."""
    text = json.dumps(document_json(document), ensure_ascii=False, indent=2)
    return (text + "\n").encode()


def file_name(client_id: int, document: ClientDocument) -> str:
    """``client-history_42_2026-12-07.json``: the record's number, not the phone number."""
    return f"client-history_{client_id}_{document.prepared_at:%Y-%m-%d}.json"


def _plain(value: object) -> object:
    """JSON values of the document's dataclasses, field by field (``dataclasses.asdict``
    would deep-copy every value first: a third of the time of a long history)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
