"""The supervisors' wallboard: today's figures of the line (``wallboard.today``) and the words
the board shows for the live picture of the queue (``wallboard.labels``). The page itself is
``agent_console.routes.wallboard``; the live picture comes from the AMI bridge
(``ami.live_state``)."""
