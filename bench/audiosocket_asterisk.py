"""Asterisk's side of the speech bench's calls, in a process of its own (``bench_speech_line.py``
starts it with :meth:`Asterisk.started`), so that the service's process is measured alone: its
CPU time and memory.

Each line on stdin is one ``EXEC AudioSocket`` (JSON, :class:`Turn`): connect to the service's
AudioSocket server, send the uuid frame, then the caller's channel at the pace of speech, one
20 ms frame every 20 ms on an absolute schedule (a late frame does not push the rest back):

* ``lead_s`` before the answer: silence frames from a talking channel, nothing from a quiet one;
* the recording's first ``speech_frames`` frames (the answer);
* after it: silence frames until the server hangs up (``talking``), or nothing (a quiet
  channel, as with silence suppression).

The server's hang-up frame ends the turn as it ends Asterisk's application: the socket is
closed. Each turn is answered with one JSON line on stdout (:class:`Played`), in the order
turns end. Times are ``time.monotonic()``, one clock for every process on the machine.
stdin at its end: the process ends once its turns have.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.speech.fake_asterisk import HANGUP, QUIET, chunks, frame, uuid_frame
from tests.speech.korean_model import read_pcm

FRAME_S = 0.02
AUDIO = 0x10
# A turn the server never ends: the caller's side gives up (the listening's own limits are
# far shorter: no_input_s + max_s).
TURN_LIMIT_S = 30.0


@dataclass(frozen=True)
class Turn:
    uuid: str
    port: int
    recording: str  # path of a committed recording
    speech_frames: int  # how many of its frames the caller's channel sends
    last_loud: int  # the index of its last loud frame: the end of speech
    lead_s: float  # from connecting to the answer
    talking: bool  # silence frames before and after the answer; else none


@dataclass(frozen=True)
class Played:
    uuid: str
    speech_end: float | None  # the last loud frame written to the socket
    hangup: float | None  # the server's hang-up frame read; None: it closed without one
    frames: int  # audio frames sent
    late_max_ms: float  # the latest a frame went out after its due time


async def play(turn: Turn, pcm: bytes) -> Played:
    reader, writer = await asyncio.open_connection("127.0.0.1", turn.port)
    connected = time.monotonic()
    hung_up = asyncio.get_running_loop().create_future()
    reading = asyncio.create_task(_read_until_hangup(reader, hung_up))
    writer.write(uuid_frame(turn.uuid))
    lead = [QUIET] * round(turn.lead_s / FRAME_S)
    answer = chunks(pcm)[: turn.speech_frames]
    speech_end = None
    sent, late_max = 0, 0.0
    try:
        if not turn.talking:
            await asyncio.wait({hung_up}, timeout=turn.lead_s)
        frames = [*(lead if turn.talking else []), *answer]
        loud_at = len(frames) - len(answer) + turn.last_loud
        due = time.monotonic()
        while not hung_up.done() and time.monotonic() - connected < TURN_LIMIT_S:
            if sent >= len(frames) and not turn.talking:
                await asyncio.wait({hung_up}, timeout=TURN_LIMIT_S)
                break
            late_max = max(late_max, time.monotonic() - due)
            writer.write(frame(AUDIO, frames[sent] if sent < len(frames) else QUIET))
            if sent == loud_at:
                speech_end = time.monotonic()
            sent += 1
            due += FRAME_S
            await asyncio.wait({hung_up}, timeout=max(0.0, due - time.monotonic()))
    finally:
        reading.cancel()
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()
    return Played(
        uuid=turn.uuid,
        speech_end=speech_end,
        hangup=hung_up.result() if hung_up.done() else None,
        frames=sent,
        late_max_ms=late_max * 1000,
    )


async def _read_until_hangup(reader: asyncio.StreamReader, hung_up: asyncio.Future[float]) -> None:
    """The server's frames (its keep-alive silence is ignored) until its hang-up frame, whose
    arrival time settles ``hung_up``; the server closing without one settles nothing."""
    with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
        while True:
            head = await reader.readexactly(3)
            payload = await reader.readexactly(int.from_bytes(head[1:], "big"))
            if (head[0], payload) == HANGUP:
                hung_up.set_result(time.monotonic())
                return


async def main() -> None:
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    recordings: dict[str, bytes] = {}
    turns: set[asyncio.Task[None]] = set()

    async def run(turn: Turn) -> None:
        if turn.recording not in recordings:
            recordings[turn.recording] = read_pcm(Path(turn.recording))
        try:
            notes: dict[str, object] = asdict(await play(turn, recordings[turn.recording]))
        except OSError as error:
            notes = {"uuid": turn.uuid, "error": f"AudioSocket: {error}"}
        sys.stdout.write(json.dumps(notes) + "\n")
        sys.stdout.flush()

    while line := await stdin.readline():
        task = asyncio.create_task(run(Turn(**json.loads(line))))
        turns.add(task)
        task.add_done_callback(turns.discard)
    if turns:
        await asyncio.wait(turns)


class Asterisk:
    """The bench's handle on this module run as a child process: one JSON line per EXEC
    (:class:`Turn`), one back per ended turn (:class:`Played`, or its error)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._reading = asyncio.create_task(self._read())

    @classmethod
    @asynccontextmanager
    async def started(cls) -> AsyncIterator[Asterisk]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        asterisk = cls(process)
        try:
            yield asterisk
        finally:
            assert process.stdin is not None
            process.stdin.close()
            try:
                async with asyncio.timeout(30):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()
            asterisk._reading.cancel()

    @property
    def pid(self) -> int:
        return self.process.pid

    def exec_audiosocket(self, turn: Turn) -> asyncio.Future[dict[str, Any]]:
        """Sends the turn; the future holds what Asterisk's side noted once it has ended."""
        assert self.process.stdin is not None
        played = asyncio.get_running_loop().create_future()
        self._waiting[turn.uuid] = played
        self.process.stdin.write((json.dumps(asdict(turn)) + "\n").encode())
        return played

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            played = json.loads(line)
            waiting = self._waiting.pop(played["uuid"], None)
            if waiting is not None and not waiting.done():
                waiting.set_result(played)
        for waiting in self._waiting.values():  # the child died: say so where it is awaited
            if not waiting.done():
                waiting.set_exception(RuntimeError("the Asterisk process ended early"))


if __name__ == "__main__":
    asyncio.run(main())
