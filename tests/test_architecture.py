"""The layout of DESIGN §8, kept by tests: a pure core, small functions and modules,
commands that load only what they use."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import sheetcrm

PACKAGE = Path(sheetcrm.__file__).resolve().parent
ROOT = PACKAGE.parent
IO_MODULES = ("sheetcrm.workbook", "sheetcrm.backends", "openpyxl", "lxml", "gspread", "python_calamine")
BACKEND_MODULES = ("sheetcrm.workbook.backends", "openpyxl", "lxml", "gspread", "python_calamine")
CORE_MODULES = sorted("sheetcrm.core" + ("" if p.stem == "__init__" else "." + p.stem)
                      for p in (PACKAGE / "core").glob("*.py"))

MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 500
# Owned by other engineers right now; each entry names the issue that fixes it.
TOO_LONG_ALLOWED: set[str] = set()


def _loaded_after(code: str, prefixes: tuple[str, ...]) -> list[str]:
    """Run ``code`` in a fresh interpreter; the modules it loaded that start with ``prefixes``."""
    probe = (f"import sys, json\n{code}\n"
             f"print(json.dumps(sorted(m for m in sys.modules if m.startswith({prefixes!r}))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_core_modules_import_no_workbook_and_no_io_library():
    """All core modules in one fresh interpreter (one start-up, not one per module): what
    importing one module loads is part of what importing all of them loads, so an empty
    answer clears each. Only when it is not empty is each module probed alone, to name it."""
    if _loaded_after("\n".join(f"import {m}" for m in CORE_MODULES), IO_MODULES) == []:
        return
    culprits = {m: found for m in CORE_MODULES if (found := _loaded_after(f"import {m}", IO_MODULES))}
    assert culprits == {}


def test_the_probe_sees_an_io_import():
    """Not vacuous: importing the workbook layer is seen."""
    assert "sheetcrm.workbook.backends.xlsx" in _loaded_after("import sheetcrm.workbook.backends.xlsx", IO_MODULES)


def test_classify_loads_no_backend():
    """`sheetcrm classify` needs no workbook, so it loads none of the backends."""
    code = ("from click.testing import CliRunner\nfrom sheetcrm.cli import cli\n"
            "r = CliRunner().invoke(cli, ['classify', 'comp too low'])\n"
            "assert r.exit_code == 0 and 'salary' in r.output, r.output")
    assert _loaded_after(code, BACKEND_MODULES) == []


def _sources() -> list[tuple[str, Path]]:
    return [(p.relative_to(PACKAGE).as_posix(), p) for p in sorted(PACKAGE.rglob("*.py"))]


def _long_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]


def test_no_function_longer_than_a_screen():
    found = {rel: long for rel, path in _sources() if rel not in TOO_LONG_ALLOWED and (long := _long_functions(path))}
    assert found == {}


def test_no_module_longer_than_500_lines():
    found = {rel: n for rel, path in _sources()
             if rel not in TOO_LONG_ALLOWED and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert found == {}


def test_the_length_check_sees_a_long_function(tmp_path):
    long = tmp_path / "long.py"
    long.write_text("def f():\n" + "    x = 1\n" * MAX_FUNCTION_LINES)
    assert _long_functions(long) == [f"f ({MAX_FUNCTION_LINES + 1} lines)"]
