"""E-mail transport for written messages: the SMTP receiver, the parser of what it receives,
and outgoing mail."""
