"""The AMI bridge: connection, typed events, call-log projector, reconciliation, live state."""
