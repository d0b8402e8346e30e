"""Phone numbers: caller IDs and typed numbers to E.164 (C2, C11).

Clients are keyed by their E.164 number (G1–G3), so one normaliser decides what counts as
"the same caller" everywhere: the call log, callback tasks, the console search.
"""

from __future__ import annotations

import re

import phonenumbers

DEFAULT_REGION = "RU"

# Caller IDs come from the trunk and are caller-controlled; nothing legitimate is longer.
MAX_INPUT_LENGTH = 64

# Digits and the usual separators only. ``phonenumbers`` would otherwise turn letters into
# keypad digits ("1-800-FLOWERS"), and a caller *name* such as "Restricted" or a Cyrillic
# name must never become somebody's number.
_ALLOWED = re.compile(r"[0-9+\-(). ]+")


def normalize_phone(raw: str, *, region: str = DEFAULT_REGION) -> str | None:
    """The number in E.164 (``+78722678091``), or None when it is not a valid number.

    Accepts the Russian habits: ``8 (8722) 67-80-91``, ``+7 8722 678091``, ``78722678091``,
    ``88722678091``. Refuses what Asterisk sends for hidden numbers (``anonymous``,
    ``<unknown>``, ``Restricted``, empty), internal extensions (``201``), numbers that the
    numbering plan does not know, input with letters or control characters, and anything
    longer than :data:`MAX_INPUT_LENGTH` characters.
    """
    if len(raw) > MAX_INPUT_LENGTH:
        return None
    text = raw.strip(" ")  # only spaces: a control character anywhere refuses the input
    if not text or _ALLOWED.fullmatch(text) is None:
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(phone_e164: str) -> str:
    """A stored E.164 number as people read it (``+7 872 267-80-91``); anything that does not
    parse is returned unchanged, so a display never fails over a number."""
    try:
        number = phonenumbers.parse(phone_e164, None)
    except phonenumbers.NumberParseException:
        return phone_e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
