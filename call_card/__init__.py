"""The operator's call card: what the console shows and records around one call, and the
operator's own lists (wrap-ups owed, callbacks). Plain functions over a SQLModel session (one
over the engine, where a lock must span the commit); time is passed in. Bad input is answered
with a :class:`call_card.refusals.Refusal` in Russian and changes nothing."""
