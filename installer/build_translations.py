"""Build Deskhand's translations with the lupdate/lrelease that PySide6 ships.

    python installer/build_translations.py            lrelease: resources/i18n/*.ts → .qm
    python installer/build_translations.py --update   lupdate app/ui/*.py into the .ts
                                                      files first (new strings appear as
                                                      unfinished), then lrelease
    python installer/build_translations.py --check    fail (exit 1) if a string in app/ui
                                                      has no translation; changes nothing

The .qm files are build output (ignored by git); the .ts files are the sources a
translator edits. Only Chinese has a catalogue: English is the language of the code.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.ui.i18n import CATALOGUE, LANGUAGES, SOURCE_LANGUAGE, compile_ts, i18n_dir, qt_tool  # noqa: E402

UI_DIR = ROOT / "app" / "ui"


def ts_files(folder: Path) -> list[Path]:
    return [folder / f"{CATALOGUE}_{lang}.ts" for lang in LANGUAGES if lang != SOURCE_LANGUAGE]


def lupdate(ts: Path, sources: list[Path]) -> None:
    """Merge the strings of `sources` into `ts`. Locations are left out so that moving a
    line of code does not touch the .ts (several people edit app/ui at once)."""
    tool = qt_tool("lupdate")
    if tool is None:
        sys.exit("PySide6's lupdate is not installed (pip install pyside6-essentials)")
    lang = ts.stem.removeprefix(f"{CATALOGUE}_")
    ts.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([str(tool), "-silent", "-no-obsolete", "-locations", "none",
                           "-source-language", "en", "-target-language", lang,
                           *map(str, sources), "-ts", str(ts)],
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        sys.exit(f"lupdate failed on {ts}: {(done.stderr or done.stdout).strip()}")


# Escaped XML text holds no '<': [^<]* keeps each match inside one message.
_MESSAGE = re.compile(r"(<source>([^<]*)</source>\s*(?:<comment>[^<]*</comment>\s*)?)"
                      r'<translation type="unfinished">[^<]*</translation>')


def translation_memory(ts: Path) -> dict[str, str]:
    """source → translation of every finished message (XML-escaped, as in the file)."""
    memory: dict[str, str] = {}
    if ts.exists():
        text = ts.read_text(encoding="utf-8")
        for m in re.finditer(r"<source>([^<]*)</source>\s*(?:<comment>[^<]*</comment>\s*)?"
                             r"<translation>([^<]*)</translation>", text):
            memory.setdefault(m[1], m[2])
    return memory


def reuse(ts: Path, memory: dict[str, str]) -> int:
    """Finish new messages whose English was translated before, e.g. in a context that was
    renamed (lupdate offers such a guess but leaves it unfinished, so it would not be
    built): the same words say the same thing in a UI this small. How many were filled."""
    filled = 0

    def fill(m: re.Match[str]) -> str:
        nonlocal filled
        if m[2] not in memory:
            return m[0]
        filled += 1
        return f"{m[1]}<translation>{memory[m[2]]}</translation>"
    text = _MESSAGE.sub(fill, ts.read_text(encoding="utf-8"))
    ts.write_text(text, encoding="utf-8")
    return filled


def untranslated(ts: Path) -> list[str]:
    """'Context: source' for every message without a finished translation."""
    missing = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            tr = message.find("translation")
            kind = tr.get("type") if tr is not None else "unfinished"
            if kind in ("vanished", "obsolete"):
                continue
            forms = [f.text for f in tr.iter("numerusform")] if tr is not None else []
            texts = forms if forms else [tr.text if tr is not None else None]
            source = message.findtext("source", "")
            if not name:
                # lupdate saw tr() without knowing the class: an alias (`tr = self.tr`)
                # or a call outside a class. At run time the lookup has a context, so this
                # entry would never be used, translated or not.
                missing.append(f"(no context) {source!r}: call self.tr(...) or "
                               'QCoreApplication.translate("Context", ...) literally')
            elif kind == "unfinished" or not all(t and t.strip() for t in texts):
                missing.append(f"{name}: {source!r}")
    return missing


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--update", action="store_true", help="run lupdate over app/ui first")
    mode.add_argument("--check", action="store_true",
                      help="exit 1 if a UI string has no translation; writes nothing")
    args = ap.parse_args(argv)
    folder = i18n_dir()
    sources = sorted(UI_DIR.glob("*.py"))
    if args.check:
        bad = 0
        with tempfile.TemporaryDirectory() as tmp:
            for ts in ts_files(folder):
                copy = Path(tmp) / ts.name
                if ts.exists():
                    shutil.copy(ts, copy)
                lupdate(copy, sources)   # strings added to the code but not yet to the .ts
                for line in untranslated(copy):
                    print(f"{ts.relative_to(ROOT)}: untranslated: {line}", file=sys.stderr)
                    bad += 1
        if bad:
            print(f"{bad} string(s) without a translation; run "
                  "'python installer/build_translations.py --update' and translate them",
                  file=sys.stderr)
            return 1
        print("translations complete")
        return 0
    for ts in ts_files(folder):
        if args.update:
            memory = translation_memory(ts)
            lupdate(ts, sources)
            if reuse(ts, memory):
                lupdate(ts, sources)   # back into lupdate's own layout
        if not ts.exists():
            print(f"{ts.relative_to(ROOT)} does not exist; run with --update", file=sys.stderr)
            return 1
        qm = ts.with_suffix(".qm")
        try:
            compile_ts(ts, qm)
        except RuntimeError as e:
            print(e, file=sys.stderr)
            return 1
        print(f"built {qm.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
