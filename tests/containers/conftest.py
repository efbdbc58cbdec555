"""The deployed task run as pods: the infra suite's private emulator, registry and load balancer
(its fixture stops the tasks, the load balancer and the registry at the end)."""

from tests.infra.conftest import infra, pytest_terminal_summary

__all__ = ["infra", "pytest_terminal_summary"]
