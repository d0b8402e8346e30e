"""The SMTP receiver of written messages (aiosmtpd): the Ministry's mail server forwards a
mailbox to it.

What each mail meets, by design:

* a recipient outside the configured domains: ``550`` for that recipient (the others of the
  same mail are accepted); a mail with no accepted recipient never reaches DATA;
* a mail over ``max_bytes``: ``552``, at ``MAIL FROM`` when the client declares its size (the
  SIZE extension), otherwise after DATA; nothing is delivered;
* every other mail: parsed (``mail.parse``, in a thread: a large mail must not stall the loop)
  and handed to ``deliver`` once per DATA, whatever the number of recipients; ``250`` only
  after ``deliver`` returns;
* ``deliver`` raising (the database away, a disk full): one ERROR line and ``451``, a temporary
  failure, so the sending server keeps the mail and tries again later: nothing is lost. A
  second delivery of the same mail has the same ``message_id``; recognising it is the
  store's job.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable, Iterable

from aiosmtpd.smtp import SMTP, Envelope, Session

from mail.parse import AttachmentRules, ReceivedMail, parse_mail
from models.os_errors import listen_error_reason

log = logging.getLogger(__name__)

Deliver = Callable[[ReceivedMail], Awaitable[None]]

REPLY_ACCEPTED = "250 2.0.0 OK"
REPLY_RECIPIENT_OK = "250 2.1.5 OK"
REPLY_UNKNOWN_DOMAIN = "550 5.1.1 Recipient address rejected: domain not served here"
REPLY_TRY_LATER = "451 4.3.0 Message not stored, try again later"


class _IntakeHandler:
    """aiosmtpd's handler: the recipients' domains and what happens to a whole mail."""

    def __init__(self, deliver: Deliver, domains: frozenset[str], rules: AttachmentRules):
        self._deliver = deliver
        self._domains = domains
        self._rules = rules

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        domain = address.rpartition("@")[2].strip().rstrip(".").lower()
        if domain not in self._domains:
            log.info("mail for %r refused: domain not served", address)
            return REPLY_UNKNOWN_DOMAIN
        envelope.rcpt_tos.append(address)
        return REPLY_RECIPIENT_OK

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        sender = envelope.mail_from or ""
        try:
            mail = await asyncio.to_thread(parse_mail, raw, self._rules, envelope_sender=sender)
            await self._deliver(mail)
        except Exception:
            log.exception(
                "Письмо от %r не сохранено (%d байт): отправителю ответ 451, его сервер "
                "повторит доставку",
                sender,
                len(raw),
            )
            return REPLY_TRY_LATER
        log.info("mail %s from %r received, %d bytes", mail.message_id, sender, len(raw))
        return REPLY_ACCEPTED


class MailReceiver:
    def __init__(
        self,
        deliver: Deliver,
        *,
        host: str,
        port: int,
        domains: Iterable[str],
        max_bytes: int,
        rules: AttachmentRules,
        hostname: str | None = None,
        timeout_s: float = 300.0,
    ) -> None:
        """``domains``: the recipients' domains accepted (case does not matter);
        ``max_bytes``: the largest mail as sent; ``rules``: the attachments kept;
        ``hostname``: the name in the greeting (the first domain when not given);
        ``timeout_s``: an idle client is dropped after this long."""
        accepted = frozenset(domain.strip().rstrip(".").lower() for domain in domains)
        if not accepted:
            raise ValueError("MailReceiver needs at least one domain")
        self._handler = _IntakeHandler(deliver, accepted, rules)
        self._host = host
        self._requested_port = port
        self._max_bytes = max_bytes
        self._hostname = hostname or min(accepted)
        self._timeout_s = timeout_s
        self._server: asyncio.Server | None = None
        self._connections: weakref.WeakSet[SMTP] = weakref.WeakSet()

    async def start(self) -> None:
        """Listens; OSError (after one ERROR line) when the address cannot be had."""
        if self._server is not None:
            raise RuntimeError("MailReceiver already started")
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(
                self._protocol, self._host, self._requested_port
            )
        except OSError as exc:
            reason = listen_error_reason(exc, self._host)
            log.error(
                "Приём почты: не удалось открыть порт %s:%d (%s); письма не принимаются",
                self._host,
                self._requested_port,
                reason,
            )
            raise
        log.info("SMTP receiver listening on %s:%d", self._host, self.port)

    def _protocol(self) -> SMTP:
        connection = SMTP(
            self._handler,
            data_size_limit=self._max_bytes,
            enable_SMTPUTF8=True,
            hostname=self._hostname,
            timeout=self._timeout_s,
            loop=asyncio.get_running_loop(),
        )
        self._connections.add(connection)
        return connection

    @property
    def port(self) -> int:
        """The bound port (useful with ``port=0``)."""
        if self._server is None or not self._server.sockets:
            raise RuntimeError("MailReceiver is not listening")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def stop(self) -> None:
        """Stops accepting and closes the connections; a mail not yet answered with 250 is
        the sending server's to send again."""
        if self._server is None:
            return
        server, self._server = self._server, None
        server.close()
        for connection in list(self._connections):
            if connection.transport is not None:
                connection.transport.close()
        await server.wait_closed()
