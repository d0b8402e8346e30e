"""One router per resource; ``agent_console.app.ROUTERS`` lists them all."""
