"""Speech in the IVR: the AudioSocket server, the recognizer and its model (issue: spoken answers)."""
