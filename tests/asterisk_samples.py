"""An Asterisk installation for ``check-asterisk`` tests: the shipped samples and a sounds folder.

The sounds folder is written from an explicit list (not from the checks' own tables), so a
test fails if the checks start asking for other files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ivr.prompts import PROMPTS

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "asterisk" / "etc"
DIALPLAN = ROOT / "dialplan" / "consult-line.conf"
STAFF_EXAMPLE = ROOT / "examples" / "staff.yaml"
QUEUE_MEMBERS = tuple(f"PJSIP/{n}" for n in range(201, 206))  # asterisk/etc/queues.conf

# SAY DIGITS; SAY DATETIME "AdB"/"ABd" on any date; "kM"/"IMp" at the default opening 09:00.
_DATE_FILES = [
    *(f"digits/{n}" for n in range(10)),
    *(f"digits/day-{n}" for n in range(7)),
    *(f"digits/mon-{n}" for n in range(12)),
    *(f"digits/h-{n}" for n in range(1, 20)),
    "digits/h-20",
    "digits/h-30",
    "digits/20",
    "digits/30",
]
ASTERISK_SOUNDS = {
    "ru": [*_DATE_FILES, "digits/9", "digits/oclock"],
    "en": [*_DATE_FILES, "digits/9", "digits/oclock", "digits/a-m"],
}


def copy_etc(target: Path) -> Path:
    """The shipped ``asterisk/etc`` samples and the dialplan, as installed (README)."""
    target.mkdir(parents=True)
    for sample in SAMPLES.glob("*.conf"):
        shutil.copy(sample, target / sample.name)
    shutil.copy(DIALPLAN, target / DIALPLAN.name)
    return target


def make_sounds(target: Path) -> Path:
    """Every prompt in both languages (wav, as ``make prompts`` writes) and Asterisk's own
    number and date files (gsm, as the core sound packages ship) under ``<lang>/``."""
    for language in ("ru", "en"):
        for prompt_id in PROMPTS:
            _touch(target / "consult-line" / language / f"{prompt_id}.wav")
        for name in ASTERISK_SOUNDS[language]:
            _touch(target / language / f"{name}.gsm")
    return target


def edit(path: Path, old: str, new: str) -> None:
    """Replaces *old* (which must occur) with *new* in the file."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
