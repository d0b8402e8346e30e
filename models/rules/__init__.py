"""Pure domain rules: no I/O, no clock. Every rule takes ``now`` or ``today`` as an argument."""
