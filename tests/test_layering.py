"""DESIGN.md §3's dependency rules, checked on the source tree (AST) and in a fresh process.

(a) nothing outside app/ui and app/sandbox imports PySide6;
(b) playbooks/ imports nothing from app/ or recorders/;
(c) product code never imports app.sandbox — only app/cli.py's entries of `deskhand demo`
    and `deskhand registry serve`, and `deskhand doctor --self-test` (app/doctor/selftest.py)
    may, inside a function (lazily);
(d) app.sandbox is a leaf: no product module reaches it through any chain of imports, and
    it does not import the command line that loads it;
(d') the registry connectors depend on neither the fill engine, the desktop, OCR nor the UI
    (they share the case and its status vocabulary, app/cases.py);
(e) importing the core loads neither Qt, Xlib, the OCR engines nor the sandbox, so the
    core never needs a display.
"""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "playbooks", "recorders")

# app/cli.py may import these, inside a function only (the two sandbox commands), as its
# parser (app/cli_parser.py) their argparse parts, and the doctor's self-test the parts it
# proves the chain with.
LAZY_ENTRIES = {("app.cli", "app.sandbox.demo"), ("app.cli", "app.sandbox.registry_service.cli"),
                ("app.cli_parser", "app.sandbox.demo"),
                ("app.cli_parser", "app.sandbox.registry_service.cli"),
                ("app.doctor.selftest", "app.sandbox.registry_service.process"),
                ("app.doctor.selftest", "app.sandbox.targets"),
                ("app.doctor.selftest", "app.sandbox.xsession")}
QT_ALLOWED = ("app.ui", "app.sandbox")


@dataclass(frozen=True)
class Import:
    importer: str        # dotted module name of the importing file
    target: str          # dotted name imported (a module, or a module's attribute)
    lazy: bool           # inside a function body (runs on call, not on import)
    line: int


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    if not level:
        return module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[:len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def imports_of(root: Path, path: Path) -> list[Import]:
    """Every import statement in `path`, with whether it only runs when a function is called."""
    name = module_name(root, path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Import] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend(Import(name, a.name, lazy, child.lineno) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = _resolve(name, path.name == "__init__.py", child.level, child.module)
                # `from app.sandbox import demo` imports app.sandbox.demo: keep both names
                found.append(Import(name, base, lazy, child.lineno))
                found.extend(Import(name, f"{base}.{a.name}", lazy, child.lineno)
                             for a in child.names if a.name != "*")
            visit(child, inner)

    visit(tree, False)
    return found


def all_imports(root: Path, packages: tuple[str, ...] = PACKAGES) -> list[Import]:
    out: list[Import] = []
    for pkg in packages:
        for path in sorted((root / pkg).rglob("*.py")):
            out.extend(imports_of(root, path))
    return out


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _per_statement(found: list[Import]) -> list[Import]:
    """One finding per import statement (`from a.b import c` yields a.b and a.b.c)."""
    seen: set[tuple[str, int]] = set()
    return [i for i in found if (i.importer, i.line) not in seen and not seen.add((i.importer, i.line))]


def qt_outside_ui(imports: list[Import]) -> list[Import]:
    return _per_statement([i for i in imports if within(i.target, "PySide6")
            and not any(within(i.importer, p) for p in QT_ALLOWED)])


def playbooks_reaching_out(imports: list[Import]) -> list[Import]:
    return _per_statement([i for i in imports if within(i.importer, "playbooks")
                           and (within(i.target, "app") or within(i.target, "recorders"))])


def _allowed_entry(i: Import) -> bool:
    """One of the lazy entries, or a package on its way (`from app.sandbox import demo`)."""
    return i.lazy and any(importer == i.importer
                          and (within(i.target, entry)
                               or within(entry, i.target) and within(i.target, "app.sandbox"))
                          for importer, entry in LAZY_ENTRIES)


def product_importing_sandbox(imports: list[Import]) -> list[Import]:
    return _per_statement([i for i in imports if within(i.target, "app.sandbox")
                           and not within(i.importer, "app.sandbox") and not _allowed_entry(i)])


def _graph(imports: list[Import], modules: set[str]) -> dict[str, set[str]]:
    """Module -> the project modules it imports (an attribute import counts as its module)."""
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for i in imports:
        if _allowed_entry(i):
            continue
        target = i.target
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if target and target != i.importer:
            graph[i.importer].add(target)
    return graph


def _reach(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def sandbox_not_a_leaf(imports: list[Import], modules: set[str]) -> list[str]:
    """Chains that make product code depend on the sandbox, or the sandbox on the command
    line that loads it (an import cycle through the lazy entries)."""
    graph = _graph(imports, modules)
    problems = []
    for m in sorted(modules):
        reached = _reach(graph, m)
        if not within(m, "app.sandbox"):
            problems += [f"{m} reaches {s}" for s in sorted(reached) if within(s, "app.sandbox")]
        elif reached & {"app.cli", "app.cli_parser"}:
            problems.append(f"{m} reaches app.cli, which imports the sandbox back")
    return problems


def reached_from(imports: list[Import], modules: set[str], package: str,
                 forbidden: tuple[str, ...]) -> list[str]:
    graph = _graph(imports, modules)
    return sorted({f"{m} reaches {r}" for m in modules if within(m, package)
                   for r in _reach(graph, m) if any(within(r, f) for f in forbidden)})


def project_modules(root: Path, packages: tuple[str, ...] = PACKAGES) -> set[str]:
    return {module_name(root, p) for pkg in packages for p in (root / pkg).rglob("*.py")}


def _show(found: list[Import]) -> str:
    return "\n".join(f"{i.importer} line {i.line}: imports {i.target}"
                     + (" (inside a function)" if i.lazy else "") for i in found)


# ------------------------------------------------------------------ the real tree
@pytest.fixture(scope="module")
def tree() -> tuple[list[Import], set[str]]:
    return all_imports(ROOT), project_modules(ROOT)


def test_qt_only_in_ui_and_sandbox(tree):
    assert not qt_outside_ui(tree[0]), _show(qt_outside_ui(tree[0]))


def test_playbooks_import_nothing_from_app_or_recorders(tree):
    assert not playbooks_reaching_out(tree[0]), _show(playbooks_reaching_out(tree[0]))


def test_product_code_never_imports_the_sandbox(tree):
    found = product_importing_sandbox(tree[0])
    assert not found, _show(found)
    # the two entries exist and stay lazy (else this test would check nothing there)
    entries = {(i.importer, i.target) for i in tree[0] if i.lazy} & LAZY_ENTRIES
    assert entries == LAZY_ENTRIES


def test_the_sandbox_is_a_leaf(tree):
    assert sandbox_not_a_leaf(*tree) == []


REGISTRY_MAY_NOT_REACH = ("app.fill", "app.desktop", "app.capture", "app.ocr", "app.ui",
                          "app.workflow", "app.cli", "app.sandbox")


def test_the_registry_does_not_depend_on_the_fill_engine(tree):
    assert reached_from(*tree, "app.registry", REGISTRY_MAY_NOT_REACH) == []


CORE = ["app.cli", "app.pipeline", "app.cases", "app.checks", "app.registry", "app.fill.engine"]
HEAVY = ["PySide6", "Xlib", "rapidocr_onnxruntime", "onnxruntime", "easyocr", "torch",
         "cv2", "app.sandbox", "starlette", "uvicorn", "pynput", "pyautogui"]
_PROBE = """
import json, sys
for name in sys.argv[2:]:
    __import__(name)
if sys.argv[1] == "parser":
    import app.cli
    app.cli.build_parser()
heavy = {HEAVY}
print(json.dumps(sorted(m for m in sys.modules
                        if any(m == h or m.startswith(h + ".") for h in heavy))))
"""


def _loaded_after(mode: str, modules: list[str], heavy: list[str]) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", _PROBE.replace("{HEAVY}", repr(heavy)), mode, *modules],
                          cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})   # no DISPLAY
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_importing_the_core_needs_no_display_and_loads_no_engine():
    assert _loaded_after("import", CORE, HEAVY) == []


def test_the_command_line_parser_loads_only_the_light_sandbox_entries():
    # build_parser wires `deskhand demo` and `deskhand registry serve`: their argparse parts
    # may load; Qt, Xlib, the OCR engines and the server stack may not.
    loaded = _loaded_after("parser", ["app.cli"], [h for h in HEAVY if h != "app.sandbox"])
    assert loaded == []


# ------------------------------------------------------- the checks can fail
def _fake_tree(root: Path, files: dict[str, str]) -> tuple[list[Import], set[str]]:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return all_imports(root), project_modules(root)


def test_the_checks_catch_each_kind_of_breach(tmp_path):
    imports, modules = _fake_tree(tmp_path, {
        "app/__init__.py": "",
        "app/cli.py": "def main():\n    from app.sandbox import demo\n",
        "app/cases.py": "from PySide6.QtCore import QObject\n",
        "app/helper.py": "from .sandbox.people import make_person\n",   # relative import
        "app/core.py": "import app.helper\n",                           # reaches it through helper
        "app/ui/__init__.py": "",
        "app/ui/tray.py": "from PySide6.QtWidgets import QMenu\n",
        "app/sandbox/__init__.py": "",
        "app/sandbox/demo.py": "import app.cli\n",                      # imports its loader back
        "app/sandbox/people.py": "",
        "playbooks/__init__.py": "",
        "playbooks/loader.py": "def f():\n    from recorders import x\n",
        "recorders/__init__.py": "",
        "recorders/x.py": "",
    })
    assert [i.importer for i in qt_outside_ui(imports)] == ["app.cases"]
    assert [(i.importer, i.target, i.lazy) for i in playbooks_reaching_out(imports)] == [
        ("playbooks.loader", "recorders", True)]
    assert {i.importer for i in product_importing_sandbox(imports)} == {"app.helper"}
    problems = sandbox_not_a_leaf(imports, modules)
    assert "app.core reaches app.sandbox.people" in problems
    assert "app.sandbox.demo reaches app.cli, which imports the sandbox back" in problems
    assert reached_from(imports, modules, "app.core", ("app.sandbox",)) == [
        "app.core reaches app.sandbox.people"]


def test_a_module_level_sandbox_import_in_the_cli_is_a_breach(tmp_path):
    imports, _ = _fake_tree(tmp_path, {"app/__init__.py": "",
                                       "app/cli.py": "from app.sandbox import demo\n"})
    assert product_importing_sandbox(imports)
