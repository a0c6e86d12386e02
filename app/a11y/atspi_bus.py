"""The AT-SPI2 D-Bus protocol spoken directly, with jeepney (pure Python).

Why not Debian's pyatspi / GObject introspection: those are bound to the distribution's
own python3 (the _gi extension is built for it), while Deskhand runs in its own venv and
on UOS/Kylin whatever their Python; jeepney is on PyPI and already installed (keyring
needs it). Measured in bench/a11y.py (Qt, 18 boxes set and read back): one call at a
time, libatspi in C takes 9 ms and jeepney 19 ms; sent in batches (pipelined: many
requests on the socket, then the replies) jeepney takes 5 ms. Either is far inside the
budget (0.5 s for 20 fields); what decides is that this one runs wherever Deskhand does.

Where the bus is: $AT_SPI_BUS_ADDRESS, else the session bus's org.a11y.Bus.GetAddress
(at-spi-bus-launcher answers it), as libatspi does. The interfaces and their signatures
are those of at-spi2-core's xml/*.xml.

Not thread-safe: one backend, one thread (the fill worker's).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from app.a11y.advice import no_bus_sentence
from app.errors import AccessibilityUnavailableError
from app.i18n import _

A11Y_BUS_NAME, A11Y_BUS_PATH = "org.a11y.Bus", "/org/a11y/bus"
IFACE = "org.a11y.atspi."
REGISTRY = "org.a11y.atspi.Registry"
ROOT_PATH = "/org/a11y/atspi/accessible/root"
NULL_PATH = "/org/a11y/atspi/null"

# D-Bus errors that mean "this object or program is gone", not "this call failed".
GONE_ERRORS = ("org.freedesktop.DBus.Error.UnknownObject",
               "org.freedesktop.DBus.Error.ServiceUnknown",
               "org.freedesktop.DBus.Error.NameHasNoOwner")
NO_REPLY = "org.freedesktop.DBus.Error.NoReply"
BATCH = 256          # calls in flight at once


class DBusFault(Exception):
    """A D-Bus error reply. `gone` when the object or its program no longer exists."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(f"{name}: {text}")
        self.name = name
        self.text = text

    @property
    def gone(self) -> bool:
        return self.name in GONE_ERRORS or "No such object" in self.text


@dataclass(frozen=True)
class Call:
    """One method call: `interface` is short ("Accessible") for org.a11y.atspi.*."""

    app: str
    path: str
    interface: str
    method: str
    signature: str | None = None
    args: tuple = ()

    @classmethod
    def prop(cls, app: str, path: str, interface: str, name: str) -> "Call":
        return cls(app, path, "org.freedesktop.DBus.Properties", "Get", "ss",
                   (_full(interface), name))


def _full(interface: str) -> str:
    return interface if "." in interface else IFACE + interface


def session_bus_address(env: Mapping[str, str]) -> str | None:
    given = env.get("DBUS_SESSION_BUS_ADDRESS", "").strip()
    if given:
        return given
    runtime = env.get("XDG_RUNTIME_DIR", "").strip()
    if runtime and os.path.exists(os.path.join(runtime, "bus")):   # systemd's user bus
        return f"unix:path={os.path.join(runtime, 'bus')}"
    return None


class AtspiBus:
    """A connection to the accessibility bus, with batched calls."""

    def __init__(self, connection: Any, *, timeout: float = 3.0) -> None:
        self._conn = connection
        self.timeout = timeout
        self._pids: dict[str, int | None] = {}

    @classmethod
    def open(cls, env: Mapping[str, str] = os.environ, *, timeout: float = 3.0) -> "AtspiBus":
        """Connect as libatspi does; AccessibilityUnavailableError with a sentence if not."""
        from jeepney.io.blocking import open_dbus_connection
        address = env.get("AT_SPI_BUS_ADDRESS", "").strip() or cls.address_from_session(env)
        try:
            return cls(open_dbus_connection(bus=address), timeout=timeout)
        except (OSError, ValueError) as e:
            raise _unavailable(_("the accessibility bus at {address} does not answer: "
                                 "{error}", address=address, error=e)) from e

    @staticmethod
    def address_from_session(env: Mapping[str, str]) -> str:
        from jeepney import DBusAddress, MessageType, new_method_call
        from jeepney.io.blocking import open_dbus_connection
        session = session_bus_address(env)
        if not session:
            raise _unavailable(_("there is no session bus: DBUS_SESSION_BUS_ADDRESS is not set"))
        try:
            conn = open_dbus_connection(bus=session)
        except (OSError, ValueError) as e:
            raise _unavailable(_("the session bus does not answer: {error}", error=e)) from e
        try:
            reply = conn.send_and_get_reply(new_method_call(
                DBusAddress(A11Y_BUS_PATH, A11Y_BUS_NAME, A11Y_BUS_NAME), "GetAddress"),
                timeout=3.0)
        except (OSError, TimeoutError) as e:
            raise _unavailable(_("the session bus does not answer: {error}", error=e)) from e
        finally:
            conn.close()
        if reply.header.message_type == MessageType.error or not reply.body:
            raise _unavailable(_("no at-spi-bus-launcher runs on the session bus"))
        return str(reply.body[0])

    def close(self) -> None:
        try:
            self._conn.close()
        except Exception:
            pass

    # ------------------------------------------------------------------ calls
    def call(self, app: str, path: str, interface: str, method: str,
             signature: str | None = None, *args: Any) -> Any:
        """The reply's body: one value unwrapped, several as a tuple. Raises DBusFault."""
        (result,) = self.many([Call(app, path, interface, method, signature, args)])
        if isinstance(result, DBusFault):
            raise result
        return result

    def get(self, app: str, path: str, interface: str, name: str) -> Any:
        return self.call(app, path, "org.freedesktop.DBus.Properties", "Get", "ss",
                         _full(interface), name)

    def many(self, calls: Sequence[Call]) -> list[Any]:
        """Send every call, then collect the replies: each result (as `call` returns it) or
        the DBusFault in its place. A program that hangs costs one timeout for the batch."""
        if len(calls) > BATCH:
            return self.many(calls[:BATCH]) + self.many(calls[BATCH:])
        from jeepney import DBusAddress, MessageType, new_method_call
        from jeepney.low_level import HeaderFields
        serials: dict[int, int] = {}
        for i, c in enumerate(calls):
            msg = new_method_call(DBusAddress(c.path, c.app, _full(c.interface)), c.method,
                                  c.signature, c.args)
            serial = next(self._conn.outgoing_serial)
            self._conn.send(msg, serial=serial)
            serials[serial] = i
        results: list[Any] = [None] * len(calls)
        deadline = time.monotonic() + self.timeout
        while serials:
            left = deadline - time.monotonic()
            if left <= 0:
                for i in serials.values():
                    results[i] = DBusFault(NO_REPLY, "no reply within the timeout")
                break
            try:
                msg = self._conn.receive(timeout=left)
            except TimeoutError:
                continue
            i = serials.pop(msg.header.fields.get(HeaderFields.reply_serial, -1), None)
            if i is None:
                continue            # a signal or a late reply: nobody asked for it here
            if msg.header.message_type == MessageType.error:
                text = str(msg.body[0]) if msg.body else ""
                results[i] = DBusFault(str(msg.header.fields.get(HeaderFields.error_name, "")), text)
            else:
                body = msg.body
                value = body[0] if len(body) == 1 else tuple(body)
                if calls[i].method == "Get" and calls[i].interface.endswith("Properties"):
                    value = value[1]          # a variant: (signature, value)
                results[i] = value
        return results

    # ------------------------------------------------------------------ the registry
    def applications(self) -> list[tuple[str, str]]:
        return [tuple(a) for a in self.call(REGISTRY, ROOT_PATH, "Accessible", "GetChildren")]

    def pids(self, apps: Sequence[str]) -> dict[str, int | None]:
        """The process id behind each bus name (unique names are never reused on a bus, so
        the answer is kept)."""
        todo = [a for a in dict.fromkeys(apps) if a not in self._pids]
        if todo:
            answers = self.many([Call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                      "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                      "s", (a,)) for a in todo])
            for a, pid in zip(todo, answers):
                self._pids[a] = None if isinstance(pid, DBusFault) else int(pid)
        return {a: self._pids.get(a) for a in apps}


def _unavailable(detail: str) -> AccessibilityUnavailableError:
    error = AccessibilityUnavailableError(no_bus_sentence(detail))
    error.detail = detail           # type: ignore[attr-defined]
    return error
