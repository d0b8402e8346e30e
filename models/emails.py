"""Typed e-mail addresses: the one check the public forms and the visit bookings share.

Deliberately plain (one @, something on both sides, a dot in the domain, no spaces): enough to
catch a typo; the letter itself is the real check. The mailing list keeps its own stricter,
normalising rule (``models.rules.mailing_consent.normalize_address``, M1–M4).
"""

from __future__ import annotations

import re
from typing import Final

BAD_EMAIL: Final = "Адрес e-mail указан с ошибкой (пример: ivanova@example.ru)."
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def looks_like_email(text: str) -> bool:
    """Whether ``text`` (already trimmed) has the shape of one e-mail address."""
    return _EMAIL.fullmatch(text) is not None
