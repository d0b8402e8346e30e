"""Who a stored fact of the history is for: the client (the document and the JSON file, G4) or
the staff only (the supervisors' page), with the reason, as ``disclosure.DISCLOSURE`` records
it for every field."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Audience(StrEnum):
    CLIENT = "client"  # in the printable document and the JSON file
    STAFF = "staff"  # on the supervisors' page only


@dataclass(frozen=True, slots=True)
class Decision:
    audience: Audience
    why: str


def for_client(why: str) -> Decision:
    return Decision(Audience.CLIENT, why)


def for_staff(why: str) -> Decision:
    return Decision(Audience.STAFF, why)


THEIR_OWN = "the client's own data"
WHEN = "when it happened"
RECORD_KEY = "a key of the database, meaningless to the client"
BOOKKEEPING = "the instant the staff wrote it down, not part of the interaction"
WHO = "who of the staff did it: how the Ministry organises its work"
TELEPHONY = "the telephony's own data"
