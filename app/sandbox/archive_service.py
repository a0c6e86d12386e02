"""A sample archive system's HTTP API, on loopback, for the demo and tests.

    DESKHAND_ARCHIVE_TOKEN=t python -m app.sandbox.archive_service --port 0 --store DIR
    # first line on stdout: listening on http://127.0.0.1:PORT

POST /archive/v1/packages with a package zip (Authorization: Bearer <token>,
X-Package-SM3: the zip's SM3): it checks the token, the zip's SM3 and the package itself
(app/archive/verify.py), keeps it under --store and answers {"receipt": "GD…", "sm3": …}.
A refusal is JSON {"error": sentence} with 401, 413 or 422. For tests of the client's
error handling: --delay S (answer late) and --garbage (answer an HTML page).
The token comes from the environment, never the command line (the process list shows it).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from app.archive.sm3 import same_digest, sm3_hex
from app.archive.verify import verify_package
from app.errors import DeskhandError

__all__ = ["create_app", "main", "ENV_TOKEN"]

ENV_TOKEN = "DESKHAND_ARCHIVE_TOKEN"
MAX_BYTES = 200 * 1024 * 1024


@dataclass
class _Config:
    host: str
    port: int
    scheme: str = "http"
    settings_out: None = None


def create_app(token: str, store: Path, *, delay_s: float = 0.0, garbage: bool = False) -> Starlette:
    count = {"n": 0}

    async def receive(request: Request) -> Response:
        if delay_s:
            await asyncio.sleep(delay_s)
        if garbage:
            return HTMLResponse("<html><body>502 Bad Gateway</body></html>")
        auth = request.headers.get("authorization", "")
        if not same_digest(auth, f"Bearer {token}"):
            return JSONResponse({"error": "credential refused"}, status_code=401)
        body = await request.body()
        if len(body) > MAX_BYTES:
            return JSONResponse({"error": "package too large"}, status_code=413)
        digest = sm3_hex(body)
        if not same_digest(request.headers.get("x-package-sm3", ""), digest):
            return JSONResponse({"error": "SM3 of the body does not match X-Package-SM3"},
                                status_code=422)
        with tempfile.NamedTemporaryFile(suffix=".zip", dir=store) as tmp:
            tmp.write(body)
            tmp.flush()
            try:
                findings = verify_package(Path(tmp.name))
            except DeskhandError as exc:
                return JSONResponse({"error": exc.message}, status_code=422)
        if findings:
            return JSONResponse({"error": "; ".join(f.sentence for f in findings)}, status_code=422)
        count["n"] += 1
        receipt = f"GD-{count['n']:06d}-{digest[:8]}"
        (store / f"{receipt}.zip").write_bytes(body)
        return JSONResponse({"receipt": receipt, "sm3": digest})

    return Starlette(routes=[Route("/archive/v1/packages", receive, methods=["POST"])])


def main(argv: list[str] | None = None) -> int:
    from app.sandbox.registry_service.server import bind_socket, run_app
    p = argparse.ArgumentParser(prog="archive_service", description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--store", type=Path, required=True, help="folder the packages are kept in")
    p.add_argument("--delay", type=float, default=0.0, metavar="S")
    p.add_argument("--garbage", action="store_true")
    args = p.parse_args(argv)
    token = os.environ.get(ENV_TOKEN, "")
    if not token:
        print(f"set {ENV_TOKEN}: the token uploads must carry", file=sys.stderr)
        return 2
    args.store.mkdir(parents=True, exist_ok=True)
    app: Any = create_app(token, args.store, delay_s=args.delay, garbage=args.garbage)
    sock = bind_socket(args.host, args.port)
    started = run_app(app, _Config(args.host, args.port), sock, None, sys.stdout, sys.stderr,
                      lambda *_: None)
    return 0 if started else 3


if __name__ == "__main__":
    sys.exit(main())
