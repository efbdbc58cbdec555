"""The API's own documentation: the OpenAPI document and the Swagger UI page.

aiohttp-apispec builds the document from the routes' decorators; its own routes are not used,
so that the documentation is served by observed routes like every other (request id, metrics,
access log, problem+json errors): the page and its assets come from aiohttp-apispec's bundled
Swagger UI, rendered and read once at start.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import aiohttp_apispec
import orjson
from aiohttp import web
from aiohttp_apispec import AiohttpApiSpec
from jinja2 import Template

from sumapi.config import Config
from sumapi.observed import observed

OPENAPI_URL = "/api/docs/openapi.json"
DOCS_URL = "/api/docs"
STATIC_URL = DOCS_URL + "/static"
_SWAGGER_UI = Path(aiohttp_apispec.__file__).parent / "static"


class Documentation:
    """The rendered document and page, and the Swagger UI files that may be served."""

    def __init__(self, openapi: dict[str, object]) -> None:
        self.openapi = orjson.dumps(openapi)
        page = Template((_SWAGGER_UI / "index.html").read_text(encoding="utf-8"))
        self.page = page.render(path=OPENAPI_URL, static=STATIC_URL)
        self.assets = {path.name: path for path in _SWAGGER_UI.iterdir() if path.is_file()}


DOCUMENTATION = web.AppKey("documentation", Documentation)


async def openapi_document(request: web.Request) -> web.Response:
    return web.Response(body=request.app[DOCUMENTATION].openapi, content_type="application/json")


async def docs_page(request: web.Request) -> web.Response:
    return web.Response(text=request.app[DOCUMENTATION].page, content_type="text/html")


async def docs_asset(request: web.Request) -> web.FileResponse:
    # Only the names found at start: no path from the request reaches the file system.
    asset = request.app[DOCUMENTATION].assets.get(request.match_info["name"])
    if asset is None:
        raise web.HTTPNotFound()
    return web.FileResponse(asset)


def add_docs(app: web.Application, config: Config) -> None:
    """Documents the routes added so far, and adds the documentation's own routes."""
    spec = AiohttpApiSpec(
        url=None,  # no routes of its own: ours below are observed
        title="sumapi",
        version=config.version,
        info={"description": "Adds two numbers, operated like a production service."},
    )
    spec.spec.components.security_scheme(
        "ApiKeyAuth",
        {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "Checked by the gateway; ask the operators for a key.",
        },
    )
    with warnings.catch_warnings():
        # aiohttp-apispec stores its state under string keys; aiohttp recommends AppKey.
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        spec.register(app, in_place=True)  # consumes the routes' metadata: observed() copied it
    app[DOCUMENTATION] = Documentation(app["swagger_dict"])
    app.router.add_get(OPENAPI_URL, observed(openapi_document))
    app.router.add_get(DOCS_URL, observed(docs_page))
    app.router.add_get(STATIC_URL + "/{name}", observed(docs_asset))
