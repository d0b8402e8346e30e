"""The HTTP side: FastAPI app factory, routes per resource, later the operator console."""
