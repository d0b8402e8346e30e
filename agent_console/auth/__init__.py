"""Sign-in and access rules of the console: passwords, sessions, CSRF, who may use each route.

Routes declare their rule with :mod:`agent_console.auth.rules` (``allow``, ``page``, ``public``);
``tests/agent_console/test_access_matrix.py`` fails for any route of the app without one.
"""
