"""What the servers beside Asterisk (FastAGI, AudioSocket) do alike with a TCP peer: name it in
log lines, and close so that the last thing written reaches it.

Closing with unread data in the receive buffer makes the kernel answer with a reset, which can
discard what was just written and which Asterisk takes for a failure. So the close half-closes,
reads to Asterisk's EOF (it closes its side when it sees ours), bounded in time, then closes.
"""

from __future__ import annotations

import asyncio
import contextlib


def peer_name(writer: asyncio.StreamWriter) -> str:
    peername = writer.get_extra_info("peername")
    if isinstance(peername, tuple) and len(peername) >= 2:
        return f"{peername[0]}:{peername[1]}"
    return str(peername)


async def close_after_eof(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout_s: float
) -> None:
    """Half-closes, waits up to ``timeout_s`` for the peer's EOF, then closes; never raises
    for the peer's doing."""
    try:
        if writer.can_write_eof() and not writer.transport.is_closing():
            writer.write_eof()
        async with asyncio.timeout(timeout_s):
            while await reader.read(4096):
                pass
    except (TimeoutError, ConnectionError, OSError):
        pass
    writer.close()
    with contextlib.suppress(ConnectionError, OSError):
        await writer.wait_closed()
