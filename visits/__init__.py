"""Personal visits (V1–V6, V11, V12): the reception schedule, bookings, cancellation links and
the confirmation text. Uses ``models`` (tables, the pure rules of ``models.rules.visit_slots``);
used by the console, the public pages and the command line."""
