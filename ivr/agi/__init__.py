"""Our own asyncio FastAGI implementation (see notes on why not panoramisk's or pyst2's)."""
