"""Services, one package per domain (site, importing, comments, backup) plus the shared rate
limiter and mail builder: the only code besides the models that talks to the database.

A service knows no request and no app wiring: a view or a CLI command passes in the session,
the settings and the values it needs (tests/test_architecture.py checks it)."""
