"""Tables, database access, settings and the pure domain rules (``models.rules``)."""
