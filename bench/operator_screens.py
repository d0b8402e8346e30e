"""An operator's workspace as a bench plays it, over HTTP: signed in through the sign-in form,
reading the live stream as that operator (``GET /live/events?topics=operators``, what
``workspace.js`` reads) and, as soon as its line shows a call connected to it (a new linkedid
with the operator's channel), asking for the card (``GET /card/calls/{linkedid}``), again
after 250 ms while the answer is 404 (the call's row not written yet), as ``workspace.js``
does. Times are ``time.time()`` when the stream's line and the card's answer are read.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

CARD_RETRY_S, CARD_RETRIES = 0.25, 20  # as workspace.js
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Shown:
    """One call on an operator's screen (wall-clock times)."""

    linkedid: str
    at: float  # the live stream showed it connected to this operator
    card_at: float = 0.0  # the card's 200 answer read
    asked: int = 0  # card requests (1 + the 404s asked again)
    status: int = 0
    named: bool = False  # the card says this operator answered


@dataclass
class Screen:
    """An operator's workspace as the bench plays it: the live stream and the card."""

    base: str  # the console's address
    login: str
    password: str
    device: str  # the operator's phone, as the queue names its member
    shown: dict[str, Shown] = field(default_factory=dict)
    messages: int = 0  # live messages read after the first snapshot
    _cards: set[asyncio.Task[None]] = field(default_factory=set)

    async def watch(self, ready: asyncio.Event) -> None:
        """Signs in, then reads the stream until cancelled; ``ready`` once the first
        snapshot is in."""
        async with httpx.AsyncClient(base_url=self.base, timeout=30) as client:
            form = await client.get("/sign-in")
            token = _TOKEN.search(form.text)
            assert token is not None, form.text
            form_data = {"login": self.login, "password": self.password, "next": "/"}
            signed = await client.post("/sign-in", data={**form_data, "csrf_token": token[1]})
            assert signed.status_code == 303, signed.text
            stream = client.stream("GET", "/live/events?topics=operators", timeout=None)
            async with stream as response:
                async for line in response.aiter_lines():
                    if not line.startswith("data: "):
                        continue
                    now = time.time()
                    message = json.loads(line.removeprefix("data: "))
                    if message["snapshot"]:
                        ready.set()
                    else:
                        self.messages += 1
                    self._look(client, message["payload"], now)

    def _look(self, client: httpx.AsyncClient, payload: dict[str, Any], now: float) -> None:
        for line in payload.get("operators", []):
            linkedid = line.get("linkedid", "")
            if line.get("interface") != self.device or not linkedid or not line.get("channel"):
                continue
            if linkedid not in self.shown:
                self.shown[linkedid] = shown = Shown(linkedid, now)
                task = asyncio.create_task(self._card(client, shown))
                self._cards.add(task)
                task.add_done_callback(self._cards.discard)

    async def _card(self, client: httpx.AsyncClient, shown: Shown) -> None:
        while True:
            shown.asked += 1
            response = await client.get(f"/card/calls/{shown.linkedid}")
            if response.status_code != 404 or shown.asked > CARD_RETRIES:
                break
            await asyncio.sleep(CARD_RETRY_S)
        shown.card_at = time.time()
        shown.status = response.status_code
        if response.status_code == 200:
            shown.named = bool(response.json()["card"]["viewer_answered"])

    @property
    def busy(self) -> bool:
        return bool(self._cards)
