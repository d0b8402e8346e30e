"""How busy the machine was while a bench ran: the CPU time its processes and every core
used (``/proc``), the load average, the memory; so that a bench can say how noisy its
figures are on a machine others use too."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time all the machine's cores have spent busy so far (``/proc/stat``)."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024**2
    return 0.0


@dataclass(frozen=True)
class CpuUse:
    processes: tuple[float, ...]  # CPU seconds of each process watched, in the order given
    machine: float  # CPU seconds all cores were busy
    wall_s: float
    load: tuple[float, float]  # 1-minute load average at the start and at the end

    @property
    def others(self) -> float:
        """CPU seconds the machine's other processes used meanwhile."""
        return max(self.machine - sum(self.processes), 0.0)

    @property
    def capacity(self) -> float:
        """CPU seconds the machine had (cores × wall time)."""
        return (os.cpu_count() or 1) * self.wall_s


class CpuMeter:
    """Started with the processes to watch; ``stop()`` says what was used since."""

    def __init__(self, pids: Sequence[int]) -> None:
        self._pids = tuple(pids)
        self._start = time.monotonic()
        self._load = os.getloadavg()[0]
        self._processes = [cpu_seconds(pid) for pid in self._pids]
        self._machine = machine_busy_seconds()

    def stop(self) -> CpuUse:
        return CpuUse(
            processes=tuple(
                cpu_seconds(pid) - before
                for pid, before in zip(self._pids, self._processes, strict=True)
            ),
            machine=machine_busy_seconds() - self._machine,
            wall_s=time.monotonic() - self._start,
            load=(self._load, os.getloadavg()[0]),
        )
