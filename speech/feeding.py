"""Hands a listening's audio to its recognizer without ever blocking the event loop.

A recognizer is blocking code and may be slower than the audio for a while (free decoding runs
close to real time on a small machine). Audio read from the socket waits in a buffer; one task
hands all that has gathered to ``Recognition.feed`` in an executor, one call at a time, so the
recognizer sees every byte once and in order while the socket keeps being read. The recognizer
itself is made in the executor too (making one may take a while). What stays unfed is capped:
a recognizer that falls further behind fails the listening instead of filling the memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor

from speech.listening import Heard, Recognition

DEFAULT_MAX_BACKLOG_BYTES = 1024 * 1024  # about 65 s of 8 kHz audio


class RecognizerFeed:
    """One listening's recognizer and the audio waiting for it."""

    def __init__(
        self,
        make_recognition: Callable[[], Recognition],
        *,
        executor: Executor | None = None,
        max_backlog_bytes: int = DEFAULT_MAX_BACKLOG_BYTES,
    ) -> None:
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._make = make_recognition
        self._executor = executor
        self._max_backlog_bytes = max_backlog_bytes
        self._buffer: list[bytes] = []
        self._backlog = 0
        self._more = asyncio.Event()
        self._closed = False
        self._recognition: Recognition | None = None
        # Resolved with the reason when the recognizer cannot go on (never with an exception).
        self.failure: asyncio.Future[str] = loop.create_future()
        self._task = loop.create_task(self._run(), name="recognizer feed")
        self._task.add_done_callback(self._ended)

    def push(self, pcm: bytes) -> None:
        if self._closed or self.failure.done():
            return
        self._backlog += len(pcm)
        if self._backlog > self._max_backlog_bytes:
            self._fail(f"the recognizer fell behind by over {self._max_backlog_bytes} bytes")
            return
        self._buffer.append(pcm)
        self._more.set()

    async def finish(self) -> Heard:
        """Feeds what is left, then asks for the result. RecognitionFailed if the recognizer
        raised (now or before)."""
        self._closed = True
        self._more.set()
        await asyncio.wait({self._task})  # its failure is read below, from ``failure``
        if self.failure.done():
            raise RecognitionFailed(self.failure.result())
        recognition = self._recognition
        if recognition is None:  # abandoned before it started
            raise RecognitionFailed("the recognizer never started")
        try:
            return await self._loop.run_in_executor(self._executor, recognition.finish)
        except Exception as exc:
            reason = f"the recognizer failed to finish: {exc!r}"
            self._fail(reason)
            raise RecognitionFailed(reason) from exc

    def abandon(self) -> None:
        """No result is wanted: stops feeding (a call already in the executor runs to its end)."""
        self._closed = True
        self._buffer.clear()
        self._task.cancel()

    async def _run(self) -> None:
        self._recognition = await self._loop.run_in_executor(self._executor, self._make)
        while True:
            if not self._buffer:
                if self._closed:
                    return
                self._more.clear()
                await self._more.wait()
                continue
            chunk = b"".join(self._buffer)
            self._buffer.clear()
            self._backlog = 0
            await self._loop.run_in_executor(self._executor, self._recognition.feed, chunk)

    def _ended(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            stage = "start" if self._recognition is None else "take audio"
            self._fail(f"the recognizer failed to {stage}: {exc!r}")

    def _fail(self, reason: str) -> None:
        self._closed = True
        self._buffer.clear()
        if not self.failure.done():
            self.failure.set_result(reason)


class RecognitionFailed(Exception):  # noqa: N818 (reads as what happened)
    """The recognizer raised, or fell too far behind; the reason is the message."""
