"""The FastAGI server (``ivr.agi``), the route table and the caller's call flows."""
