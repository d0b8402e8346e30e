"""The line's note on a received mail: what the message's own fields cannot hold, said where
staff read the message (after its text).

A mail loses nothing on its way into a message, and what could not be kept as it came is
said in plain words: a mail without text, files not kept (type or size, with the reason, so
staff can ask the sender for them another way), a subject longer than the message's subject
field (in full here), a text longer than the message's text field (in full as an attachment),
and a mail that reached the line long after its sender dated it (the deadlines count from its
receipt). A mail with none of these gets no note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Final

from mail.parse import AttachmentRules, RefusedAttachment
from mail.sizes import human_size

HEADING: Final = "——— Отметка линии при приёме письма ———"
NO_TEXT: Final = "Письмо пришло без текста."
FULL_TEXT_FILENAME: Final = "текст-письма.txt"
# Longer than this between the sender's Date and the receipt: the mail waited on its way
# (a server retrying after the line's 451, say), and staff are told when it was written.
DELAY_NOTED: Final = timedelta(hours=1)
REFUSED_LISTED: Final = 50  # files named one by one; the rest are counted


@dataclass(frozen=True, slots=True)
class NoteFacts:
    """What the note says, found by ``mail.intake`` while making the message."""

    text_empty: bool
    refused: tuple[RefusedAttachment, ...]
    rules: AttachmentRules
    full_subject: str | None = None  # the subject when it is longer than the field
    text_cut: bool = False  # the text is longer than the message's text field
    sent_at: datetime | None = None  # the sender's Date
    received_at: datetime | None = None


def intake_note(facts: NoteFacts, tz: tzinfo) -> str:
    """The note (its lines under ``HEADING``), or "" when there is nothing to say."""
    lines = [NO_TEXT] if facts.text_empty else []
    if facts.full_subject is not None:
        lines.append(f"Тема письма длиннее поля темы, полностью: «{facts.full_subject}».")
    if facts.text_cut:
        lines.append(
            "Текст письма длиннее поля текста: выше его начало, целиком — во вложении "
            f"«{FULL_TEXT_FILENAME}»."
        )
    sent, received = facts.sent_at, facts.received_at
    if sent is not None and received is not None and received - sent > DELAY_NOTED:
        lines.append(
            f"Письмо датировано {_local(sent, tz)} (по часам отправителя), линия приняла его "
            f"{_local(received, tz)}."
        )
    lines.extend(_refused_lines(facts.refused, facts.rules))
    return "\n".join([HEADING, *lines]) if lines else ""


def with_note(text: str, note: str) -> str:
    """The stored text: the sender's, then the note after a blank line."""
    return "\n\n".join(part for part in (text, note) if part)


def _refused_lines(refused: tuple[RefusedAttachment, ...], rules: AttachmentRules) -> list[str]:
    if not refused:
        return []
    lines = [f"Не сохранены вложения ({len(refused)}) — попросите отправителя прислать их иначе:"]
    lines.extend(
        f"– {file.filename} ({human_size(file.size)}): {file.explanation(rules)}"
        for file in refused[:REFUSED_LISTED]
    )
    if len(refused) > REFUSED_LISTED:
        lines.append(f"– и ещё {len(refused) - REFUSED_LISTED}")
    return lines


def _local(instant: datetime, tz: tzinfo) -> str:
    return f"{instant.astimezone(tz):%d.%m.%Y %H:%M}"
