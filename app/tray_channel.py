"""The running tray's local socket, reachable without Qt: its name (per user and display)
and, on Linux, a plain Unix-socket client. app/ui/app.py serves it; the doctor asks it
whether a tray already holds this desk's hotkeys.

Commands and answers are JSON lines (`{"cmd": "status"}`, `{"cmd": "quit"}`)."""
from __future__ import annotations

import getpass
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any, Mapping

__all__ = ["instance_name", "send_unix"]


def instance_name(env: Mapping[str, str] | None = None) -> str:
    """The local socket: per user and per display, so that two X displays (or a test's
    private one) each have their own tray. On Linux an absolute path in the user's
    runtime folder (so a plain Unix socket reaches it, no Qt needed); a pipe name on Windows."""
    env = os.environ if env is None else env
    where = env.get("DISPLAY", "") + env.get("WAYLAND_DISPLAY", "")
    tag = hashlib.sha1(f"{getpass.getuser()}|{where}".encode()).hexdigest()[:10]
    if sys.platform.startswith("win"):
        return f"deskhand-{tag}"
    run_dir = env.get("XDG_RUNTIME_DIR") or f"/tmp/deskhand-{os.getuid()}"
    Path(run_dir).mkdir(mode=0o700, parents=True, exist_ok=True)
    return str(Path(run_dir) / f"deskhand-{tag}.sock")


def send_unix(command: dict[str, Any], timeout_s: float = 3.0,
              env: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """Send one command to the tray of `env`'s display over its Unix socket (not Windows);
    its answer, or None when no tray runs there."""
    import socket
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout_s)
    try:
        s.connect(instance_name(env))
        s.sendall((json.dumps(command) + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        return None
    finally:
        s.close()
    return json.loads(data) if data.strip() else {}
