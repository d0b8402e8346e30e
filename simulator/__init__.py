"""The training line: a simulated Asterisk that speaks AMI and drives the FastAGI routes.

Only the composition roots (``consult-line simulate``; ``serve`` on the training line,
``consult_line.training``) and tests import it; nothing else in the product depends on it.
Modules:

* ``clock``: virtual or paced time; ``channels``, ``pbx``, ``ami_events``: the PBX's channels
  and bridges and the AMI events they send;
* ``devices``: queue members and transfer targets, and the simulated phones behind them;
  ``handsets``: the console operator's phone, answered and hung up from the screen (AMI
  ``UserEvent``);
* ``conversation``, ``queue_wait``, ``queue_app``, ``dial_app``, ``transfers``,
  ``originate``: what Asterisk's applications and actions do; ``apps``: the dialplan's
  applications; ``agi_client``, ``agi_commands``: Asterisk's side of FastAGI;
* ``dialplan``: the line's ``consult-line.conf``; ``switch``: all of the above for a dialplan;
* ``caller``, ``calls``, ``arrivals``, ``day_profile``, ``operators``: the simulated people
  and when they call;
* ``ami_server``, ``ami_actions``, ``ami_wire``: the manager interface;
  ``queue_log``, ``cdr``: Asterisk's own records;
* ``training_line``: all of it wired for the command.
"""
