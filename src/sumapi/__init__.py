"""sumapi: a tiny JSON API (health, readiness, sum) operated like a production service."""

__version__ = "1.0.0"
