"""How ``serve`` puts the training line together (``consult_line.lifespan``,
``consult_line.training``): the bridge is pointed at the simulated PBX with a secret of this
run, and on PostgreSQL the training line's live picture has a channel of its own."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ami.pg_relay import DEFAULT_CHANNEL
from consult_line.clock import system_clock
from consult_line.lifespan import TRAINING_CHANNEL, Background, build_background
from consult_line.wiring import Services
from models.db import create_db_engine
from models.settings import Settings

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/shared"  # never connected to here


def _background(pbx: str, records: Path) -> Background:
    settings = Settings(
        database_url=POSTGRES,
        pbx=pbx,
        ami_secret="s3cret",  # type: ignore[arg-type]
        queue_log_path=records / "queue_log",
        cdr_path=records / "cdr.csv",
    )
    services = Services(settings=settings, engine=create_db_engine(POSTGRES), clock=system_clock)
    return build_background(services)


@pytest.mark.parametrize(
    ("pbx", "channel"), [("asterisk", DEFAULT_CHANNEL), ("training", TRAINING_CHANNEL)]
)
def test_each_line_relays_its_live_picture_on_its_own_channel(
    pbx: str, channel: str, tmp_path: Path
) -> None:
    background = _background(pbx, tmp_path)
    assert background.relay is not None
    assert background.relay.channel == channel
    if background.training is not None:
        asyncio.run(background.training.stop())


def test_the_bridge_logs_in_to_the_simulated_pbx_with_a_secret_of_this_run(
    tmp_path: Path,
) -> None:
    background = _background("training", tmp_path)
    training = background.training
    assert training is not None
    try:
        bridge = training.bridge_settings()
        assert (bridge.ami_host, bridge.ami_port) == ("127.0.0.1", training.port)
        assert bridge.ami_secret.get_secret_value() not in ("", "s3cret")
        assert bridge.training_line  # the bridge's own call log marks the training calls
        assert bridge.database_url == POSTGRES
    finally:
        asyncio.run(training.stop())
    assert (tmp_path / "queue_log").is_file()  # there from the start, as Asterisk's are
    assert _background("asterisk", tmp_path).training is None
