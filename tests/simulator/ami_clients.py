"""Clients of the simulated AMI over loopback: a raw session (bytes in, bytes out), as a
recording's harness used it, and the project's own link (``ami.connection``, panoramisk
underneath) logged in, as the AMI bridge logs in to the training line."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ami.connection import AmiConnection
from simulator.ami_server import AmiUser
from simulator.ami_wire import format_message

WAIT_S = 10.0
LOGIN_WAIT_S = 5.0


class AmiClient:
    """A raw loopback AMI session (bytes in, bytes out), as a test's harness uses it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.banner = b""

    @classmethod
    async def connect(cls, port: int) -> AmiClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        client = cls(reader, writer)
        client.banner = await reader.readuntil(b"\r\n")
        return client

    async def send(self, **headers: str) -> bytes:
        """Sends one action and returns the next message read (its reply)."""
        self.writer.write(action_bytes(headers))
        async with asyncio.timeout(WAIT_S):
            return await self.reader.readuntil(b"\r\n\r\n")

    async def read_rest(self) -> bytes:
        async with asyncio.timeout(WAIT_S):
            return await self.reader.read()

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


def action_bytes(headers: dict[str, str]) -> bytes:
    return format_message(headers.items())


@asynccontextmanager
async def ami_link(port: int, user: AmiUser) -> AsyncIterator[AmiConnection]:
    """The project's AMI link logged in to the simulated AMI on ``port`` as ``user``."""
    connection = AmiConnection(
        host="127.0.0.1",
        port=port,
        username=user.username,
        secret=user.secret,
        on_event=lambda _message: None,
    )
    async with connection:
        await connection.wait_logged_in(timeout=LOGIN_WAIT_S)
        yield connection
