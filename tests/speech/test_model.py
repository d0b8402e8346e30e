"""The resident model's states: off without a path, failed with a reason the administrator can
act on (no folder, a file, not a model, vosk refusing it), ready with the test model."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from speech.model import (
    SETTING,
    STATIC_GRAPH_NOTE,
    SpeechModel,
    SpeechState,
    SpeechStatus,
    model_problem,
    ready_status,
    unknown_word_of,
)
from tests.speech.korean_model import YES, korean_model_dir


def _model_shaped(folder: Path, *, graph: tuple[str, ...]) -> Path:
    """A folder with the files vosk looks for, their contents not a model."""
    for name in ("am/final.mdl", "conf/mfcc.conf", *graph):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("not a model\n", "utf-8")
    return folder


def test_no_path_is_off_and_loading_changes_nothing() -> None:
    speech = SpeechModel(None)
    assert speech.status() == SpeechStatus(SpeechState.OFF, f"{SETTING} не задан")
    assert speech.load().state is SpeechState.OFF
    assert speech.loaded is None
    assert speech.load_seconds is None


def test_a_named_model_is_loading_until_loaded(tmp_path: Path) -> None:
    # serve starts the load as it starts: until it ends /health says "loading"
    speech = SpeechModel(tmp_path / "model")
    assert speech.status().state is SpeechState.LOADING
    assert speech.loaded is None


def test_missing_folder_fails_loudly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    speech = SpeechModel(tmp_path / "vosk-model-small-ru")
    with caplog.at_level(logging.WARNING, logger="speech.model"):
        state, reason = speech.load()
    assert state is SpeechState.FAILED
    assert reason == f"папки модели {tmp_path / 'vosk-model-small-ru'} нет ({SETTING})"
    assert speech.status() == (state, reason)
    assert speech.loaded is None
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "звонящие отвечают только кнопками" in record.getMessage()
    assert reason in record.getMessage()


def test_a_file_instead_of_a_folder_fails(tmp_path: Path) -> None:
    archive = tmp_path / "vosk-model-small-ru.zip"  # downloaded, never unpacked
    archive.write_bytes(b"PK\x03\x04")
    state, reason = SpeechModel(archive).load()
    assert state is SpeechState.FAILED
    assert reason is not None
    assert f"{archive} — файл, а не папка модели" in reason


def test_a_folder_that_is_not_a_model_names_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("", "utf-8")
    state, reason = SpeechModel(tmp_path).load()
    assert state is SpeechState.FAILED
    assert reason == (
        f"{tmp_path} — не модель vosk: нет am/final.mdl, conf/, graph/HCLG.fst или "
        f"graph/HCLr.fst и graph/Gr.fst ({SETTING}: папка распакованной модели, в ней am/, "
        "conf/ и graph/)"
    )


def test_a_model_folder_one_level_too_high_is_not_a_model(tmp_path: Path) -> None:
    # the archive unpacked into a folder of its own: the model is one level down
    _model_shaped(tmp_path / "vosk-model-small-ru-0.22", graph=("graph/HCLr.fst", "graph/Gr.fst"))
    assert "не модель vosk: нет am/final.mdl" in (model_problem(tmp_path) or "")


def test_half_a_runtime_graph_is_no_graph(tmp_path: Path) -> None:
    _model_shaped(tmp_path, graph=("graph/HCLr.fst",))
    assert "нет graph/HCLG.fst или graph/HCLr.fst и graph/Gr.fst" in (model_problem(tmp_path) or "")


@pytest.mark.parametrize("graph", [("graph/HCLG.fst",), ("graph/HCLr.fst", "graph/Gr.fst")])
def test_either_graph_makes_a_model_shape(tmp_path: Path, graph: tuple[str, ...]) -> None:
    assert model_problem(_model_shaped(tmp_path, graph=graph)) is None


def test_files_vosk_cannot_read_fail_with_its_reason(tmp_path: Path) -> None:
    # The right names with broken contents (an interrupted copy): vosk itself refuses them.
    folder = _model_shaped(tmp_path, graph=("graph/HCLr.fst", "graph/Gr.fst"))
    state, reason = SpeechModel(folder).load()
    assert state is SpeechState.FAILED
    assert reason is not None
    assert reason.startswith(f"vosk не смог загрузить модель из {folder} (")
    assert "повреждены" in reason


def test_load_runs_once(tmp_path: Path) -> None:
    speech = SpeechModel(tmp_path / "absent")
    first = speech.load()
    (tmp_path / "absent").mkdir()  # fixed afterwards: the service needs a restart to see it
    assert speech.load() is first


async def test_load_async_reaches_the_same_state(tmp_path: Path) -> None:
    speech = SpeechModel(tmp_path / "absent")
    status = await speech.load_async()
    assert status.state is SpeechState.FAILED
    assert speech.status() is status


def test_status_for_health_and_check_config() -> None:
    assert SpeechStatus(SpeechState.FAILED, "нет папки").as_dict() == {
        "state": "failed",
        "reason": "нет папки",
    }
    assert SpeechStatus(SpeechState.READY).as_dict() == {"state": "ready", "reason": None}


@pytest.mark.parametrize(
    ("vocabulary", "expected"),
    [
        ({"да", "[unk]"}, "[unk]"),  # the models published with vosk
        ({"да", "<UNK>"}, "<UNK>"),  # the Korean test model
        ({"да", "[unk]", "<UNK>"}, "[unk]"),
        ({"да"}, None),
    ],
)
def test_unknown_word_is_the_spelling_the_model_has(
    vocabulary: set[str], expected: str | None
) -> None:
    assert unknown_word_of(vocabulary.__contains__) == expected


def test_the_test_model_loads_and_is_ready() -> None:
    speech = SpeechModel(korean_model_dir())
    assert speech.status().state is SpeechState.LOADING
    assert speech.load() == SpeechStatus(SpeechState.READY, None)
    loaded = speech.loaded
    assert loaded is not None
    assert loaded.path == speech.path
    assert loaded.runtime_grammar  # HCLr + Gr: lists of answers work
    assert loaded.unknown_word == "<UNK>"  # this model has no "[unk]"
    assert loaded.knows(YES)
    assert not loaded.knows("[unk]")
    assert speech.load_seconds is not None
    assert speech.load() is speech.status()  # once only
    assert speech.loaded is loaded


def test_a_static_graph_model_is_ready_with_a_note() -> None:
    # The large models decode with graph/HCLG.fst only: they ignore lists of answers.
    assert ready_status(runtime_grammar=True) == SpeechStatus(SpeechState.READY, None)
    note = ready_status(runtime_grammar=False)
    assert note == SpeechStatus(SpeechState.READY, STATIC_GRAPH_NOTE)
    assert "списки ответов она не поддерживает" in STATIC_GRAPH_NOTE
