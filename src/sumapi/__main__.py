"""Process entry point: `python -m sumapi`. Exits 2 with one line on a bad setting."""

from __future__ import annotations

import sys

from sumapi import workers
from sumapi.config import Config, ConfigError
from sumapi.observability import configure_logging
from sumapi.server import ListenError, event_loop_factory


def main() -> int:
    try:
        config = Config.from_env()
    except ConfigError as error:
        print(f"sumapi: invalid configuration: {error}", file=sys.stderr)
        return 2
    loop_factory = event_loop_factory(config.event_loop)  # imported once, before any fork
    configure_logging(config.log_level)
    try:
        return workers.run(config, loop_factory)
    except ListenError as error:
        print(f"sumapi: cannot listen: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
