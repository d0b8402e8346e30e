"""The FastAGI server and the caller's call flows (see the IVR issue; not built yet)."""
