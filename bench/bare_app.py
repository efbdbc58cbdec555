"""The benchmark's baseline: the same sum over HTTP with aiohttp and nothing else.

No validation, no metrics, no logging, no middleware: what aiohttp itself costs. `make bench`
compares the real service against it (service_vs_bare).

    python -m bench.bare_app PORT [uvloop|asyncio]   (the loop; default uvloop, as the service)
"""

from __future__ import annotations

import json
import sys

from aiohttp import web

# From sumapi.__main__, where every commit has it: bench/instructions measures old ones too.
from sumapi.__main__ import event_loop_factory


async def sum_numbers(request: web.Request) -> web.Response:
    payload = json.loads(await request.read())
    return web.json_response({"result": payload["a"] + payload["b"]})


def main() -> None:
    app = web.Application()
    app.router.add_post("/api/v1/sum", sum_numbers)
    loop_name = sys.argv[2] if len(sys.argv) > 2 else "uvloop"
    loop = event_loop_factory(loop_name)()  # the service's own choice of loop, for like with like
    web.run_app(
        app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None, loop=loop
    )


if __name__ == "__main__":
    main()
