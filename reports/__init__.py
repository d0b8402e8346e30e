"""Supervisors' reports: each a query giving a table (typed rows, Russian headers) and its
totals, shown by the console's pages and written as CSV or XLSX by the downloads and by
``consult-line report``."""
