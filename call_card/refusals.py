"""What the call card's functions return instead of a result when they will not act."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RefusalKind(StrEnum):
    NOT_FOUND = "not_found"  # no such call, employee, task or entry
    INVALID = "invalid"  # the input breaks a rule (a number, a window, a missing reason)
    CONFLICT = "conflict"  # the state forbids it now (call ended, task closed, done already)
    FORBIDDEN = "forbidden"  # it is somebody else's to do (another operator's call)


@dataclass(frozen=True, slots=True)
class Refusal:
    """Nothing was changed; ``reason`` is for the operator, in Russian."""

    kind: RefusalKind
    reason: str


def not_found(reason: str) -> Refusal:
    return Refusal(RefusalKind.NOT_FOUND, reason)


def invalid(reason: str) -> Refusal:
    return Refusal(RefusalKind.INVALID, reason)


def conflict(reason: str) -> Refusal:
    return Refusal(RefusalKind.CONFLICT, reason)


def forbidden(reason: str) -> Refusal:
    return Refusal(RefusalKind.FORBIDDEN, reason)
