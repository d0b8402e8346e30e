"""Signed, time-limited tokens for the public forms, which have no session and no cookie.

The page gives out ``<issued>.<nonce>.<signature>``: the Unix second it was issued, a random
nonce, and an HMAC-SHA256 of both under the app's form key (``Backend.form_key``). A POST is
accepted while the token is younger than its lifetime; the nonce names that one filled-in form,
so a second submission of it can be recognised (``agent_console.public_message_desk``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

LIFETIME = timedelta(hours=4)  # long enough to write a message, short enough to go stale
CLOCK_SKEW = timedelta(minutes=5)  # issued "in the future" by more than this: not ours
MAX_TOKEN_LENGTH = 128


class TokenCheck(Enum):
    VALID = "valid"
    EXPIRED = "expired"
    FORGED = "forged"  # missing, malformed, or not signed with our key


@dataclass(frozen=True, slots=True)
class FormToken:
    issued: datetime
    nonce: str


def issue(key: bytes, now: datetime) -> str:
    stamp = str(int(now.timestamp()))
    nonce = secrets.token_urlsafe(18)
    return f"{stamp}.{nonce}.{_signature(key, stamp, nonce)}"


def check(token: str | None, key: bytes, now: datetime) -> TokenCheck:
    parsed = read(token, key)
    if parsed is None or parsed.issued > now + CLOCK_SKEW:
        return TokenCheck.FORGED
    if now - parsed.issued > LIFETIME:
        return TokenCheck.EXPIRED
    return TokenCheck.VALID


def read(token: str | None, key: bytes) -> FormToken | None:
    """The token's contents when our key signed it, else None (the age is not checked)."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or len(parts[0]) > 12:
        return None
    stamp, nonce, signature = parts
    if not hmac.compare_digest(signature, _signature(key, stamp, nonce)):
        return None
    return FormToken(datetime.fromtimestamp(int(stamp), UTC), nonce)


def _signature(key: bytes, stamp: str, nonce: str) -> str:
    digest = hmac.new(key, f"{stamp}.{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
