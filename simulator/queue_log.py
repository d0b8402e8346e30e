"""The ``queue_log`` file as Asterisk writes it (``logger.conf`` ``queue_log_to_file``).

One line per event, ``epoch|callid|queue|agent|EVENT|data…``, flushed at once (the project's
reconciliation tails the file while the PBX writes it). ``callid`` is the caller channel's
Uniqueid, ``NONE`` for events about the queue or a member; ``agent`` the member's name when
``log_membername_as_agent = yes`` (the recordings), else its interface (the line's sample
``queues.conf``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TextIO

log = logging.getLogger(__name__)

NONE = "NONE"


class QueueLog:
    def __init__(self, path: Path | None) -> None:
        """``path`` None: nothing is written (the lines are still kept in ``lines``). The
        file is opened at once, so a path that cannot be written fails here (OSError)."""
        self.path = path
        self.lines: list[str] = []
        self._file: TextIO | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("a", encoding="utf-8")

    def write(self, at: float, callid: str, queue: str, agent: str, event: str, *data: str) -> None:
        line = "|".join([str(int(at)), callid, queue, agent, event, *data])
        self.lines.append(line)
        if self._file is None:
            return
        try:
            self._file.write(line + "\n")
            self._file.flush()
        except OSError as exc:  # a full disk must not stop the calls; Asterisk goes on too
            log.error("queue_log %s не записывается (%s): дальше только в памяти", self.path, exc)
            self._file = None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
