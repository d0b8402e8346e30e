"""A database that is briefly gone, for real, and then back.

SQLite: another connection holds the file's exclusive lock; a write waits its engine's lock
wait and fails («database is locked»). PostgreSQL: the engine reaches the server through a
loopback proxy; while the database is gone the proxy's connections are cut and its port
refuses, and then it listens on the same port again.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator

from sqlalchemy.engine import Engine, make_url

from models.db import WaitLimits, create_db_engine

SHORT_WAITS = WaitLimits(connect_s=2.0, lock_wait_s=0.5)


class FlakyDatabase:
    """``engine``: the database at ``url`` (already migrated), through the proxy on PostgreSQL."""

    def __init__(self, url: str) -> None:
        self._url = make_url(url)
        self._proxy = _Proxy(self._url.host or "127.0.0.1", self._url.port or 5432)
        self.engine: Engine | None = None

    async def __aenter__(self) -> Engine:
        url = self._url
        if url.get_backend_name() != "sqlite":
            await self._proxy.open()
            url = url.set(host="127.0.0.1", port=self._proxy.port)
        self.engine = create_db_engine(url.render_as_string(hide_password=False), SHORT_WAITS)
        return self.engine

    async def __aexit__(self, *_exc: object) -> None:
        if self.engine is not None:
            self.engine.dispose()
        await self._proxy.close()

    @contextlib.asynccontextmanager
    async def gone(self) -> AsyncIterator[None]:
        if self._url.get_backend_name() == "sqlite":
            assert self._url.database, "an SQLite file database"
            holder = sqlite3.connect(self._url.database, isolation_level=None)
            try:
                holder.execute("BEGIN EXCLUSIVE")
                yield
                holder.execute("ROLLBACK")
            finally:
                holder.close()
            return
        await self._proxy.close()
        try:
            yield
        finally:
            await self._proxy.open()


class _Proxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self.port = 0  # chosen at the first open, kept after
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        for writer in self._writers:
            writer.transport.abort()
        self._writers.clear()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self._target)
        self._writers += [writer, up_writer]

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()

        with contextlib.suppress(ConnectionError, OSError):
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
