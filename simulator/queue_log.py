"""The ``queue_log`` file as Asterisk writes it (``logger.conf`` ``queue_log_to_file``).

One line per event, ``epoch|callid|queue|agent|EVENT|data…``, flushed at once (the project's
reconciliation tails the file while the PBX writes it). ``callid`` is the caller channel's
Uniqueid, ``NONE`` for events about the queue or a member; ``agent`` the member's name when
``log_membername_as_agent = yes`` (the recordings), else its interface (the line's sample
``queues.conf``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

NONE = "NONE"


class QueueLog:
    def __init__(self, path: Path | None) -> None:
        """``path`` None: nothing is written (the lines are still kept in ``lines``)."""
        self.path = path
        self.lines: list[str] = []
        self._file: TextIO | None = None

    def write(self, at: float, callid: str, queue: str, agent: str, event: str, *data: str) -> None:
        line = "|".join([str(int(at)), callid, queue, agent, event, *data])
        self.lines.append(line)
        if self.path is None:
            return
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
        self._file.write(line + "\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
