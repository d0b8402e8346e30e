"""Strings from a received mail made safe to keep and show.

A header value becomes one line: CR, LF and every other control or separator character are
gone, so a subject carrying an encoded ``\\r\\nBcc:`` is a harmless line of text wherever it is
written later. A body keeps its lines and tabs and loses the rest (a NUL would stop a
PostgreSQL text column). A file name loses its folders and the characters file systems refuse.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata

MAX_FILENAME_CHARS = 150
# Control (Cc), format (Cf: bidirectional overrides that disguise a file's extension),
# line and paragraph separators (Zl, Zp), unassigned and surrogates (Cn, Cs).
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cn", "Cs"})
_SPACES = re.compile(r"\s+")
_NOT_IN_FILENAMES = re.compile(r'[<>:"/\\|?*]')


def one_line(value: str) -> str:
    """A header value as a single line of visible text, spaces collapsed."""
    visible = "".join(" " if _invisible(char) else char for char in value)
    return _SPACES.sub(" ", visible).strip()


def body_text(value: str) -> str:
    """A body with ``\\n`` line ends, tabs and lines kept, other invisible characters removed."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(char for char in lines if char in "\n\t" or not _invisible(char))
    return "\n".join(line.rstrip() for line in kept.split("\n")).strip("\n")


def safe_filename(name: str | None, content_type: str, number: int) -> str:
    """A file name without folders or characters file systems refuse; ``вложение-N.ext`` when
    the mail gave none (``number`` counts the message's files from 1)."""
    base = one_line(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _NOT_IN_FILENAMES.sub("_", base).strip(" .")
    if not base:
        extension = mimetypes.guess_extension(content_type) or ""
        return f"вложение-{number}{extension}"
    if len(base) > MAX_FILENAME_CHARS:
        stem, dot, extension = base.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            return f"{stem[: MAX_FILENAME_CHARS - len(extension) - 1]}.{extension}"
        return base[:MAX_FILENAME_CHARS]
    return base


def _invisible(char: str) -> bool:
    return unicodedata.category(char) in _INVISIBLE
