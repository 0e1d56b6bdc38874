"""The core runs without the UI: no module under domain/, services/, store/ or printing/ imports
textual, and a CLI command that does not open the TUI never loads it."""

import os
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "clerk_tui"
CORE = sorted(
    ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
    for layer in ("domain", "services", "store", "printing")
    for p in (PACKAGE / layer).rglob("*.py")
    if "migrations" not in p.parts
)


def test_core_modules_exist():
    assert len(CORE) > 10


def test_no_core_module_imports_textual():
    """One fresh interpreter imports the core modules one after another and names the first whose
    import loaded textual (one subprocess instead of one per module)."""
    code = (
        "import importlib, sys\n"
        f"for name in {CORE!r}:\n"
        "    importlib.import_module(name)\n"
        "    if 'textual' in sys.modules:\n"
        "        print(name); sys.exit(1)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, f"{result.stdout.strip()} imports textual {result.stderr}"


def test_domain_imports_no_store_or_services():
    for path in (PACKAGE / "domain").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for banned in ("sqlmodel", "sqlalchemy", "clerk_tui.store", "clerk_tui.services", "textual"):
            assert f"import {banned}" not in text and f"from {banned}" not in text, (path, banned)


def test_catalog_list_does_not_load_textual(tmp_path):
    env = os.environ | {"CLERK_TUI_DB": str(tmp_path / "x.db")}
    code = (
        "import sys; from clerk_tui import cli; sys.argv=['clerk-tui','catalog','list']\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "print('TEXTUAL' if 'textual' in sys.modules else 'CLEAN')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.stdout.strip().endswith("CLEAN"), result.stdout + result.stderr


def test_every_import_of_our_own_names_resolves():
    """Screens import lazily inside functions (start-up time), where a renamed helper would only
    fail when that code runs — on a supervisor's screen, in the middle of a day. Resolve them all."""
    import ast
    import importlib

    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("clerk_tui"):
                module = importlib.import_module(node.module)
                for alias in node.names:
                    if not hasattr(module, alias.name):
                        try:
                            importlib.import_module(f"{node.module}.{alias.name}")
                        except ImportError:
                            missing.append(
                                f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.module}.{alias.name}"
                            )
    assert not missing, missing


def _module_graph() -> dict[str, set[str]]:
    """clerk_tui's modules and the clerk_tui modules each imports, counting imports inside functions."""
    import ast

    modules: dict[str, Path] = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        modules[".".join(parts)] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
                    break
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


# The layers, lowest first; a module may import its own layer and those below it (ARCHITECTURE.md).
LAYERS = [
    ("clerk_tui.domain", "clerk_tui.clock"),
    ("clerk_tui.printing", "clerk_tui.store", "clerk_tui.settings", "clerk_tui.paths"),
    ("clerk_tui.services",),
    ("clerk_tui.ui", "clerk_tui.cli", "clerk_tui.web", "clerk_tui.entry", "clerk_tui.__main__"),
]


def _layer(module: str) -> int | None:
    for level, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return level
    return None


def test_no_import_cycles_counting_imports_inside_functions():
    cycles = _cycles(_module_graph())
    assert not cycles, "import cycles: " + "; ".join(" ↔ ".join(c) for c in cycles)


def test_imports_point_down_the_layers_only():
    upward = []
    for module, targets in _module_graph().items():
        here = _layer(module)
        for target in targets:
            there = _layer(target)
            if here is not None and there is not None and there > here:
                upward.append(f"{module} → {target}")
    assert not upward, upward


def test_the_cycle_check_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_over_600_lines():
    long = {
        str(p.relative_to(PACKAGE.parent)): n
        for p in PACKAGE.rglob("*.py")
        if "migrations" not in p.parts and (n := len(p.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert not long, long
