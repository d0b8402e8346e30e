"""The resident speech model: one vosk model per process, loaded once, shared by every call.

The model is a folder an administrator downloads and names in
``CONSULT_LINE_SPEECH_MODEL_PATH``. Its state is what ``/health`` and ``check-config`` report:

* ``off`` — no folder is named: callers answer with the keypad only;
* ``loading`` — a folder is named and the model is being read (seconds, about half a gigabyte
  for a small model);
* ``ready`` — calls can be recognized;
* ``failed`` — the folder is missing, is not a vosk model, or vosk could not read it; the
  reason, in Russian, tells the administrator what to fix. Callers keep to the keypad.

vosk is imported on the first load only: its library is large, and most commands never need it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

from models.os_errors import os_error_reason

log = logging.getLogger(__name__)

SETTING = "CONSULT_LINE_SPEECH_MODEL_PATH"
# vosk's own log levels: 0 and above are its progress lines, -1 keeps warnings and errors,
# which it prints to stderr itself; its progress would only clutter the service's log.
VOSK_LOG_LEVEL = -1
# How a model spells the word it puts for speech outside its vocabulary: "[unk]" in the
# models published with vosk, "<UNK>" in some repackaged Kaldi models.
UNKNOWN_WORD_SPELLINGS = ("[unk]", "<UNK>")
# A dynamic graph (HCLr + Gr) lets each recognizer take a list of phrases; a static one
# (HCLG, the large models) ignores the list and decodes free speech.
RUNTIME_GRAPH = ("graph/HCLr.fst", "graph/Gr.fst")
STATIC_GRAPH = "graph/HCLG.fst"
ACOUSTIC_MODEL = "am/final.mdl"
CONFIGURATION = "conf"
# How a failed model is announced (log, /health, check-config), before its reason.
FAILED_WARNING = "распознавание речи не работает, звонящие отвечают только кнопками"
STATIC_GRAPH_NOTE = (
    "у модели статический граф (graph/HCLG.fst): списки ответов она не поддерживает, "
    "ответы распознаются как свободная речь — медленнее и с большим числом ошибок; для ответов "
    "голосом нужна модель с динамическим графом (graph/HCLr.fst и graph/Gr.fst), например "
    "малая русская модель vosk"
)


class SpeechState(StrEnum):
    OFF = "off"
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


class SpeechStatus(NamedTuple):
    """The model's state and, in Russian, why it is off or failed (or a note on a ready one)."""

    state: SpeechState
    reason: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"state": self.state.value, "reason": self.reason}


@dataclass(frozen=True, slots=True, eq=False)
class LoadedModel:
    """A loaded vosk model and what the recognizers need to know about it."""

    vosk_model: Any  # vosk.Model; thread-safe, shared by all recognizers
    path: Path
    runtime_grammar: bool  # takes a list of phrases per recognizer (HCLr + Gr)
    unknown_word: str | None  # its word for speech outside the vocabulary, if it has one

    def knows(self, word: str) -> bool:
        """Whether ``word`` is in the model's vocabulary (a grammar can only use those)."""
        return bool(self.vosk_model.vosk_model_find_word(word) >= 0)


def unknown_word_of(knows: Callable[[str], bool]) -> str | None:
    """The model's word for out-of-vocabulary speech, from its vocabulary lookup."""
    return next((word for word in UNKNOWN_WORD_SPELLINGS if knows(word)), None)


def model_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a vosk model (Russian, for the administrator), or None.

    Checks what vosk itself needs before it is asked: the acoustic model, the configuration
    folder and a decoding graph, static or dynamic.
    """
    shown = path.absolute()
    try:
        if not path.exists():
            return f"папки модели {shown} нет ({SETTING})"
        if not path.is_dir():
            return f"{shown} — файл, а не папка модели ({SETTING}): укажите распакованную папку"
        missing = [
            name
            for name, present in (
                (ACOUSTIC_MODEL, (path / ACOUSTIC_MODEL).is_file()),
                (f"{CONFIGURATION}/", (path / CONFIGURATION).is_dir()),
                (
                    f"{STATIC_GRAPH} или {' и '.join(RUNTIME_GRAPH)}",
                    (path / STATIC_GRAPH).is_file() or _has_runtime_graph(path),
                ),
            )
            if not present
        ]
    except OSError as exc:
        return f"папка модели {shown} не читается: {os_error_reason(exc)}"
    if missing:
        return (
            f"{shown} — не модель vosk: нет {', '.join(missing)} ({SETTING}: папка распакованной "
            "модели, в ней am/, conf/ и graph/)"
        )
    return None


def _has_runtime_graph(path: Path) -> bool:
    return all((path / name).is_file() for name in RUNTIME_GRAPH)


class SpeechModel:
    """The process's one speech model and its state; :meth:`load` reads it (blocking, once).

    ``path`` None: speech is off. With a path the state is ``loading`` from the start, as
    the service loads the model as soon as it starts (``load`` in a thread: ``load_async``).
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.load_seconds: float | None = None  # how long the last load took
        self._loaded: LoadedModel | None = None
        self._lock = threading.Lock()
        self._status = (
            SpeechStatus(SpeechState.OFF, f"{SETTING} не задан")
            if path is None
            else SpeechStatus(SpeechState.LOADING, f"загружается модель {path.absolute()}")
        )

    def status(self) -> SpeechStatus:
        return self._status

    @property
    def loaded(self) -> LoadedModel | None:
        """The model once ``ready``; None while off, loading or failed."""
        return self._loaded

    def load(self) -> SpeechStatus:
        """Reads the model (seconds); once only: later calls return the state reached."""
        with self._lock:
            if self.path is None or self._status.state is not SpeechState.LOADING:
                return self._status
            started = time.perf_counter()
            self._loaded, self._status = _load(self.path)
            self.load_seconds = time.perf_counter() - started
        if self._status.state is SpeechState.FAILED:
            log.warning("%s: %s", FAILED_WARNING, self._status.reason)
        else:
            log.info(
                "модель распознавания речи загружена за %.1f с: %s",
                self.load_seconds,
                self.path.absolute(),
            )
            if self._status.reason:
                log.warning("распознавание речи: %s", self._status.reason)
        return self._status

    def fail(self, reason: str) -> None:
        """Speech cannot work for a reason outside the model (its AudioSocket port): the
        state becomes ``failed`` with ``reason`` and the model is never loaded."""
        with self._lock:
            self._loaded, self._status = None, SpeechStatus(SpeechState.FAILED, reason)

    async def load_async(self) -> SpeechStatus:
        """:meth:`load` in a worker thread: the event loop keeps serving calls meanwhile."""
        return await asyncio.to_thread(self.load)


def _load(path: Path) -> tuple[LoadedModel | None, SpeechStatus]:
    problem = model_problem(path)
    if problem is not None:
        return None, SpeechStatus(SpeechState.FAILED, problem)
    try:
        import vosk  # a 25 MB library: loaded by the process that needs it, when it does

        vosk.SetLogLevel(VOSK_LOG_LEVEL)
        vosk_model = vosk.Model(str(path))
    except Exception as exc:  # vosk raises a bare Exception; its library may not load at all
        reason = (
            f"vosk не смог загрузить модель из {path.absolute()} ({exc}): файлы модели "
            "повреждены или не подходят к этой версии vosk; подробности vosk пишет в журнал службы "
            "(stderr)"
        )
        return None, SpeechStatus(SpeechState.FAILED, reason)
    loaded = LoadedModel(
        vosk_model=vosk_model,
        path=path,
        runtime_grammar=_has_runtime_graph(path),
        unknown_word=None,
    )
    loaded = replace(loaded, unknown_word=unknown_word_of(loaded.knows))
    return loaded, ready_status(runtime_grammar=loaded.runtime_grammar)


def ready_status(*, runtime_grammar: bool) -> SpeechStatus:
    """Ready; with a note when the model cannot take lists of answers (a static graph)."""
    return SpeechStatus(SpeechState.READY, None if runtime_grammar else STATIC_GRAPH_NOTE)
