"""Everything the reference registry is built from; `create_app(config)` and
`serve(config, …)` take one of these, and nothing reads the environment behind its back."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.sandbox.registry_service.auth import Credentials
from app.sandbox.registry_service.faults import Fault

__all__ = ["ServiceConfig", "DEFAULT_PORT", "DEFAULT_PEOPLE"]

DEFAULT_PORT = 8765
DEFAULT_PEOPLE = 3000


@dataclass(frozen=True)
class ServiceConfig:
    profile: str = "reference"              # or a sandbox gateway: prov, city, ministry
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT                # 0: any free port
    db_path: Path | None = None             # None: an in-memory database seeded at start
    people: int = DEFAULT_PEOPLE            # seeds 0..people-1 of app.sandbox.people
    credentials: Credentials = field(default_factory=Credentials)
    admin_token: str | None = field(default=None, repr=False)   # None: no /_admin endpoints
    faults: tuple[Fault, ...] = ()
    tls_cert: Path | None = None            # PEM chain; may also hold the key
    tls_key: Path | None = None
    client_ca: Path | None = None           # set: clients must present a certificate it signed
    settings_out: Path | None = None        # write the client's registry settings here on start

    @property
    def scheme(self) -> str:
        return "https" if self.tls_cert else "http"
