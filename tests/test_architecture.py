"""The house rules of docs/architecture.md, checked: layers, cycles, room sizes, exports."""

from __future__ import annotations

import ast
import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

import yzmaturity as yz

PACKAGE = ROOT / "yzmaturity"
MAX_LINES = 800
MAX_IMPORTS_IN_FUNCTIONS = 25


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _isort_style(name: str) -> tuple[int, str]:
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute name a relative ``from . import`` points at."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def test_layers_contract_holds():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 kept, 0 broken" in result.stdout


def test_no_module_is_over_800_lines():
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_few_package_imports_inside_functions():
    inner = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for sub in ast.walk(node):
                    if isinstance(sub, ast.ImportFrom) and _resolve(name, path, sub).startswith("yzmaturity"):
                        inner.append(f"{name}:{sub.lineno}")
    assert len(inner) <= MAX_IMPORTS_IN_FUNCTIONS, inner


def test_no_import_cycles_among_modules():
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("yzmaturity", exclude_type_checking_imports=True)
    # Tarjan's strongly connected components: any group of two or more modules is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.find_modules_directly_imported_by(v):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    assert cycles == []


def test_every_module_declares_a_sorted_all_that_exists():
    for name in MODULES:
        if name.endswith("__main__"):
            continue
        module = importlib.import_module(name)
        exported = getattr(module, "__all__", None)
        assert exported is not None, f"{name} has no __all__"
        # sorted as ruff's RUF022 sorts: CONSTANTS, then Classes, then functions (each alphabetically)
        assert list(exported) in (sorted(exported), sorted(exported, key=_isort_style)), name
        missing = [n for n in exported if not hasattr(module, n)]
        assert missing == [], f"{name}.__all__ names what it lacks: {missing}"


def test_modules_import_from_each_other_only_what_is_exported():
    crossing = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            target = _resolve(name, path, node)
            if target not in MODULES or target == "yzmaturity":
                continue
            exported = set(getattr(importlib.import_module(target), "__all__", ()))
            for alias in node.names:
                if f"{target}.{alias.name}" in MODULES:
                    continue  # a submodule, not a name
                if alias.name not in exported:
                    crossing.append(f"{name} imports {alias.name} from {target}")
    assert crossing == []


def test_package_all_agrees_with_the_modules():
    for name in yz.__all__:
        if name == "__version__":
            continue
        value = getattr(yz, name)
        home = getattr(value, "__module__", None)
        if home is None or not home.startswith("yzmaturity."):
            continue
        # the home module (or the sub-package that re-exports it) declares the name
        homes = [home, home.rsplit(".", 1)[0]]
        assert any(name in getattr(importlib.import_module(h), "__all__", ()) for h in homes), (name, home)


def test_the_wheel_says_it_is_typed():
    assert (PACKAGE / "py.typed").is_file()


def test_error_codes_come_from_the_registry():
    from yzmaturity._codes import Code

    registered = {c.value for c in Code}
    literal, used = [], set()
    for name, path in MODULES.items():
        source = path.read_text(encoding="utf-8")
        used |= {c.name for c in Code if f"Code.{c.name}" in source}
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ErrorDetail" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and first.value in registered:
                    literal.append(f"{name}:{node.lineno} {first.value}")
    assert literal == [], "use Code.X, not the string"
    assert {c.name for c in Code} - used == set(), "a registered code no module gives"
