"""The AMI bridge: typed events, call-log projector, reconciliation (not built yet)."""
