"""The screens of the supervisors' reports: what each report's page shows of its own
(``agent_console.report_screen`` answers the request the same way for all)."""
