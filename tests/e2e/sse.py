"""A server-sent events reader for tests: frames exactly as the server wrote them, over httpx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass(frozen=True)
class Frame:
    """One block up to a blank line: its raw lines and the fields the SSE spec parses."""

    lines: tuple[str, ...]
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def comment(self) -> bool:
        return all(line.startswith(":") for line in self.lines)

    @property
    def event(self) -> str | None:
        return self.fields.get("event")

    @property
    def id(self) -> int:
        return int(self.fields["id"])

    @property
    def data(self) -> dict[str, Any]:
        decoded = json.loads(self.fields["data"])
        assert isinstance(decoded, dict)
        return decoded

    @property
    def snapshot(self) -> bool:
        return bool(self.data["snapshot"])

    @property
    def payload(self) -> dict[str, Any]:
        payload = self.data["payload"]
        assert isinstance(payload, dict)
        return payload


class SseReader:
    def __init__(self, response: httpx.Response) -> None:
        assert response.status_code == 200, response.text
        self._lines = response.iter_lines()

    def __iter__(self) -> Iterator[Frame]:
        return self

    def __next__(self) -> Frame:
        lines: list[str] = []
        for line in self._lines:
            if line == "":
                if lines:
                    return _frame(lines)
                continue
            lines.append(line)
        if lines:
            raise AssertionError(f"the stream ended inside a frame: {lines}")
        raise StopIteration

    def next_event(self) -> Frame:
        """The next frame that is an event (keep-alive comments skipped)."""
        for frame in self:
            if frame.event is not None:
                return frame
        raise AssertionError("the stream ended")


def _frame(lines: list[str]) -> Frame:
    fields: dict[str, str] = {}
    for line in lines:
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        fields[name] = value.removeprefix(" ")
    return Frame(tuple(lines), fields)
