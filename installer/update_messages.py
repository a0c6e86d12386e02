"""Keep the catalogues of app/i18n.py in step with the code.

    python installer/update_messages.py           add every marked sentence that is new
                                                  (with an empty translation) to each
                                                  resources/i18n/deskhand_<lang>.po and drop
                                                  the ones the code no longer has
    python installer/update_messages.py --check   change nothing; exit 1 listing what is
                                                  wrong (tests/test_i18n.py runs this check)

What is found: in every module under app/, playbooks/ and recorders/ that imports its
translator from app.i18n or (in playbooks/, which may not import app/) from playbooks.text,
the calls `_("…")`, `n_("…", "…", n)` and `N_("…")` with literal text. What
the check refuses: a marked sentence without a translation (or only a fuzzy one), a
translation whose {placeholders} differ from its English, a catalogue entry the code no
longer has, a call whose text is not a literal (`_(f"…")`, `_("a" + b)`: it could never be
found in a catalogue), and a module that assigns the name `_` (`for _ in …`, `**_`), which
would hide the translator there.

Entries are written in the order the code first uses them, one line per string, with the
file they come from (no line numbers: moving code does not touch the catalogue).
"""
from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.i18n import LANGUAGES, SOURCE_LANGUAGE, catalogue_path, parse_po  # noqa: E402

SOURCES = ("app", "playbooks", "recorders")
MARKERS = {"_": 1, "N_": 1, "n_": 2}   # function → how many leading literal arguments
# Where `_`, `n_` and `N_` come from: app's, and playbooks' hook (filled by app.i18n).
TRANSLATORS = ("app.i18n", "playbooks.text")

Key = str | tuple[str, str]


@dataclass
class Scan:
    messages: dict[Key, list[str]] = field(default_factory=dict)   # key → files, first use first
    mistakes: list[str] = field(default_factory=list)


def scan(root: Path = ROOT, folders: tuple[str, ...] = SOURCES) -> Scan:
    found = Scan()
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            scan_file(path, path.relative_to(root).as_posix(), found)
    return found


def scan_file(path: Path, shown: str, found: Scan) -> None:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), shown)
    except SyntaxError as exc:
        found.mistakes.append(f"{shown}:{exc.lineno}: cannot be parsed: {exc.msg}")
        return
    names = {alias.asname or alias.name: alias.name for node in ast.walk(tree)
             if isinstance(node, ast.ImportFrom) and node.module in TRANSLATORS
             for alias in node.names if alias.name in MARKERS}
    if not names:
        return
    # ast.walk goes breadth first: sort, so that the catalogue follows the code's order.
    for node in sorted(ast.walk(tree), key=lambda n: (_line(n), getattr(n, "col_offset", 0))):
        for bound in _bound_names(node):
            if bound in names:
                found.mistakes.append(f"{shown}:{_line(node)}: '{bound}' is assigned here and "
                                      "hides the translator; use another name")
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in names):
            continue
        marker = names[node.func.id]
        literal = node.args[:MARKERS[marker]]
        texts = [a.value for a in literal if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if len(texts) == MARKERS[marker]:
            key: Key = texts[0] if marker != "n_" else (texts[0], texts[1])
            files = found.messages.setdefault(key, [])
            if shown not in files:
                files.append(shown)
        elif marker != "_" or any(isinstance(a, (ast.JoinedStr, ast.BinOp)) for a in literal):
            # _(CONSTANT) is fine: the constant is marked where it is defined, with N_.
            found.mistakes.append(f"{shown}:{node.lineno}: {node.func.id}(...) needs literal text "
                                  "(not an f-string or a sum), or it is never translated")


def _line(node: ast.AST) -> int:
    return getattr(node, "lineno", None) or getattr(getattr(node, "target", None), "lineno", 0)


def _bound_names(node: ast.AST) -> list[str]:
    """Names `node` binds in its scope (assignment targets, loop variables, parameters)."""
    targets: list[ast.AST] = []
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
        targets = [node.target]
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
    elif isinstance(node, ast.NamedExpr):
        targets = [node.target]
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        a = node.args
        params = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
        return [p.arg for p in params if p is not None]
    elif isinstance(node, ast.ExceptHandler):
        return [node.name] if node.name else []
    names: list[str] = []
    for target in targets:
        names += [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
    return names


# ------------------------------------------------------------------ checking
_FIELD = re.compile(r"\{[^{}]*\}")


def placeholders(text: str) -> list[str]:
    """The {…} of a message, as written ({name}, {seconds:g}, {value!r}), doubled braces
    left out; sorted, so that a translation may use them in another order."""
    return sorted(_FIELD.findall(text.replace("{{", "").replace("}}", "")))


def check(found: Scan, lang: str, text: str | None) -> list[str]:
    """What is wrong with the catalogue `text` for `lang` (None: it does not exist)."""
    if text is None:
        return [f"{catalogue_path(lang).name} does not exist; run installer/update_messages.py"]
    try:
        entries = {key: (value, fuzzy) for key, value, fuzzy in parse_po(text)}
    except ValueError as exc:
        return [f"{catalogue_path(lang).name}: {exc}"]
    problems = []
    for key, files in found.messages.items():
        shown = f"{_show(key)} ({', '.join(files)})"
        if key not in entries:
            problems.append(f"not in the catalogue: {shown}")
            continue
        value, fuzzy = entries[key]
        forms = value if isinstance(value, tuple) else (value,)
        if fuzzy or not forms or not all(f.strip() for f in forms):
            problems.append(f"{'fuzzy' if fuzzy else 'untranslated'}: {shown}")
            continue
        sources = key if isinstance(key, tuple) else (key,)
        want = placeholders(sources[-1])
        for form in forms:
            got = placeholders(form)
            if got != want:
                problems.append(f"placeholders {got} in the translation, {want} in the English: "
                                f"{shown}")
    problems += [f"stale (no longer in the code): {_show(key)}"
                 for key in entries if key not in found.messages]
    return problems


def _show(key: Key) -> str:
    return repr(key) if isinstance(key, str) else f"{key[0]!r} / {key[1]!r}"


# ------------------------------------------------------------------ writing
HEADER = """# Deskhand: the sentences outside its windows (checks, registries, errors…), {lang}.
# Edit the msgstr lines; add and drop entries with: python installer/update_messages.py
# (see app/i18n.py). Keep every {{placeholder}} of the English in the translation.
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: {lang}\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
"""


def po_string(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\t", "\\t"))
    return f'"{escaped}"'


def render(found: Scan, lang: str, old: str | None) -> str:
    """The catalogue for `lang`: every message found, with the translations `old` had."""
    previous = {key: (value, fuzzy) for key, value, fuzzy in parse_po(old)} if old else {}
    out = [HEADER.format(lang=lang)]
    for key, files in found.messages.items():
        value, fuzzy = previous.get(key, ("", False))
        lines = [f"#: {' '.join(files)}"]
        if fuzzy:
            lines.append("#, fuzzy")
        if isinstance(key, tuple):
            forms = value if isinstance(value, tuple) and value else ("",)
            lines += [f"msgid {po_string(key[0])}", f"msgid_plural {po_string(key[1])}",
                      f"msgstr[0] {po_string(forms[0])}"]
        else:
            lines += [f"msgid {po_string(key)}",
                      f"msgstr {po_string(value if isinstance(value, str) else '')}"]
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 on problems")
    args = ap.parse_args(argv)
    found = scan()
    bad = list(found.mistakes)
    for lang in LANGUAGES:
        if lang == SOURCE_LANGUAGE:
            continue
        path = catalogue_path(lang)
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if args.check:
            bad += [f"{path.name}: {p}" for p in check(found, lang, old)]
            continue
        new = render(found, lang, old)
        if new != old:
            path.write_text(new, encoding="utf-8")
            print(f"updated {path.relative_to(ROOT)}")
        bad += [f"{path.name}: {p}" for p in check(found, lang, new)
                if not p.startswith("stale")]
    for line in bad:
        print(line, file=sys.stderr)
    if bad:
        print(f"{len(bad)} problem(s); translate in resources/i18n/*.po", file=sys.stderr)
        return 1
    print(f"{len(found.messages)} sentences, all translated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
