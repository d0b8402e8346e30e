"""What a reconciliation run costs on a large Master.csv and queue_log.

Run: .venv/bin/python bench/bench_reconcile.py [rows] [layout]

The recorded calls (``tests/fixtures/asterisk``, 13 calls, 52 CDR rows) are repeated, all 13
every 15 minutes (~1250 calls a day), each copy moved in time with its own Uniqueids and
channel numbers, into a ``Master.csv`` of ``rows`` rows (1,000,000 by default: ~290 MB, about
200 days) and the matching ``queue_log``. ``layout``: ``project`` (21 columns, newcdrcolumns,
as the project's cdr.conf writes; the default) or ``default`` (Asterisk's 18 columns).
Measured, into an in-memory call log (the database is not what is measured):

* the first run after a start: the last 12 h (``FIRST_RECONCILE_LOOKBACK``), a fresh
  ``reconcile_files``;
* the runs after it on one ``Reconciler`` (what the AMI bridge holds), each after 15 more
  minutes of calls were appended to both files.
"""

from __future__ import annotations

import csv
import io
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ami.call_record import CallLogEntry
from ami.cdr import CAPTURES_DIALPLAN
from ami.reconcile import Reconciler, reconcile_files
from models.call_log_store import FinishedCall
from models.rules.missed import CallOutcome
from models.settings import Settings

# The recordings are read through the tests' one helper (the repository root is not installed).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.asterisk_captures import Kind, capture_lines, capture_names

ROUND = timedelta(minutes=15)  # all 13 recorded calls once per round
WINDOW = timedelta(hours=12)
NEXT_RUNS = 5
START = datetime.fromtimestamp(1795867000, UTC)


class MemoryLog:
    """The call log as reconciliation uses it, in memory."""

    def __init__(self) -> None:
        self.finished: dict[str, CallLogEntry] = {}

    def record_finished(self, entry: CallLogEntry, now: datetime) -> FinishedCall:
        changed = entry.linkedid not in self.finished
        self.finished.setdefault(entry.linkedid, entry)
        return FinishedCall(
            0, entry.linkedid, changed, CallOutcome.ANSWERED, None, False, None, False
        )


_PIECE = re.compile(
    r"(?P<epoch>\b1795\d{6}\b)|(?P<clock>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})"
    r"|(?P<channel>-0000000[0-9a-f]\b)"
)
Template = list[str | tuple[str, int | datetime]]


def _template(line: str) -> Template:
    """A line cut into literal text and the pieces that move: epochs and Uniqueids, CDR
    wall-clock times (UTC), channel numbers."""
    pieces: Template = []
    last = 0
    for match in _PIECE.finditer(line):
        pieces.append(line[last : match.start()])
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "epoch":
            pieces.append((kind, int(text)))
        elif kind == "clock":
            pieces.append((kind, datetime.strptime(text, "%Y-%m-%d %H:%M:%S")))  # noqa: DTZ007
        else:
            pieces.append((kind, int(text[-1], 16)))
        last = match.end()
    pieces.append(line[last:])
    return pieces


def _project_layout(lines: list[str]) -> list[str]:
    """The 18-column rows of one recorded call as newcdrcolumns writes them (21 columns)."""
    rows = list(csv.reader(lines))
    linkedid = next(fields[16] for fields in rows if fields[16].endswith(".0"))
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for sequence, fields in enumerate(rows):
        writer.writerow([*fields, "", linkedid, str(sequence)])
    return out.getvalue().splitlines(keepends=True)


def _templates(kind: Kind, project_layout: bool) -> list[Template]:
    templates = []
    for name in capture_names(Kind.CDR):
        lines = capture_lines(name, kind)
        if kind is Kind.CDR and project_layout:
            lines = _project_layout(lines)
        templates += [_template(line) for line in lines]
    return templates


def _round_lines(templates: list[Template], number: int) -> list[str]:
    shift = int((ROUND * number).total_seconds())
    moved = timedelta(seconds=shift)
    lines = []
    for template in templates:
        parts = []
        for piece in template:
            if isinstance(piece, str):
                parts.append(piece)
            elif piece[0] == "epoch":
                parts.append(str(piece[1] + shift))
            elif isinstance(piece[1], datetime):
                parts.append((piece[1] + moved).strftime("%Y-%m-%d %H:%M:%S"))
            else:
                parts.append(f"-{number * 16 + piece[1]:08x}")
        lines.append("".join(parts))
    return lines


def append_rounds(root: Path, first: int, count: int, project_layout: bool) -> int:
    """Appends rounds ``first`` .. ``first + count - 1``; returns the CDR rows written."""
    cdr_templates = _templates(Kind.CDR, project_layout)
    queue_templates = _templates(Kind.QUEUE_LOG, project_layout)
    rows = 0
    with (
        (root / "Master.csv").open("a", encoding="utf-8") as cdr,
        (root / "queue_log").open("a", encoding="utf-8") as queue_log,
    ):
        for number in range(first, first + count):
            lines = _round_lines(cdr_templates, number)
            cdr.writelines(lines)
            rows += len(lines)
            queue_log.writelines(_round_lines(queue_templates, number))
    return rows


def main(rows: int, project_layout: bool) -> None:
    per_round = sum(len(capture_lines(name, Kind.CDR)) for name in capture_names(Kind.CDR))
    rounds = rows // per_round
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        started = time.perf_counter()
        written = append_rounds(root, 0, rounds, project_layout)
        size_mb = (root / "Master.csv").stat().st_size / 1e6
        print(
            f"Master.csv: {written} rows, {size_mb:.0f} MB "
            f"({'21' if project_layout else '18'} columns); queue_log "
            f"{(root / 'queue_log').stat().st_size / 1e6:.0f} MB; "
            f"written in {time.perf_counter() - started:.0f} s"
        )
        settings = Settings(
            database_url=f"sqlite:///{root / 'unused.db'}",
            cdr_path=root / "Master.csv",
            queue_log_path=root / "queue_log",
            timezone="UTC",
            cdr_timezone="UTC",
        )
        now = START + ROUND * rounds + timedelta(minutes=20)
        started = time.perf_counter()
        summary = reconcile_files(
            settings, MemoryLog(), now - WINDOW, now, dialplan=CAPTURES_DIALPLAN
        )
        first = time.perf_counter() - started
        print(
            f"first run, 12 h window (fresh reconcile_files): {first:.2f} s, {summary.read} calls"
        )

        reconciler = Reconciler(settings, dialplan=CAPTURES_DIALPLAN)
        store = MemoryLog()
        reconciler.run(store, now - WINDOW, now)
        timings = []
        for step in range(NEXT_RUNS):
            append_rounds(root, rounds + step, 1, project_layout)
            since, now = now, now + ROUND
            started = time.perf_counter()
            summary = reconciler.run(store, since, now)
            timings.append(time.perf_counter() - started)
        reconciler.close()
        print(
            f"next runs, 15 min appended each ({NEXT_RUNS}): median "
            f"{statistics.median(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms, "
            f"{summary.read} calls in the last"
        )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000,
        (sys.argv[2] if len(sys.argv) > 2 else "project") == "project",
    )
