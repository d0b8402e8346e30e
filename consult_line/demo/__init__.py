"""Demo data for ``consult-line seed-demo``: a month of calls, callbacks and survey answers.

Everything a rule decides is decided by the rule, never written by hand, so the demo agrees
with the production calendar it is seeded with: whether a call arrived in working hours
(C3, ``calendar.is_open``), its outcome and missed reason (C13, ``classify_call``), whether a
transfer is allowed (C10, ``may_transfer``), the promised answer date and the call-back
windows (C11), and which operators may take calls on a given day (C4, ``training_status``).

Demo calls carry linkedids starting with ``demo-``; when one exists nothing is written, so the
command can be run twice. Coverage of every outcome, missed reason and callback status is
guaranteed as soon as the period has ten calls in working hours, one after hours and five
callback tasks (the default month has hundreds).

Modules: ``seed`` runs the period; ``staff`` and ``callers`` say who answers and who calls;
``arrivals`` and ``scenarios`` when calls come and what happens to them; ``calls``,
``transfers``, ``surveys``, ``callbacks`` and ``callback_progress`` plan the rows of one call
(``plans``); ``writer`` writes a day of plans; ``summary`` reports what was written.
"""

from consult_line.demo.calls import DEMO_LINKEDID_PREFIX, LINE_DID
from consult_line.demo.seed import seed_demo
from consult_line.demo.staff import NoOperatorsError
from consult_line.demo.summary import DemoSummary

__all__ = ["DEMO_LINKEDID_PREFIX", "LINE_DID", "DemoSummary", "NoOperatorsError", "seed_demo"]
