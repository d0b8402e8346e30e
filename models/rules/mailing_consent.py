"""Consent to the Ministry's information mailings (M1–M4), as pure rules.

* M1: only a confirmed address receives mailings. Consent is given by double opt-in: the
  address typed on the public page gets a letter with a confirmation link, and only opening
  that link (and pressing its button) confirms it. A request left unconfirmed expires after
  :data:`CONFIRMATION_LIFETIME`.
* M2: a withdrawn consent is never mailed; withdrawal wins at the moment each letter goes.
* M3: anyone gives consent by typing an address on the public page (``public_page``).
* M4: every mailing letter carries a link that withdraws consent at once.

Confirmation letters to one address go at most once per :data:`CONFIRMATION_RESEND`, whoever
asks, so that the page cannot be used to flood somebody's mailbox.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

CONFIRMATION_LIFETIME: Final = timedelta(hours=48)
CONFIRMATION_RESEND: Final = timedelta(hours=12)
ADDRESS_MAX: Final = 254  # RFC 5321's longest forward path, less the brackets
# One address, nothing around it: local part, @, a domain with a dot. Deliberately plain: the
# confirmation letter is the real check.
_ADDRESS: Final = re.compile(r"[^@\s<>()\[\],;:\"\\]{1,64}@[A-Za-z0-9.-]+\.[A-Za-z0-9-]{2,63}")


class ConsentState(StrEnum):
    PENDING = "pending"  # asked on the page, the link not yet followed
    CONFIRMED = "confirmed"  # M1: the consent given; receives mailings
    WITHDRAWN = "withdrawn"  # M2/M4: consent withdrawn; receives nothing


class ConsentSource(StrEnum):
    """Where consent came from (M3: the public page is the one way to give it)."""

    PUBLIC_PAGE = "public_page"


class WithdrawalSource(StrEnum):
    """How consent was withdrawn."""

    LINK = "link"  # M4: the button on the page a letter's link opens
    ONE_CLICK = "one_click"  # M4: the mail program's unsubscribe (RFC 8058 POST)
    STAFF = "staff"  # a supervisor, at the person's request (phone, letter)


STATE_LABELS_RU: Final = {
    ConsentState.PENDING: "ожидает подтверждения",
    ConsentState.CONFIRMED: "подписан",
    ConsentState.WITHDRAWN: "согласие отозвано",
}
WITHDRAWAL_LABELS_RU: Final = {
    WithdrawalSource.LINK: "по ссылке из письма",
    WithdrawalSource.ONE_CLICK: "кнопкой почтовой программы",
    WithdrawalSource.STAFF: "сотрудником по просьбе",
}


class AddressProblem(StrEnum):
    EMPTY = "Укажите адрес электронной почты."
    TOO_LONG = f"Адрес длиннее {ADDRESS_MAX} знаков — проверьте его."
    MALFORMED = "Это не похоже на адрес электронной почты (пример: ivanov@example.ru)."


def normalize_address(text: str) -> str | AddressProblem:
    """The address as stored: spaces around it removed, the domain in lower case (the local
    part kept: some servers tell case apart); or what is wrong with it (an
    :class:`AddressProblem`, itself a ``str``: test for it first)."""
    address = text.strip()
    if not address:
        return AddressProblem.EMPTY
    if len(address) > ADDRESS_MAX:
        return AddressProblem.TOO_LONG
    if not _ADDRESS.fullmatch(address) or ".." in address:
        return AddressProblem.MALFORMED
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower().rstrip('.')}"


def confirmation_open(requested_at: datetime, now: datetime) -> bool:
    """A confirmation link still works (M1: a pending request expires)."""
    return now - requested_at < CONFIRMATION_LIFETIME


def may_send_confirmation(
    state: ConsentState | None, last_sent: datetime | None, now: datetime
) -> bool:
    """Whether a subscription request sends a confirmation letter now: never to a confirmed
    address (it is subscribed already), and to any other at most once per
    :data:`CONFIRMATION_RESEND`."""
    if state is ConsentState.CONFIRMED:
        return False
    return last_sent is None or now - last_sent >= CONFIRMATION_RESEND


def receives_mailings(state: ConsentState) -> bool:
    """M1, M2: the only state a mailing letter goes to."""
    return state is ConsentState.CONFIRMED
