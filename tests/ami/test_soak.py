"""Issue-level check of the call path under faults: overlapping calls from the recordings,
the AMI link cut, the service restarted, the database locked; the call log must equal an
uncut run's and every missed number must have exactly one callback task (C13, C11).

The large soak with figures for the README is ``bench/soak_line.py``; this one is small
enough for every run of the suite.
"""

from __future__ import annotations

from pathlib import Path

from tests.ami.soak import compare, faults_for, make_workload, play
from tests.conftest import EngineFactory

CALLS = 40
SEED = 20261203


async def test_the_call_log_under_faults_equals_the_uncut_runs(
    engine_factory: EngineFactory, tmp_path: Path
) -> None:
    workload = make_workload(CALLS, seed=SEED, mean_gap_s=1.0, numbers=12)
    faults = faults_for(workload, seed=SEED, cuts=3)
    (tmp_path / "uncut").mkdir()
    (tmp_path / "faulty").mkdir()
    uncut = await play(workload, engine_factory(), tmp_path / "uncut")
    faulty = await play(workload, engine_factory(), tmp_path / "faulty", faults)
    verdict = compare(uncut, faulty)
    assert len(uncut.calls) == CALLS
    assert verdict.missed_numbers > 0, "the workload has missed calls (C13)"
    assert faulty.adopted > 0, "calls that began while the link was down end live (item 1)"
    assert verdict.differences == [], "\n".join(faulty.fault_log)
    assert verdict.numbers_without_one_task == []
    assert len(faulty.fault_log) >= 2 * 3 + 4  # every cut, the restart and the blip happened
