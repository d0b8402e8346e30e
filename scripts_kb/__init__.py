"""Knowledge-base content (``content/``), its loader and store, search and upkeep."""
