"""`deskhand registry serve`: the reference data-sharing service, for the demo and tests.

Secrets never come on the command line (other users can read it in the process list):
the HMAC secret is DESKHAND_REGISTRY_SECRET or --secret-file; the optional bearer token,
API key and admin token are DESKHAND_REGISTRY_TOKEN, DESKHAND_REGISTRY_API_KEY and
DESKHAND_REGISTRY_ADMIN_TOKEN. uvicorn is imported only when the server runs.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Mapping, TextIO

from app.errors import UsageError
from app.sandbox.registry_service.auth import Credentials
from app.sandbox.registry_service.config import DEFAULT_PEOPLE, DEFAULT_PORT, ServiceConfig
from app.sandbox.gateways.profiles import DEFAULT_KEY_IDS, PROFILES, parse_gateway_fault
from app.sandbox.registry_service.faults import parse_fault

__all__ = ["add_arguments", "run", "config_from_args"]

ENV_SECRET = "DESKHAND_REGISTRY_SECRET"
ENV_TOKEN = "DESKHAND_REGISTRY_TOKEN"
ENV_API_KEY = "DESKHAND_REGISTRY_API_KEY"
ENV_ADMIN = "DESKHAND_REGISTRY_ADMIN_TOKEN"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = ("Serve generated population, business licence, real estate, marriage and "
                     "road transport records over HTTP(S), signed like a government gateway. "
                     "The first line on stdout is 'listening on URL'.")
    p.epilog = (f"Environment: {ENV_SECRET} (HMAC secret), {ENV_TOKEN} (accept Authorization: "
                f"Bearer), {ENV_API_KEY} (accept X-API-Key), {ENV_ADMIN} (enables PUT/DELETE "
                "/_admin/faults). See docs/registry-service.md.")
    p.add_argument("--profile", choices=("reference",) + PROFILES, default="reference",
                   help="reference (default): Deskhand's reference registry; prov, city, "
                        "ministry: sandbox gateways shaped like a provincial exchange, a city "
                        "bureau's API and a ministry's through the national platform, each "
                        "signing, wrapping and coding its own way (docs/registry-service.md)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"port (default {DEFAULT_PORT}; 0 = any free port)")
    p.add_argument("--db", type=Path, metavar="PATH",
                   help="SQLite file to keep the records in (default: in memory, seeded at start)")
    p.add_argument("--people", type=int, default=DEFAULT_PEOPLE, metavar="N",
                   help=f"seed generated people 0..N-1 (default {DEFAULT_PEOPLE})")
    p.add_argument("--key-id", default=None,
                   help=f"the key id (X-Key-Id; a gateway's app key or app id) signed requests "
                        f"carry (default {Credentials.key_id}; for a gateway profile "
                        + ", ".join(f"{k} {v}" for k, v in DEFAULT_KEY_IDS.items()) + ")")
    p.add_argument("--secret-file", type=Path, metavar="FILE",
                   help=f"file holding the HMAC secret (instead of {ENV_SECRET})")
    p.add_argument("--tls-cert", type=Path, metavar="FILE", help="PEM certificate chain: serve HTTPS")
    p.add_argument("--tls-key", type=Path, metavar="FILE",
                   help="PEM private key (if not in the --tls-cert file)")
    p.add_argument("--client-ca", type=Path, metavar="FILE",
                   help="PEM CA: require client certificates it signed")
    p.add_argument("--write-settings", type=Path, metavar="FILE",
                   help="once listening, write the registry settings a client needs for this "
                        "service (its URL, key id, credential name registry.reference.secret) "
                        "to FILE, for `deskhand capture --registries FILE`")
    p.add_argument("--fault", action="append", default=[], metavar="SPEC",
                   help="switch a fault on (repeatable): delay=S, status=CODE, garbage, schema, "
                        "each optionally @population|licence|realestate|marriage|transport; a "
                        "gateway profile also takes busy, drop, sign, replay, unknown, "
                        "@person|marriage|its third look-up")


def config_from_args(args: argparse.Namespace, environ: Mapping[str, str]) -> ServiceConfig:
    secret: bytes | None = None
    if args.secret_file:
        try:
            secret = Path(args.secret_file).read_bytes().strip()
        except OSError as exc:
            raise UsageError(f"Cannot read the secret file {args.secret_file}: "
                             f"{exc.strerror or exc}.") from exc
        if not secret:
            raise UsageError(f"The secret file {args.secret_file} is empty.")
    elif environ.get(ENV_SECRET):
        secret = environ[ENV_SECRET].encode("utf-8")
    gateway = args.profile != "reference"
    key_id = args.key_id or (DEFAULT_KEY_IDS[args.profile] if gateway else Credentials.key_id)
    faults = tuple(parse_gateway_fault(args.profile, s) if gateway else parse_fault(s)
                   for s in args.fault)
    return ServiceConfig(
        profile=args.profile, host=args.host, port=args.port, db_path=args.db, people=args.people,
        credentials=Credentials(key_id=key_id, secret=secret,
                                token=environ.get(ENV_TOKEN) or None,
                                api_key=environ.get(ENV_API_KEY) or None),
        admin_token=environ.get(ENV_ADMIN) or None,
        faults=faults,
        tls_cert=args.tls_cert, tls_key=args.tls_key, client_ca=args.client_ca,
        settings_out=args.write_settings)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    config = config_from_args(args, os.environ)
    if config.profile != "reference":
        from app.sandbox.gateways.server import serve_gateway
        return serve_gateway(config, out, err)
    from app.sandbox.registry_service.server import serve
    return serve(config, out, err)
