"""``serve`` with speech: the model loads beside the running service (the IVR keeps to the
keypad meanwhile), the AudioSocket server listens, /health says how speech is; a broken model
is reported loudly and callers keep the keypad."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from consult_line.cli import main
from ivr.variables import LINE_LANGUAGE, MEMBERINTERFACE
from tests.consult_line.test_serve import Service, _free_port, _start
from tests.ivr.fake_asterisk import FakeCall, capture_environment, run_call
from tests.speech.korean_model import korean_model_dir


def _speech(service: Service, want: str) -> dict[str, Any]:
    """/health once its speech state is ``want`` (the model loads in the background)."""
    deadline = time.monotonic() + 60
    while True:
        body: dict[str, Any] = httpx.get(f"{service.base}/health", timeout=10).json()
        if body["speech"]["state"] == want or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


@pytest.fixture
def migrated(monkeypatch: pytest.MonkeyPatch, database_url: str) -> str:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    return database_url


@pytest.fixture
def with_model(migrated: str) -> Iterator[tuple[Service, int]]:
    audiosocket_port = _free_port()
    with _start(
        migrated,
        CONSULT_LINE_SPEECH_MODEL_PATH=str(korean_model_dir()),
        CONSULT_LINE_AUDIOSOCKET_PORT=str(audiosocket_port),
    ) as service:
        yield service, audiosocket_port


async def test_the_model_loads_in_the_background_and_audiosocket_listens(
    with_model: tuple[Service, int],
) -> None:
    service, audiosocket_port = with_model
    assert f"AudioSocket (речь): 127.0.0.1:{audiosocket_port}" in "".join(service.seen)
    body = _speech(service, "ready")
    assert body["speech"]["state"] == "ready", body
    # A stranger's uuid gets no listening: a hang-up frame and the socket closed.
    reader, writer = await asyncio.open_connection("127.0.0.1", audiosocket_port)
    writer.write(bytes([0x01, 0x00, 0x10]) + bytes(16))
    await writer.drain()
    assert await asyncio.wait_for(reader.read(), timeout=10) == bytes([0x00, 0x00, 0x00])
    writer.close()
    assert service.stop() == 0
    log = "".join(service.seen)
    assert "AudioSocket остановлен" in log
    # The test model is Korean: the line's Russian and English answers stay on the keypad,
    # and the administrator is told which.
    assert "речь: в словаре модели нет слов ответа, вопрос останется кнопочным: survey-" in log


async def test_a_broken_model_is_reported_and_callers_keep_the_keypad(
    migrated: str, tmp_path: Path
) -> None:
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    with _start(
        migrated,
        CONSULT_LINE_SPEECH_MODEL_PATH=str(empty),
        CONSULT_LINE_AUDIOSOCKET_PORT=str(_free_port()),
    ) as service:
        body = _speech(service, "failed")
        assert body["speech"]["state"] == "failed", body
        assert body["speech"]["reason"]
        assert body["status"] == "degraded"
        env = capture_environment(
            "x-full-flow-ivr-queue-survey", agi_network_script="survey", args=["1795867285.0"]
        )
        call = FakeCall(
            digits=["", "1", "3", ""], variables={MEMBERINTERFACE: "PJSIP/201", LINE_LANGUAGE: "ru"}
        )
        record = await run_call(service.agi_port, env, call)
        assert not any(command.startswith("EXEC") for command in record.commands)
        assert record.variables_set["SURVEY_QUALITY"] == "not_satisfied"
        assert service.stop() == 0


async def test_an_audiosocket_port_it_cannot_have_is_said_and_callers_keep_the_keypad(
    migrated: str,
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        taken = busy.getsockname()[1]
        with _start(
            migrated,
            CONSULT_LINE_SPEECH_MODEL_PATH=str(korean_model_dir()),
            CONSULT_LINE_AUDIOSOCKET_PORT=str(taken),
        ) as service:
            body = _speech(service, "failed")
            assert body["speech"]["state"] == "failed", body
            assert body["status"] == "degraded"
            assert (
                f"не удалось открыть порт AudioSocket 127.0.0.1:{taken} (адрес уже занят "
                "другой программой)"
            ) in body["speech"]["reason"]
            env = capture_environment(
                "x-full-flow-ivr-queue-survey", agi_network_script="survey", args=["1795867285.0"]
            )
            call = FakeCall(
                digits=["", "1", "3", ""],
                variables={MEMBERINTERFACE: "PJSIP/201", LINE_LANGUAGE: "ru"},
            )
            record = await run_call(service.agi_port, env, call)
            assert not any(command.startswith("EXEC") for command in record.commands)
            assert record.variables_set["SURVEY_QUALITY"] == "not_satisfied"
            assert service.stop() == 0
    assert f"AudioSocket: не удалось открыть порт 127.0.0.1:{taken}" in "".join(service.seen)
