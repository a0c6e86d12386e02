"""Serving a sandbox gateway: the reference registry's server (bind, TLS, uvicorn, the
`listening on URL` line, clean stop on SIGTERM) around a gateway app, and the settings a
client needs, written from the profile's settings file with the real URL and key id.
"""
from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

import yaml

from app.errors import UsageError
from app.sandbox.gateways.base import People
from app.sandbox.gateways.gateway import create_gateway_app
from app.sandbox.gateways.profiles import make_profile
from app.sandbox.registry_service.config import ServiceConfig
from app.sandbox.registry_service.server import bind_socket, run_app, tls_context

__all__ = ["serve_gateway", "write_gateway_settings", "settings_template"]

SETTINGS_DIR = Path(__file__).resolve().parent / "settings"


def settings_template(profile: str) -> Path:
    return SETTINGS_DIR / f"{profile}.yaml"


def write_gateway_settings(profile: str, path: Path, url: str, key_id: str) -> Path:
    """The profile's settings file with `base_url` on `url` (keeping the file's path part,
    e.g. /share) and the real `key_id`; comments kept, the secret never in it."""
    text = settings_template(profile).read_text("utf-8")

    def base_url(m: re.Match[str]) -> str:
        return f"{m.group(1)}{url.rstrip('/')}{urlsplit(m.group(2)).path.rstrip('/')}"

    text, n_url = re.subn(r"(?m)^(\s+base_url:\s*)(\S+)$", base_url, text)
    text, n_key = re.subn(r"(?m)^(\s+key_id:\s*)(\S+)$", lambda m: m.group(1) + key_id, text)
    if (n_url, n_key) != (1, 1):     # pragma: no cover - the shipped files have one of each
        raise UsageError(f"{settings_template(profile)} must hold one base_url and one key_id.")
    yaml.safe_load(text)             # still YAML
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# written by `deskhand registry serve --profile {profile}` for {url}\n"
                        + text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"Cannot write the registry settings to {path} "
                         f"({exc.strerror or exc}).") from exc
    return path


def serve_gateway(config: ServiceConfig, out: TextIO, err: TextIO) -> int:
    """Index the people, bind, serve until SIGTERM/SIGINT; 0 after a clean stop."""
    if not config.credentials.secret:
        raise UsageError(f"The {config.profile} gateway signs with a shared secret: set "
                         "DESKHAND_REGISTRY_SECRET or give --secret-file FILE.")
    if config.people < 0:
        raise UsageError(f"--people must be 0 or more, not {config.people}.")
    if config.db_path is not None:
        raise UsageError("--db is for the reference registry only; a gateway profile makes its "
                         "records as they are asked for.")
    profile = make_profile(config.profile)
    ctx = tls_context(config)
    sock = bind_socket(config.host, config.port)
    start = time.perf_counter()
    people = People(profile.name, config.people)
    print(f"{profile.name} gateway: {len(people)} people indexed in "
          f"{time.perf_counter() - start:.2f} s", file=err, flush=True)
    app = create_gateway_app(profile, config, people=people,
                             log=lambda line: print(line, file=err, flush=True))
    started = run_app(app, config, sock, ctx, out, err,
                      lambda c, url: write_gateway_settings(
                          c.profile, c.settings_out, url, c.credentials.key_id))
    return 0 if started else 3
