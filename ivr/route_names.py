"""Route names the dialplan calls as ``AGI(${CONSULT_AGI}/<name>,<args>)``, with their arguments.

The table of handlers is ``ivr.routes.ROUTES``; this module only names the contract so that
the dialplan test, the server and the flows agree on it.
"""

from __future__ import annotations

from typing import Final

ENTRY: Final = "entry"  # args: linkedid                     (C1, C3, V11, C11 after hours)
SURVEY: Final = "survey"  # args: linkedid                   (C15)
TRANSFER: Final = "transfer"  # args: linkedid, extension[, leg]  (C9, C10)
TRANSFER_FAILED: Final = "transfer-failed"  # args: linkedid, dialstatus
CALLBACK_DIALOUT: Final = "callback-dialout"  # args: task id, channel (C11)
VISIT_REMINDER: Final = "visit-reminder"  # args: reminder id, channel (V3, V4, V6)

ROUTE_NAMES: Final = frozenset(
    {ENTRY, SURVEY, TRANSFER, TRANSFER_FAILED, CALLBACK_DIALOUT, VISIT_REMINDER}
)
