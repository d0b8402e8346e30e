"""Every report, by the name the page's address and ``consult-line report`` use.

Adding a report: its module beside ``missed.py`` with a ``ReportSpec``, a line here, a line in
``consult_line.arguments.REPORTS`` and its screen in ``agent_console.routes.reports.SCREENS``.
"""

from __future__ import annotations

from reports.callbacks import CALLBACKS
from reports.missed import MISSED
from reports.operators import OPERATORS
from reports.report import ReportSpec
from reports.survey import SURVEY
from reports.transfers import TRANSFERS

REPORTS: dict[str, ReportSpec] = {
    spec.name: spec for spec in (MISSED, CALLBACKS, TRANSFERS, SURVEY, OPERATORS)
}
