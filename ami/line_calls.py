"""Which calls on the PBX are the line's: one definition for the live call log
(``ami.projector``) and the reconciliation from queue_log and CDR (``ami.reconcile``).

A call is the line's when its inbound channel ran in one of the line's dialplan contexts
(``dialplan/consult-line.conf``). The line's number, 78722678091, is an extension of
``consult-line-inbound`` (the trunk's context), so a call to it is the line's by the same
rule; the number alone decides nothing (an operator dialling it from a desk phone is an
internal call until it comes back through the trunk). Not the line's:

* callbacks the console originates: they start in ``consult-line-callback``;
* ``consult-line-defaults``: a Gosub the callbacks run too;
* everything else on the PBX: operators calling each other (``consult-line-operators``),
  other departments' numbers and queues.

In the files: a CDR call is the line's when a row of its inbound channel shows one of the
contexts in ``dcontext`` (the context the channel was last in while the row lasted; a call
of the line ends every row there: the IVR, the queue, the survey, a transfer), and a
queue_log call when one of its stays was in the line's queue (``LINE_QUEUE``, run only from
``consult-line-queue``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

LINE_QUEUE: Final = "consult-line"
CALLBACK_CONTEXT: Final = "consult-line-callback"

# Contexts only a caller's own (inbound) channel runs in.
LINE_CONTEXTS: frozenset[str] = frozenset(
    {
        "consult-line-inbound",
        "consult-line-queue",
        "consult-line-survey",
        "consult-line-transfer",
        "consult-line-transfer-guard",
        "consult-line-fallback",
    }
)


@dataclass(frozen=True, slots=True)
class LineCalls:
    """The contexts and queues that make a call the line's; None: every call is."""

    contexts: frozenset[str] | None
    queues: frozenset[str] | None

    def context(self, context: str) -> bool:
        return self.contexts is None or context in self.contexts

    def queue(self, queue: str) -> bool:
        return self.queues is None or queue in self.queues


LINE = LineCalls(LINE_CONTEXTS, frozenset({LINE_QUEUE}))
EVERY_CALL = LineCalls(None, None)
