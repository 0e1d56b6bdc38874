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
