"""Composition root of the consultation line: settings, wiring, CLI and scheduler."""
