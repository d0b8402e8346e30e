"""How ``serve`` wires the AMI bridge to speech (``consult_line.lifespan``): a key the caller
presses while the IVR listens for a spoken answer ends that listening, as Asterisk 22 reports
it, over the AMI socket (C15: keypad and voice together, whichever comes first wins)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.engine import Engine

from consult_line.clock import system_clock
from consult_line.lifespan import build_background
from consult_line.wiring import Services
from speech.listening import ListenSpec, Outcome
from tests.ami.fake_ami import bridge_settings, dtmf_end, without_calls
from tests.speech.fake_asterisk import Recognitions, new_uuid

CALLER = "1795867285.0"


async def test_a_key_reported_by_ami_ends_the_callers_listening(
    db_engine: Engine, tmp_path: Path
) -> None:
    async with without_calls() as asterisk:
        settings = bridge_settings(asterisk, db_engine, tmp_path)
        background = build_background(Services(settings, db_engine, system_clock))
        bridge = background.bridge
        assert bridge is not None
        await bridge.start()
        try:
            await bridge.connection.wait_logged_in(timeout=5)
            spec = ListenSpec(recognition=Recognitions())
            pending = background.listenings.expect(new_uuid(), spec, channel_id=CALLER)
            await asterisk.push(dtmf_end("1", CALLER))
            assert await asyncio.wait_for(pending.outcome(5.0), 5.0) == Outcome.pressed("1")
        finally:
            await bridge.stop()
