"""Who calls (G1–G3): a pool of fictional numbers, a few of them repeat callers, some
anonymous; a caller becomes a client the first time the number is heard."""

from __future__ import annotations

import random
from datetime import datetime

from sqlmodel import Session, col, select

from models.phones import normalize_phone
from models.tables import Client

# Dagestani mobile codes with clearly fictional subscriber parts (000-0x-xx).
_MOBILE_CODES = ("928", "988", "963", "964", "965", "989")
_CALLER_POOL = tuple(f"+7{_MOBILE_CODES[i % 6]}000{i + 1:04d}" for i in range(48))
_FREQUENT = 10  # the first numbers call again and again: repeat callers
_CALLER_WEIGHTS = tuple(6 if i < _FREQUENT else 1 for i in range(len(_CALLER_POOL)))
_ANONYMOUS_SHARE = 0.08
_CLIENT_NAMES = (
    "Магомедов Шамиль",
    "Алиева Зарема",
    "Абдуллаев Рашид",
    "Гасанова Хадижат",
    "Курбанов Ильяс",
    "Омарова Аминат",
    "Рамазанов Загир",
    "Исмаилова Марьям",
    "Гаджиев Артур",
    "Магомедова Написат",
    "ООО «Каспий-Пром» (Сулейманов А.)",
    "ИП Ахмедов К. М.",
)


class Callers:
    """The callers of the period; ``created`` counts the clients that are new."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self._rng = rng
        self._now = now
        self._clients: dict[str, Client] = {}
        self.created = 0

    def load_known(self, session: Session) -> None:
        """Numbers of the pool that are already clients stay the same clients."""
        query = select(Client).where(col(Client.phone_e164).in_(_CALLER_POOL))
        self._clients = {c.phone_e164: c for c in session.exec(query) if c.phone_e164}

    def caller(self, needs_number: bool) -> Client | None:
        """The next caller; ``None`` for a hidden number, never when a number is needed."""
        if not needs_number and self._rng.random() < _ANONYMOUS_SHARE:
            return None
        phone = self._rng.choices(_CALLER_POOL, weights=_CALLER_WEIGHTS)[0]
        client = self._clients.get(phone)
        if client is None:
            client = self._new_client(phone)
            self._clients[phone] = client
            self.created += 1
        return client

    def _new_client(self, phone: str) -> Client:
        e164 = normalize_phone(phone)
        assert e164 is not None, phone
        name = self._rng.choice(_CLIENT_NAMES) if self._rng.random() < 0.5 else None
        return Client(phone_e164=e164, full_name=name, created_at=self._now)


def trunk_form(e164: str | None) -> str:
    """Russian trunks usually present the national form with the leading 8."""
    assert e164 is not None
    return "8" + e164[2:] if e164.startswith("+7") else e164
