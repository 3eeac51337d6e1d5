"""The floor for alert ingest: bare aiohttp that reads the body, json-decodes it and answers 202.

No token check, no database, no log line: what one Python process on this machine can answer at all.
`python -m bench.run` starts it as its own process and points the same wrk script at it.

    .venv/bin/python -m bench.floor_aiohttp PORT
"""

from __future__ import annotations

import json
import sys

from aiohttp import web

ACCEPTED = json.dumps({"status": "accepted"})


async def accept(request: web.Request) -> web.Response:
    json.loads(await request.read())
    return web.Response(status=202, text=ACCEPTED, content_type="application/json")


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok")


def build() -> web.Application:
    app = web.Application()
    app.router.add_post("/alerts/{source}", accept)
    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    web.run_app(build(), host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
