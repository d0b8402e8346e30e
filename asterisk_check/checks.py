"""Every check of ``check-asterisk``, in the order of the contract (asterisk/README.md).

Pure given its inputs: the loaded files, the sound folder, and :class:`Facts` (settings, the
staff directory, the AMI route, the moment zone offsets are compared at).
"""

from __future__ import annotations

from collections import Counter

from asterisk_check.checks_dialplan import check_dialplan, check_queue
from asterisk_check.checks_manager import check_manager
from asterisk_check.checks_records import check_cdr, check_queue_log
from asterisk_check.checks_sounds import check_sounds
from asterisk_check.facts import Facts
from asterisk_check.results import Result, Status
from asterisk_check.setup import (
    CDR,
    EXTCONFIG,
    EXTENSIONS,
    LOGGER,
    MANAGER,
    MODULES,
    QUEUES,
    AsteriskSetup,
)
from asterisk_check.sounds import SoundFolder


def run_checks(setup: AsteriskSetup, sounds: SoundFolder, facts: Facts) -> list[Result]:
    directories = setup.directories
    return [
        *check_manager(setup.file(MANAGER), facts),
        *check_queue(setup.file(QUEUES), facts),
        *check_dialplan(setup.file(EXTENSIONS), facts),
        *check_cdr(setup.file(CDR), setup.file(MODULES), facts, directories),
        *check_queue_log(setup.file(LOGGER), setup.file(EXTCONFIG), facts, directories),
        *check_sounds(sounds, setup.file(EXTENSIONS), facts, directories),
    ]


def exit_code(results: list[Result]) -> int:
    """0: everything passed (warnings allowed); 1: a check failed or could not run."""
    return 1 if any(r.status in {Status.FAIL, Status.NOT_RUN} for r in results) else 0


def summary(results: list[Result]) -> str:
    counts = Counter(r.status for r in results)
    parts = [f"в порядке {counts[Status.OK]}"]
    if counts[Status.WARN]:
        parts.append(f"предупреждений {counts[Status.WARN]}")
    if counts[Status.FAIL]:
        parts.append(f"ошибок {counts[Status.FAIL]}")
    if counts[Status.NOT_RUN]:
        parts.append(f"не проверено {counts[Status.NOT_RUN]}")
    verdict = "Asterisk настроен по контракту." if not exit_code(results) else "Нужны исправления."
    return f"Итог: проверок {len(results)}: {', '.join(parts)}. {verdict}"
