"""Start the approval form (spec.py) in one toolkit on a private X session.

    with XSession() as session:
        bus = AccessibilityBus(session, runtime_dir).start()
        form = launch_form(session, "java", env=bus.env(), work_dir=tmp)
        form.title, form.pid, form.state()      # a targets.Target
        form.close()                            # ends only this form's processes

`missing_for(toolkit)` says, in one sentence, what a toolkit needs that is not installed
(None when nothing is missing). The Swing form is compiled with javac at first use into
`<cache>/deskhand/toolkit-forms/java-<hash>/` (the hash of its source), so an edited
source is compiled again and two runs never share a half-written class file.
"""
from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from app.sandbox.targets import Target, TargetError, launch_python_target
from app.sandbox.toolkits import spec
from app.sandbox.toolkits.spec import APPROVAL, PASSWORD_ENV, PASSWORD_FIELD, form_spec
from app.sandbox.toolkits.web import find_firefox, launch_browser_form
from app.sandbox.xsession import XSession

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = "/usr/bin/python3"       # Debian's, with python3-gi (the venv has no gi)
JAVA_SOURCE = HERE / "java" / "ApprovalForm.java"
ATK_WRAPPER_JARS = ("/usr/share/java/java-atk-wrapper.jar",)
ATK_WRAPPER_LIBS = ("/usr/lib/x86_64-linux-gnu/jni", "/usr/lib/aarch64-linux-gnu/jni",
                    "/usr/lib/jni")

FORMS_BY_NAME = ("gtk", "qt", "firefox", "chromium")     # take --spec (the others: approval)

INSTALL = {
    "gtk": "apt-get install python3-gi gir1.2-gtk-3.0",
    "tk": "apt-get install python3-tk (for the Python that runs Deskhand)",
    "java": "apt-get install openjdk-17-jdk-headless openjdk-17-jre libatk-wrapper-java "
            "libatk-wrapper-java-jni",
    "qt": "pip install pyside6-essentials",
    "firefox": "apt-get install firefox-esr",
    "chromium": "apt-get install chromium",
}


def _can_import(python: str, code: str) -> bool:
    try:
        return subprocess.run([python, "-c", code], capture_output=True,
                              timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def atk_wrapper() -> tuple[str, str] | None:
    """(jar, folder of libatk-wrapper.so) of Java's ATK bridge, if installed."""
    jar = next((j for j in ATK_WRAPPER_JARS if os.path.isfile(j)), None)
    lib = next((d for d in ATK_WRAPPER_LIBS if os.path.isfile(os.path.join(d, "libatk-wrapper.so"))),
               None)
    return (jar, lib) if jar and lib else None


def java_has_awt() -> bool:
    """True if `java` is a full JRE (a headless one has no X11 toolkit for Swing)."""
    java = shutil.which("java")
    if java is None:
        return False
    home = Path(os.path.realpath(java)).parent.parent
    return any((home / "lib" / name).is_file() for name in ("libawt_xawt.so",))


@functools.lru_cache(maxsize=None)      # what is installed does not change within a run
def missing_for(toolkit: str) -> str | None:
    """Why `toolkit`'s form cannot start here, as a sentence with the fix; None if it can."""
    if toolkit not in spec.TOOLKITS:
        return f"unknown toolkit {toolkit!r}: one of {', '.join(spec.TOOLKITS)}"
    lacking = {
        "gtk": lambda: not os.access(SYSTEM_PYTHON, os.X_OK) or not _can_import(
            SYSTEM_PYTHON, "import gi; gi.require_version('Gtk', '3.0'); from gi.repository import Gtk"),
        "tk": lambda: not _can_import(sys.executable, "import tkinter"),
        "java": lambda: shutil.which("javac") is None or not java_has_awt()
        or atk_wrapper() is None,
        "qt": lambda: not _can_import(sys.executable, "import PySide6.QtWidgets"),
        "firefox": lambda: find_firefox() is None,
        "chromium": lambda: not any(map(shutil.which, ("chromium", "chromium-browser",
                                                        "google-chrome"))),
    }[toolkit]
    if lacking():
        return f"the {toolkit} form cannot start here: run `{INSTALL[toolkit]}`"
    return None


def launch_form(session: XSession, toolkit: str, *, env: dict[str, str] | None = None,
                work_dir: Path | str | None = None, timeout: float = 60.0,
                bridge: bool = True, password: bool = False, spec: str = "approval") -> Target:
    """Start `toolkit`'s form; returns once its window is mapped and it reports focus in
    姓名. `env` is the environment to start from (AccessibilityBus.env() to expose the
    widgets; default the session's). `work_dir` holds the compiled Swing form (default:
    the user's cache folder) and the browsers' fresh profiles (default: the temporary
    folder); a profile is removed with its target. `bridge` False starts the Swing form
    without Java's ATK bridge: it then shows no tree, as at a site without the bridge.
    `password`: the Tk or Swing form with its password box (PASSWORD_FIELD). `spec`:
    which form (spec.form_spec: approval, or company, tax, social — company_forms.py — in
    the toolkits that take a form by name: gtk, qt and the browsers)."""
    why = missing_for(toolkit)
    if why:
        raise TargetError(why[0].upper() + why[1:] + ".")
    try:
        drawn = form_spec(spec)
    except ValueError as exc:
        raise TargetError(f"{str(exc)[0].upper()}{str(exc)[1:]}.") from None
    if drawn is not APPROVAL and toolkit not in FORMS_BY_NAME:
        raise TargetError(f"The {spec} form is drawn only in {', '.join(FORMS_BY_NAME)}, "
                          f"not in {toolkit}.")
    base = dict(env) if env is not None else session.env()
    title = drawn.window_title(toolkit)
    if toolkit in ("firefox", "chromium"):
        target = launch_browser_form(session, toolkit, title, env=base, work_dir=work_dir,
                                     timeout=timeout, form=drawn)
    else:
        argv, extra = _program(toolkit, work_dir, bridge, password)
        if drawn is not APPROVAL:
            argv += ["--spec", drawn.name]
        if password:
            extra[PASSWORD_ENV] = "1"
        target = launch_python_target(session, f"{toolkit}-form", argv, title, 0, timeout,
                                       env={**base, **extra},
                                       match_pid=toolkit != "tk")   # Tk sets no _NET_WM_PID
    target.name = toolkit
    try:
        target.wait_state(lambda s: s.get("focused") == drawn.first, timeout=10)
    except BaseException:
        target.close()
        raise
    return target


def _program(toolkit: str, work_dir: Path | str | None, bridge: bool = True,
             password: bool = False) -> tuple[list[str], dict[str, str]]:
    """The command line of a desktop-toolkit form, and environment it needs on top."""
    if toolkit == "gtk":
        return [SYSTEM_PYTHON, "-m", "app.sandbox.toolkits.gtk_form"], {}
    if toolkit == "tk":
        return [sys.executable, "-m", "app.sandbox.toolkits.tk_form"], {}
    if toolkit == "qt":
        return [sys.executable, "-m", "app.sandbox.toolkits.qt_form"], {}
    jar, lib = atk_wrapper() or ("", "")
    classes = compile_java(_cache_root(work_dir), password)
    spec_file = classes / "form.tsv"
    # Java's ATK bridge (libatk-wrapper-java), so Swing shows in the AT-SPI tree; without
    # it the property is set empty (Debian's accessibility.properties may name the bridge)
    tech = "org.GNOME.Accessibility.AtkWrapper" if bridge else ""
    return (["java", f"-Djavax.accessibility.assistive_technologies={tech}",
             f"-Djava.library.path={lib}", "-cp", os.pathsep.join([str(classes), jar]),
             "-Dawt.useSystemAAFontSettings=on", "-Dfile.encoding=UTF-8",
             "ApprovalForm", "--spec", str(spec_file)],
            {"_JAVA_OPTIONS": "", "JAVA_TOOL_OPTIONS": ""})


def _cache_root(work_dir: Path | str | None) -> Path:
    if work_dir is not None:
        return Path(work_dir)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "deskhand" / "toolkit-forms"


def compile_java(cache: Path, password: bool = False) -> Path:
    """The folder of the compiled Swing form (compiled now if its source changed)."""
    source = JAVA_SOURCE.read_bytes()
    lines = spec.spec_lines(password).encode("utf-8")
    digest = hashlib.sha256(source + b"\0" + lines).hexdigest()[:16]
    out = cache / f"java-{digest}"
    if (out / "ApprovalForm.class").is_file() and (out / "form.tsv").is_file():
        return out
    cache.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix="java-build-", dir=cache))
    try:
        r = subprocess.run(["javac", "-encoding", "UTF-8", "-d", str(build), str(JAVA_SOURCE)],
                           capture_output=True, text=True, timeout=180)
        if r.returncode != 0:
            raise TargetError(f"javac could not compile {JAVA_SOURCE.name}:\n{r.stderr[-2000:]}")
        (build / "form.tsv").write_bytes(lines)
        try:
            build.rename(out)
        except OSError:            # another run compiled it first: use theirs
            shutil.rmtree(build, ignore_errors=True)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return out


