"""`deskhand` with no arguments: the tray app.

One instance per user and display: a second launch asks the first to show itself (its
menu) and exits. The same local socket answers `status` and `quit`, as JSON lines, for
tests and the benchmark; it accepts connections from the same user only.
"""
from __future__ import annotations

import json
import logging
import logging.handlers
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from app.tray_channel import instance_name, send_unix

__all__ = ["TrayOptions", "run_tray", "instance_name", "send_command", "wait_for_status",
           "display_problem"]

log = logging.getLogger("deskhand.ui")


@dataclass
class TrayOptions:
    registries: str | None = None          # registry settings file (else the settings / default)
    secrets: Callable[[str], str] | None = None   # else the OS keyring (app.vault)
    playbook: str | None = None            # pick this playbook at start
    hotkeys: bool = True
    on_ready: Callable[[Any], None] | None = None  # called with the TrayApp once shown (demo)
    # started at login (the autostart entries): a tray already running is left be, its
    # menu not popped up in the clerk's face
    autostart: bool = False


def send_command(command: dict[str, Any], timeout_s: float = 3.0,
                 env: dict[str, str] | None = None) -> dict[str, Any] | None:
    """Send one command to the running tray (of `env`'s display); its answer, or None
    when no tray runs there."""
    if sys.platform.startswith("win"):
        return _send_qt(command, timeout_s, env)
    return send_unix(command, timeout_s, env)


def wait_for_status(pred: Callable[[dict[str, Any]], Any], timeout: float, what: str, *,
                    env: dict[str, str] | None = None, interval: float = 0.05) -> dict[str, Any]:
    """Poll the running tray's status until `pred` holds; TimeoutError naming `what` and
    the last status otherwise (for the demo's autopilot, tests and benchmarks)."""
    deadline = time.monotonic() + timeout
    st: dict[str, Any] = {}
    while time.monotonic() < deadline:
        st = send_command({"cmd": "status"}, 3.0, env) or {}
        if st and pred(st):
            return st
        time.sleep(interval)
    raise TimeoutError(f"waited {timeout:g} s for {what}; last status: {st}")


def _send_qt(command: dict[str, Any], timeout_s: float, env: dict[str, str] | None) -> dict[str, Any] | None:
    from PySide6.QtNetwork import QLocalSocket
    sock = QLocalSocket()
    sock.connectToServer(instance_name(env))
    if not sock.waitForConnected(int(timeout_s * 1000)):
        return None
    sock.write((json.dumps(command) + "\n").encode())
    sock.waitForBytesWritten(int(timeout_s * 1000))
    data = b""
    deadline = time.monotonic() + timeout_s
    while not data.endswith(b"\n") and time.monotonic() < deadline:
        if sock.waitForReadyRead(100):
            data += bytes(sock.readAll())
    sock.disconnectFromServer()
    return json.loads(data) if data.strip() else {}


def display_problem(env: Mapping[str, str] = os.environ,
                    platform: str = sys.platform) -> str | None:
    """Why the tray cannot show on this machine's display, in one sentence; None when it can.
    Checked before Qt starts: Qt aborts the process (exit 134) with an xcb message that
    does not say the display is missing."""
    if platform.startswith(("win", "darwin")):
        return None
    if env.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal", "vnc"):
        return None
    display = env.get("DISPLAY", "")
    if not display:
        if env.get("WAYLAND_DISPLAY"):
            return None
        return ("There is no display here (DISPLAY and WAYLAND_DISPLAY are not set): start "
                "the tray in the clerk's desktop session; capture --image, fill --dry-run and "
                "check work without one.")
    try:
        import Xlib.display
        Xlib.display.Display(display).close()
    except Exception as exc:  # any failure to connect means the same to the clerk
        return (f"The X display {display} does not answer ({exc}): start the tray in the "
                "clerk's desktop session, or set DISPLAY to a display that is running.")
    return None


def run_tray(options: TrayOptions | None = None, argv: list[str] | None = None) -> int:
    t_start = time.perf_counter()
    options = options or TrayOptions()
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 3
    from PySide6.QtNetwork import QLocalServer
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon

    if send_command({"cmd": "status" if options.autostart else "show"}, 0.5) is not None:
        print("Deskhand is already running." if options.autostart else
              "Deskhand is already running; its menu has been brought up.", file=sys.stderr)
        return 0
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setQuitOnLastWindowClosed(False)    # closing the review must not end the tray
    app.setApplicationName("Deskhand")
    app.setApplicationDisplayName("政务数字机器人 · 窗口助手")

    from app.logs import log_dir as default_log_dir, setup_logging
    log_dir = default_log_dir()
    setup_logging(log_dir)

    from app.i18n import set_language
    from app.settings import Settings
    set_language(Settings().language)   # the settings' own problems, until they say otherwise
    settings, store, settings_problem = _load_settings()
    translations = _install_language(app, getattr(settings, "language", "zh_CN"))

    from app.pipeline import PipelineOptions, build_pipeline
    from app.ui.dispatch import MainThread
    from app.ui.tray import TrayApp
    main = MainThread()
    pipeline = build_pipeline(PipelineOptions(settings=settings, registries=options.registries,
                                              secrets=options.secrets))
    hotkeys = None
    if options.hotkeys:
        try:
            from app.hotkeys import open_hotkeys
            hotkeys = open_hotkeys(dispatch=main.post)   # callbacks arrive on the main thread
        except Exception as exc:  # the tray works from its menu without hotkeys
            log.warning("hotkeys unavailable: %s", exc)
    from app.fill.worker_client import FillWorkerProcess
    from app.i18n import ENV_VAR, language
    # The worker's own sentences (fill errors) in the tray's language: $DESKHAND_LANG.
    fill_worker = FillWorkerProcess(env={**os.environ, ENV_VAR: language()})
    from app.paths import is_frozen
    from app.version import build_info
    restarting: list[bool] = []

    def restart() -> None:          # once the event loop ends: see below
        restarting.append(True)
        app.quit()
    tray = TrayApp(pipeline=pipeline, settings=settings, hotkeys=hotkeys,
                   main=main, log_dir=log_dir, fill_worker=fill_worker, quit_app=app.quit,
                   open_settings=lambda: _open_settings(store, tray, translations),
                   remember=(lambda **changes: store.update(tray.settings, **changes))
                   if store is not None else None,
                   installed=(lambda: build_info().get("build")) if is_frozen() else None,
                   restart=restart,
                   # how often to look for an upgrade on disk (tests: a fraction of a second)
                   update_check_s=float(os.environ.get("DESKHAND_UPDATE_CHECK_S") or 60))
    if translations is not None:   # the menu is text we built: build it again in the new language
        translations.languageChanged.connect(lambda _lang: tray.rebuild_menu())
        translations.languageChanged.connect(lambda lang: _worker_language(tray, fill_worker, lang))
    _catch_crashes(tray)
    if options.playbook:
        tray.choose_playbook(options.playbook)
    if not QSystemTrayIcon.isSystemTrayAvailable():
        log.warning("no system tray on this desktop; the menu opens from the hotkeys only")
    tray.show()
    log.info("tray shown %.3f s after start", time.perf_counter() - t_start)
    fill_worker.start()    # warm, so a fill starts within milliseconds of the hotkey
    if settings_problem:
        tray.notify(tray.tr("Settings"), settings_problem, warning=True)

    server = QLocalServer()
    server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
    QLocalServer.removeServer(instance_name())     # a stale socket from a crashed run
    if not server.listen(instance_name()):
        log.warning("single-instance socket: %s", server.errorString())

    def serve() -> None:
        while server.hasPendingConnections():
            conn = server.nextPendingConnection()
            conn.readyRead.connect(lambda c=conn: _answer(c, tray, lambda: _popup_menu(tray)))
    server.newConnection.connect(serve)

    if options.on_ready:
        options.on_ready(tray)
    code = app.exec()
    server.close()
    if hotkeys is not None:
        try:
            hotkeys.stop()
        except Exception:
            pass
    fill_worker.close()
    pipeline.close()
    if restarting:       # upgraded under us: the new program, now its socket is free
        log.info("restarting into the installed build")
        os.execv(sys.executable, [sys.executable, *sys.argv[1:]])   # as it was started
    return code


def _popup_menu(tray: Any) -> None:
    """The tray menu by the tray icon (by the pointer when the tray cannot say where)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QCursor
    geo = tray.icon.geometry()
    tray.menu.popup(QPoint(geo.x(), geo.y() + geo.height()) if geo.width() > 0 else QCursor.pos())
    tray.note("menu shown")


def _answer(conn: Any, tray: Any, show_menu: Callable[[], None]) -> None:
    data = bytes(conn.readAll())
    for line in data.splitlines():
        try:
            request = json.loads(line)
            cmd = request.get("cmd")
        except (ValueError, AttributeError):
            request, cmd = {}, None
        if cmd == "show":
            show_menu()
            reply: dict[str, Any] = {"ok": True}
        elif cmd == "status":
            reply = tray.status()
        elif cmd == "quit":
            reply = {"ok": True}
            conn.write((json.dumps(reply) + "\n").encode())
            conn.flush()
            tray.quit()
            return
        elif cmd in ("capture", "fill", "abort"):
            getattr(tray, cmd)()
            reply = {"ok": True}
        elif cmd == "scenario":           # pick a scenario (业务场景) as the menu does
            sid = request.get("id")
            ok = tray.scenarios.shelf.get(sid) is not None
            if ok:
                tray.choose_scenario(sid)
            reply = {"ok": ok}
        elif cmd == "open_case":          # 打开案卷 for the scenario, with the file named
            tray.scenarios.open_intake(str(request.get("path") or "") or None)
            reply = {"ok": True}
        elif cmd in ("resume", "documents"):
            getattr(tray.scenarios, cmd)()
            reply = {"ok": True}
        elif cmd == "playbook":
            pid = request.get("id")
            ok = tray.library.get(pid) is not None
            if ok:
                tray.choose_playbook(pid)
            reply = {"ok": ok}
        else:
            reply = {"ok": False, "error": f"unknown command {cmd!r}"}
        conn.write((json.dumps(reply, ensure_ascii=False) + "\n").encode())
        conn.flush()


def _load_settings() -> tuple[Any, Any, str | None]:
    """(settings, store, a problem to show). Broken settings never stop the tray."""
    from app.settings import SettingsStore, fail_closed
    try:
        store = SettingsStore.default()
        settings = store.load()
        problems = list(getattr(store, "problems", []) or [])
        return settings, store, "\n".join(problems) or None
    except Exception as exc:  # noqa: BLE001 - shown to the clerk, fail_closed's defaults used
        log.exception("settings")
        settings, problem = fail_closed(getattr(exc, "message", str(exc)))
        return settings, None, problem


def _install_language(app: Any, language: str) -> Any:
    try:
        from app.ui import i18n
        return i18n.install(app, language)
    except Exception as exc:  # English source strings still work
        log.warning("translations not loaded: %s", exc)
        from app.i18n import set_language
        set_language(language)   # the core's sentences need no Qt
        return None


def _worker_language(tray: Any, fill_worker: Any, language: str) -> None:
    """The fill worker reads its language once, at start: start it again in the new one
    (unless it is filling now; then the next start takes it)."""
    from app.i18n import ENV_VAR
    fill_worker.env[ENV_VAR] = language
    if tray.state.busy != "fill" and fill_worker.pid is not None:
        fill_worker.close()
        fill_worker.start()


def _catch_crashes(tray: Any) -> None:
    """An error nobody caught, on any thread: the traceback to the log (masked), one
    sentence to the clerk, and the tray goes on."""
    import threading

    from app.logs import crash_sentence, log_crash

    def report(exc: BaseException, where: str) -> None:
        sentence = crash_sentence(exc, log_crash(exc, where))
        tray.main.post(lambda: tray.notify(tray.tr("Deskhand hit a problem"), sentence,
                                           warning=True))

    def on_main(kind: type, exc: BaseException, tb: Any) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        report(exc.with_traceback(tb), "tray")

    def on_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            report(args.exc_value, f"tray thread {args.thread.name if args.thread else '?'}")

    sys.excepthook = on_main
    threading.excepthook = on_thread


def _open_settings(store: Any, tray: Any, translations: Any) -> None:
    if store is None:
        tray.notify(tray.tr("Settings"), tray.tr("The settings could not be loaded; see the log."),
                    warning=True)
        return
    from app.ui.settings_dialog import SettingsDialog
    from app.vault import Vault
    dialog = SettingsDialog(store, Vault())
    if translations is not None:
        dialog.languageChanged.connect(translations.switch)
    dialog.settingsSaved.connect(tray.apply_settings)
    tray._settings_dialog = dialog   # keep it alive while open
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
