"""The channels a notice or answer about a written message goes by (G1–G2, W7, W11). Pure.

Three channels, in this order, each once:

1. the one the client chose for further communication (G1, ``Client.preferred_channel``);
2. the one the law fixes for the answer to a written message: it goes the way the message
   came — a mail or a web form with an e-mail address is answered by e-mail, a paper letter by
   post; a message dictated on the phone has no such channel (the chosen one serves);
3. the extra channel the client asked notices to be duplicated to (G2).

Each channel carries the client's address on it (an e-mail, a postal address, a phone number);
the message's own contacts come first, the client record's next. A channel the client named
but left no address for stays in the list with an empty address, so that staff see it cannot
be served rather than it vanishing. The state portal needs no address here: a person posts
the notice to the client's account there.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from models.tables import Channel, MessageIntake


class Why(StrEnum):
    CHOSEN = "chosen"  # G1: the client's choice
    LAW = "law"  # W7, W11: the way the message came
    EXTRA = "extra"  # G2: the duplicate the client asked for


@dataclass(frozen=True, slots=True)
class Contacts:
    """Where the client can be reached; empty strings for what is not known."""

    email: str = ""
    phone: str = ""
    postal_address: str = ""


@dataclass(frozen=True, slots=True)
class NoticeRoute:
    channel: Channel
    address: str  # "" when the client left none for this channel
    why: tuple[Why, ...]  # why it is on the list, in the order above

    @property
    def missing(self) -> bool:
        """The channel needs an address and the client left none."""
        return not self.address and self.channel is not Channel.PORTAL


def law_channel(intake: MessageIntake, contacts: Contacts) -> Channel | None:
    """The channel the answer must go by because of how the message came (None: the law fixes
    none, the client's choice serves)."""
    if intake is MessageIntake.EMAIL:
        return Channel.EMAIL
    if intake is MessageIntake.PAPER:
        return Channel.POST
    if intake is MessageIntake.WEB:
        if contacts.email:
            return Channel.EMAIL
        return Channel.POST if contacts.postal_address else None
    return None


def address_on(channel: Channel, contacts: Contacts) -> str:
    if channel is Channel.EMAIL:
        return contacts.email
    if channel is Channel.POST:
        return contacts.postal_address
    if channel in (Channel.PHONE, Channel.SMS):
        return contacts.phone
    return ""  # the portal: the client's account there, not an address we keep


def notice_routes(
    *,
    intake: MessageIntake,
    contacts: Contacts,
    chosen: Channel | None,
    extra: Channel | None,
) -> tuple[NoticeRoute, ...]:
    """The channels of a notice (see the module's doc); empty when neither the client nor the
    way the message came names one."""
    named = ((chosen, Why.CHOSEN), (law_channel(intake, contacts), Why.LAW), (extra, Why.EXTRA))
    reasons: dict[Channel, list[Why]] = {}
    for channel, why in named:
        if channel is not None:
            reasons.setdefault(channel, []).append(why)
    return tuple(
        NoticeRoute(channel, address_on(channel, contacts), tuple(whys))
        for channel, whys in reasons.items()
    )
