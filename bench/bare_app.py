"""The benchmark's baseline: the same sum over HTTP with aiohttp and nothing else.

No validation, no metrics, no logging, no middleware: what aiohttp itself costs. `make bench`
compares the real service against it (service_vs_bare).

    python -m bench.bare_app PORT
"""

from __future__ import annotations

import json
import sys

from aiohttp import web


async def sum_numbers(request: web.Request) -> web.Response:
    payload = json.loads(await request.read())
    return web.json_response({"result": payload["a"] + payload["b"]})


def main() -> None:
    app = web.Application()
    app.router.add_post("/api/v1/sum", sum_numbers)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)


if __name__ == "__main__":
    main()
