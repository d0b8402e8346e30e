"""Knowledge-base content, loader and search (not built yet)."""
