"""The caller's call flows, one small module per FastAGI route (see ``ivr.routes``).

A flow decides and sets channel variables (``ivr.variables``); the dialplan acts on them.
Flows never EXEC, never Goto, never GET FULL VARIABLE, and never put caller-controlled text
into a command: only validated digits reach Asterisk, through SAY DIGITS.
"""
