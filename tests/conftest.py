"""Every suite gets the shared fixtures, and `--order` to prove no test needs the one before it:

pytest --order=reverse tests/iac_emulator      # last test first
pytest --order=shuffle --order-seed=7 tests/unit
"""

from __future__ import annotations

import random
from typing import Any

import pytest

pytest_plugins = ["tests.harness.plugin"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("order", "test order")
    group.addoption(
        "--order",
        choices=("file", "reverse", "shuffle"),
        default="file",
        help="run the collected tests in file order (default), reversed, or shuffled",
    )
    group.addoption("--order-seed", type=int, default=None, help="seed of --order=shuffle")


def _seed(config: pytest.Config) -> int:
    seed: int | None = config.getoption("order_seed")
    if seed is None:
        seed = random.SystemRandom().randrange(10**6)
        config.option.order_seed = seed
    return seed


def pytest_report_header(config: pytest.Config) -> str | None:
    order: str = config.getoption("order")
    if order == "shuffle":
        return f"order: shuffle (--order-seed={_seed(config)})"
    return None if order == "file" else f"order: {order}"


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    header = pytest_report_header(config)
    if header is not None:  # also under -q, which hides the header
        terminalreporter.write_line(header)


@pytest.hookimpl(trylast=True)  # after pytest's own grouping by fixture scope: exactly this order
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    order: str = config.getoption("order")
    if order == "reverse":
        items.reverse()
    elif order == "shuffle":
        random.Random(_seed(config)).shuffle(items)
