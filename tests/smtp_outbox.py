"""A real SMTP server on loopback (aiosmtpd) that keeps what arrives, for the tests of outgoing
mail: :class:`Outbox` is its handler; :class:`ThreadedSmtp` runs it in a thread of its own, for
code that sends from blocking calls (the console's routes, the live server).

``Outbox.refuse`` holds addresses the server refuses at RCPT (550); ``Outbox.letters()`` reads
back what arrived, parsed, byte for byte as sent.
"""

from __future__ import annotations

import asyncio
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

LOGIN, PASSWORD = "line", "s3cret-123"
START_TIMEOUT_S = 10.0


class Outbox:
    """The test server's handler: keeps every envelope; logins checked against one pair."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.logins: list[str] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 OK"

    def check_login(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            LOGIN.encode(),
            PASSWORD.encode(),
        )
        if ok:
            self.logins.append(LOGIN)
        return AuthResult(success=ok, handled=False)

    def letters(self) -> list[EmailMessage]:
        return [_parsed(envelope) for envelope in self.envelopes]

    def received(self) -> EmailMessage:
        [letter] = self.letters()
        return letter


def smtp_server(outbox: Outbox, loop: asyncio.AbstractEventLoop) -> SMTP:
    return SMTP(
        outbox,
        hostname="smtp.test",
        auth_require_tls=False,  # loopback only
        authenticator=outbox.check_login,
        loop=loop,
    )


class ThreadedSmtp:
    """The server in a thread with its own event loop, on a free loopback port."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="test smtp", daemon=True)
        self._server: asyncio.Server | None = None

    def __enter__(self) -> ThreadedSmtp:
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S):
            raise TimeoutError("the test SMTP server did not start")
        return self

    def __exit__(self, *_exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(START_TIMEOUT_S)
        assert not self._thread.is_alive(), "the test SMTP server did not stop"

    def _run(self) -> None:
        loop = self._loop
        asyncio.set_event_loop(loop)
        self._server = loop.run_until_complete(
            loop.create_server(lambda: smtp_server(self.outbox, loop), "127.0.0.1", 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            self._server.close()
            loop.run_until_complete(self._server.wait_closed())
            loop.close()


def _parsed(envelope: Envelope) -> EmailMessage:
    parsed = message_from_bytes(envelope.original_content or b"", policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed
