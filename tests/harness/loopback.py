"""Ports and HTTP answers on 127.0.0.1: localenv.loopback, which bench/ uses too (bench/ imports
nothing from tests/)."""

from localenv.loopback import HOST, free_port, http_status, wait_for_status

__all__ = ["HOST", "free_port", "http_status", "wait_for_status"]
