"""The app on the training line, as ``serve`` runs it on a machine without Asterisk.

``TrainingLiveServer`` is ``LiveServer`` with ``CONSULT_LINE_PBX=training``: the simulated PBX
(``consult_line.training``) runs in the server's loop, its AMI on a loopback port the bridge
logs in to, its calls against the app's own FastAGI server. Nobody calls by themselves and no
simulated operator takes calls: a test places each call (``place_call``) and the operator at
the screen answers it.
"""

from __future__ import annotations

from consult_line.lifespan import Background, build_background
from consult_line.wiring import Services
from models.line_scope import scope_to_line
from models.settings import Settings
from simulator.caller import CallerPlan
from simulator.training_line import TrainingLine
from tests.e2e.server import LiveServer


class TrainingLiveServer(LiveServer):
    def settings(self, agi_port: int) -> Settings:
        return Settings(
            database_url=self.engine.url.render_as_string(hide_password=False),
            http_port=self.port,
            agi_port=agi_port,
            pbx="training",
            training_operators=0,
            queue_log_path=self._tmp_path / "queue_log",
            cdr_path=self._tmp_path / "cdr.csv",
        )

    def build_background(self, services: Services) -> Background:
        scope_to_line(services.engine, training=True)  # as consult_line.wiring does
        background = build_background(services)
        assert background.training is not None
        background.training.callers_arrive = False
        return background

    @property
    def training_line(self) -> TrainingLine:
        assert self.background is not None
        assert self.background.training is not None
        line = self.background.training.line
        assert line is not None
        return line

    def place_call(self, plan: CallerPlan) -> str:
        """A caller rings the line now; returns the call's Linkedid."""
        return self.call(lambda: self.training_line.place_call(plan).linkedid)
