"""Renders placeholder recordings of the prompt catalogue with espeak-ng.

    python -m ivr.prompt_render OUTDIR

writes ``OUTDIR/<lang>/<id>.wav`` for every prompt in ``ivr.prompts.PROMPTS``: 8 kHz, mono,
16-bit signed PCM, what Asterisk plays without transcoding (``slin``). Copy OUTDIR to
``<astdatadir>/sounds/consult-line/`` so that ``consult-line/ru/goodbye`` is found.

These are placeholders, good enough to test the line end to end; a studio re-records them
from the same texts. Needs ``espeak-ng`` (voices ``ru`` and ``en``) and ``sox`` (espeak-ng
writes 22 050 Hz; sox resamples). Debian/Ubuntu: ``apt-get install espeak-ng sox``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from ivr.prompts import PROMPTS
from models.tables import Language

VOICES: Final = {Language.RU: "ru", Language.EN: "en"}
SAMPLE_RATE: Final = 8000
WORDS_PER_MINUTE: Final = 150


class RenderError(RuntimeError):
    """A tool is missing or failed; the message tells the user what to do."""


def render_all(out_dir: Path, *, espeak: str, sox: str) -> list[Path]:
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="prompt-render-") as tmp:
        raw = Path(tmp) / "raw.wav"
        for language, voice in VOICES.items():
            folder = out_dir / language.value
            folder.mkdir(parents=True, exist_ok=True)
            for prompt_id, prompt in sorted(PROMPTS.items()):
                target = folder / f"{prompt_id}.wav"
                _speak(espeak, voice, prompt.text(language), raw)
                _resample(sox, raw, target)
                written.append(target)
    return written


def _speak(espeak: str, voice: str, text: str, target: Path) -> None:
    # The text goes through stdin: never parsed as options, whatever it starts with.
    command = [espeak, "-v", voice, "-s", str(WORDS_PER_MINUTE), "-w", str(target), "--stdin"]
    _run(command, text)


def _resample(sox: str, source: Path, target: Path) -> None:
    command = [sox, str(source), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", "-e", "signed"]
    _run([*command, str(target)], None)


def _run(command: list[str], stdin: str | None) -> None:
    result = subprocess.run(
        command, input=stdin, capture_output=True, text=True, check=False, encoding="utf-8"
    )
    if result.returncode != 0:
        raise RenderError(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ivr.prompt_render",
        description="Render placeholder prompts (8 kHz mono WAV) with espeak-ng and sox.",
    )
    parser.add_argument("out_dir", type=Path, help="output folder; gets ru/ and en/")
    args = parser.parse_args(argv)
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        print(
            "espeak-ng не найден: установите его (apt-get install espeak-ng). "
            "espeak-ng is required to render the placeholder prompts.",
            file=sys.stderr,
        )
        return 1
    sox = shutil.which("sox")
    if sox is None:
        print(
            "sox не найден: он нужен, чтобы привести запись к 8 кГц моно (apt-get install sox). "
            "sox is required to resample espeak-ng's 22 050 Hz output to 8 kHz.",
            file=sys.stderr,
        )
        return 1
    try:
        written = render_all(args.out_dir, espeak=espeak, sox=sox)
    except RenderError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"{len(written)} prompt(s) written to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
