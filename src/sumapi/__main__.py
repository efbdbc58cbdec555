"""Process entry point: `python -m sumapi`. Exits 2 with one line on a bad setting."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable

from sumapi.app import create_app
from sumapi.config import Config, ConfigError
from sumapi.observability import configure_logging
from sumapi.server import serve


def event_loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop]:
    if name == "uvloop":
        import uvloop  # only when chosen: the asyncio loop must not need it installed

        return uvloop.new_event_loop
    return asyncio.new_event_loop


def main() -> int:
    try:
        config = Config.from_env()
    except ConfigError as error:
        print(f"sumapi: invalid configuration: {error}", file=sys.stderr)
        return 2
    configure_logging(config.log_level)
    app = create_app(config)
    with asyncio.Runner(loop_factory=event_loop_factory(config.event_loop)) as runner:
        runner.run(serve(app))
    return 0


if __name__ == "__main__":
    sys.exit(main())
