"""Serving the reference registry with uvicorn on a socket bound here, so that --port 0
works and the first line on stdout can name the real port:

    listening on http://127.0.0.1:43817

SIGTERM and SIGINT stop it cleanly (uvicorn finishes the requests in flight, for at most
GRACE_S seconds) and the exit code is 0.
"""
from __future__ import annotations

import ipaddress
import signal
import socket
import ssl
from typing import Any, Callable, TextIO

import uvicorn

from app.errors import UsageError
from app.sandbox.registry_service.config import ServiceConfig
from app.sandbox.registry_service.store import RecordStore
from app.sandbox.registry_service.web import create_app

__all__ = ["serve", "run_app", "bind_socket", "tls_context", "GRACE_S"]

GRACE_S = 3


def tls_context(config: ServiceConfig) -> ssl.SSLContext | None:
    """The server's TLS context, or None for plain HTTP. Built before seeding so that a
    wrong certificate path fails at once."""
    if not config.tls_cert:
        if config.tls_key or config.client_ca:
            raise UsageError("--tls-key and --client-ca need --tls-cert (the server certificate).")
        return None
    for option, path in (("--tls-cert", config.tls_cert), ("--tls-key", config.tls_key),
                         ("--client-ca", config.client_ca)):
        if path is not None and not path.is_file():
            raise UsageError(f"{option} names {path}, which is not a file.")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        ctx.load_cert_chain(config.tls_cert, config.tls_key)
        if config.client_ca:
            ctx.load_verify_locations(cafile=config.client_ca)
            ctx.verify_mode = ssl.CERT_REQUIRED
    except (OSError, ssl.SSLError) as exc:
        raise UsageError(f"Cannot load the TLS files ({exc}). --tls-cert takes a PEM "
                         "certificate chain, --tls-key its private key (or put both in the "
                         "--tls-cert file), --client-ca the PEM CA that signs client "
                         "certificates.") from exc
    return ctx


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: any free one)."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be from 0 to 65535, not {port}.")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise UsageError(f"Cannot use host {host!r}: {exc}.") from exc
    try:
        # Lets a restarted server take its port back at once from a socket in TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise UsageError(f"Cannot listen on {host}:{port} ({exc.strerror or exc}); is another "
                         "server using it? Pick another --port, or --port 0 for any free one.") from exc
    return sock


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Server(uvicorn.Server):
    """uvicorn's server, saying when it is ready (after the socket serves requests)."""

    def __init__(self, config: uvicorn.Config, ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._ready()


def _write_client_settings(config: ServiceConfig, url: str) -> None:
    """What `deskhand capture --registries FILE` needs to ask this service: signed requests
    when it has a secret, else the bearer token; the secret itself goes to the keyring
    (`deskhand vault set registry.reference.secret`), never into the file. With HTTPS, add
    the CA that signed --tls-cert as `ca_bundle` (it is not known here)."""
    from app.registry.reference import write_reference_settings
    c = config.credentials
    if not (c.secret or c.token):
        raise UsageError("--write-settings needs DESKHAND_REGISTRY_SECRET (signed requests) or "
                         "DESKHAND_REGISTRY_TOKEN (bearer): the API key alone has no settings "
                         "preset.")
    try:
        write_reference_settings(config.settings_out, url,
                                 scheme="hmac-sm3" if c.secret else "bearer", key_id=c.key_id)
    except OSError as exc:
        raise UsageError(f"Cannot write the registry settings to {config.settings_out} "
                         f"({exc.strerror or exc}).") from exc


def serve(config: ServiceConfig, out: TextIO, err: TextIO) -> int:
    """Seed, bind, serve until SIGTERM/SIGINT. The ready line goes to `out`, everything
    else (seeding time, one line per request) to `err`."""
    if not config.credentials.any:
        raise UsageError("The registry needs a credential to check: set DESKHAND_REGISTRY_SECRET "
                         "(or --secret-file FILE) for signed requests, and/or "
                         "DESKHAND_REGISTRY_TOKEN, DESKHAND_REGISTRY_API_KEY.")
    ctx = tls_context(config)
    sock = bind_socket(config.host, config.port)
    store = RecordStore.open(config.db_path, config.people)
    try:
        if store.seed_s:
            print(f"seeded {store.people} people in {store.seed_s:.2f} s", file=err, flush=True)
        else:
            print(f"reusing {config.db_path} ({store.people} people)", file=err, flush=True)
        app = create_app(config, store=store, log=lambda line: print(line, file=err, flush=True))
        started = run_app(app, config, sock, ctx, out, err, _write_client_settings)
    finally:
        store.close()
    return 0 if started else 3


def run_app(app: Any, config: ServiceConfig, sock: socket.socket, ctx: ssl.SSLContext | None,
            out: TextIO, err: TextIO,
            write_settings: Callable[[ServiceConfig, str], None]) -> bool:
    """Serve `app` on the bound `sock` until SIGTERM/SIGINT (closing the socket after);
    True if it started. Prints the `listening on URL` line to `out` once it serves, after
    `write_settings(config, url)` when --write-settings was given. Shared with the sandbox
    gateways (app.sandbox.gateways)."""
    try:
        if not _is_loopback(config.host):
            print(f"Warning: serving on {config.host}, not only on loopback: anyone who can reach "
                  "this machine can try the demo credentials.", file=err, flush=True)
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        url = f"{config.scheme}://{shown}:{port}"
        if config.settings_out:
            write_settings(config, url)
            print(f"registry settings for clients written to {config.settings_out}",
                  file=err, flush=True)
        uv = uvicorn.Config(app, lifespan="off", log_config=None, access_log=False,
                            http="h11", ws="none", loop="asyncio", server_header=False,
                            timeout_graceful_shutdown=GRACE_S,
                            ssl_context_factory=(lambda _c, _d: ctx) if ctx else None)
        server = _Server(uv, ready=lambda: print(f"listening on {url}", file=out, flush=True))
        # uvicorn re-raises the stopping signal once it has shut down; with these handlers
        # that ends quietly here (exit 0) instead of as a KeyboardInterrupt or a kill.
        previous = {s: signal.signal(s, lambda *_: None) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            server.run(sockets=[sock])
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
    finally:
        sock.close()
    print("stopped", file=err, flush=True)
    return bool(server.started)
