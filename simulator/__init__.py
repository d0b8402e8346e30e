"""The training line: a simulated Asterisk that speaks AMI and drives the FastAGI routes.

Only the composition root (``consult-line simulate``) and tests import it; nothing in the
product depends on it. Modules: ``clock`` (virtual or paced time), ``channels``/``pbx`` (the
PBX's channels, bridges and their AMI events), ``devices`` (queue members and transfer
targets, and the simulated phones behind them), ``queue_app``/``dial_app``/``transfers``/
``originate`` (what Asterisk's applications and actions do), ``agi_client`` (Asterisk's side
of FastAGI), ``dialplan`` (the line's ``consult-line.conf``), ``caller``/``arrivals`` (the
simulated callers), ``ami_server`` (the manager interface), ``queue_log``/``cdr`` (Asterisk's
own records) and ``training_line`` (all of it wired for the command).
"""
