"""Channel variables: the contract between the FastAGI routes and ``dialplan/``.

The routes *set* these; the dialplan *reads* them (and sets the ones marked "dialplan").
``tests/test_dialplan_contract.py`` checks that every variable the dialplan reads is listed
here, so a rename cannot silently break a branch.
"""

from __future__ import annotations

from typing import Final

# The server's last word on every session: LINE_AGI_DONE="1" when the route ran to its end,
# LINE_AGI_FAILED="1" when it failed. The dialplan clears both before AGI() and goes on only
# after LINE_AGI_DONE=1. AGISTATUS alone cannot tell: Asterisk reports FAILURE both when the
# server is unreachable and when any single command of a finished route failed (STREAM FILE or
# SAY of a sound file that is not installed: the route skipped it and served the caller).
LINE_AGI_DONE: Final = "LINE_AGI_DONE"
LINE_AGI_FAILED: Final = "LINE_AGI_FAILED"

# entry route
LINE_OPEN: Final = "LINE_OPEN"  # "1" in working hours (C3), else "0"
LINE_LANGUAGE: Final = "LINE_LANGUAGE"  # "ru" | "en" (V11); CHANNEL(language) too (route, dialplan)
LINE_TOPIC: Final = "LINE_TOPIC"  # models.topics.Topic value (C1)
LINE_ROUTE: Final = "LINE_ROUTE"  # what the dialplan does next: one of ROUTE_* below
LINE_QUEUE_PRIORITY: Final = "LINE_QUEUE_PRIORITY"  # Queue priority, "0".."10"

ROUTE_QUEUE: Final = "queue"  # to the operators' queue
ROUTE_HANGUP: Final = "hangup"  # the flow is over (after-hours message, callback taken, ...)

# transfer guard (C10)
TRANSFER_ALLOWED: Final = "TRANSFER_ALLOWED"  # "1" or "0"
TRANSFER_DEVICE: Final = "TRANSFER_DEVICE"  # device to Dial, e.g. "PJSIP/301", when allowed

# callback dial-out (C11)
CALLBACK_NUMBER: Final = "CALLBACK_NUMBER"  # digits only, e.g. "79281234567"
CALLBACK_TASK_ID: Final = "CALLBACK_TASK_ID"  # set by the AMI Originate; read by the dialplan

# visit reminder call (V3, V4, V6): set by the AMI Originate; read by the dialplan
VISIT_REMINDER_ID: Final = "VISIT_REMINDER_ID"  # the visit_reminders row id (digits)

# survey (C15): stored in the database; also left on the channel for the CDR/queue_log
SURVEY_ANSWER_RECEIVED: Final = "SURVEY_ANSWER_RECEIVED"  # "yes" | "no" | ""
SURVEY_QUALITY: Final = "SURVEY_QUALITY"  # QualityRating value or ""

# Read by the routes (GET VARIABLE), set by Asterisk or the dialplan, never by the caller.
MEMBERINTERFACE: Final = "MEMBERINTERFACE"  # queue member device (queues.conf setinterfacevar)
DIALSTATUS: Final = "DIALSTATUS"

SET_BY_ROUTES: Final = frozenset(
    {
        LINE_AGI_DONE,
        LINE_AGI_FAILED,
        LINE_OPEN,
        LINE_LANGUAGE,
        LINE_TOPIC,
        LINE_ROUTE,
        LINE_QUEUE_PRIORITY,
        TRANSFER_ALLOWED,
        TRANSFER_DEVICE,
        CALLBACK_NUMBER,
        SURVEY_ANSWER_RECEIVED,
        SURVEY_QUALITY,
    }
)
