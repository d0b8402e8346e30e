"""The directory of other agencies in the knowledge base (C14, W7): who handles what, and the
contacts to give.

An agency is a KB entry of kind ``agency`` in the ``external-agencies`` section. Its body is
written in labelled paragraphs («Чем занимается: …», «Когда направлять: …», «Как связаться:
…»); the contacts to give are the «Как связаться» paragraph. Contacts the owning department
has not confirmed yet are marked «[уточнить: …]» in the text: such an agency is flagged, and
staff offer the agency's official website rather than giving them as exact.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from models.tables import KbEntry
from models.topics import Topic

AGENCY_SECTION = "external-agencies"
AGENCY_KIND = "agency"
UNCONFIRMED_MARK = "[уточнить"

_LABELS = {
    "Чем занимается": "duties",
    "Чем занимаются": "duties",
    "Когда направлять": "when",
    "Не направлять": "not_when",
    "Как связаться": "contacts",
}
# «Label: text», the label possibly qualified: «Чем занимаются (в сфере торговли): …».
_LABELLED = re.compile(r"(?P<label>[^:(]+?)\s*(?P<qualifier>\([^)]*\))?:\s*(?P<text>.+)", re.DOTALL)
_PARAGRAPH = re.compile(r"\n\s*\n")


@dataclass(frozen=True, slots=True)
class Agency:
    entry_id: str
    title: str
    topics: tuple[Topic, ...]
    duties: str  # «Чем занимается»
    when: str  # «Когда направлять»
    not_when: str  # «Не направлять», "" when the entry has none
    contacts: str  # «Как связаться»: what the operator reads out
    notes: tuple[str, ...]  # any other paragraph («Важно: …»)
    unconfirmed: bool  # some contact is still «[уточнить: …]»


def agency_directory(session: Session, *, topic: Topic | None = None) -> list[Agency]:
    """Every agency in the KB (withdrawn ones left out); those whose topics include ``topic``
    (the call's) first, then by title."""
    rows = session.exec(
        select(KbEntry).where(
            KbEntry.section_id == AGENCY_SECTION,
            KbEntry.kind == AGENCY_KIND,
            col(KbEntry.withdrawn_at).is_(None),
        )
    )
    agencies = [parse_agency(row) for row in rows]
    return sorted(
        agencies, key=lambda a: (topic is None or topic not in a.topics, a.title, a.entry_id)
    )


def parse_agency(entry: KbEntry) -> Agency:
    fields: dict[str, str] = {}
    notes: list[str] = []
    for paragraph in _PARAGRAPH.split(entry.body.strip()):
        text = " ".join(paragraph.split())
        match = _LABELLED.fullmatch(text)
        key = _LABELS.get(match.group("label")) if match else None
        if match is not None and key is not None and key not in fields:
            qualifier = match.group("qualifier")
            fields[key] = f"{qualifier} {match.group('text')}" if qualifier else match.group("text")
        elif text:
            notes.append(text)
    contacts = fields.get("contacts", "")
    return Agency(
        entry_id=entry.id,
        title=entry.title,
        topics=tuple(Topic(value) for value in json.loads(entry.topics)),
        duties=fields.get("duties", ""),
        when=fields.get("when", ""),
        not_when=fields.get("not_when", ""),
        contacts=contacts,
        notes=tuple(notes),
        unconfirmed=not contacts or UNCONFIRMED_MARK in contacts,
    )


def load_agency(session: Session, agency_id: str) -> Agency | None:
    """The agency ``agency_id`` names; None when it is not one (any more) of the directory."""
    entry = session.get(KbEntry, agency_id)
    if (
        entry is None
        or entry.withdrawn_at is not None
        or entry.section_id != AGENCY_SECTION
        or entry.kind != AGENCY_KIND
    ):
        return None
    return parse_agency(entry)
