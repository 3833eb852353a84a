"""The shape of the package: imports that only look down the chain, a thin CLI that starts fast,
public names that do not collide with modules, and dependencies that earn their place."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import json
import pkgutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import palveluverkko

SRC = Path(palveluverkko.__file__).parent
ROOT = SRC.parent.parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, *, module_level_only: bool) -> list[tuple[str, list[str]]]:
    """``(module imported, names)`` of a source file, relative imports resolved; without the
    ``if TYPE_CHECKING:`` blocks, and, with ``module_level_only``, without function bodies."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: list[tuple[str, list[str]]] = []

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and _is_type_checking(node):
                continue
            if isinstance(node, ast.Import):
                out.extend((a.name, []) for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                out.append((target, [a.name for a in node.names]))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and module_level_only:
                continue
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list):
                    visit([n for n in inner if isinstance(n, ast.stmt | ast.ExceptHandler)])  # type: ignore[misc]

    visit(tree.body)
    return out


def _resolve(target: str, names: list[str], modules: set[str]) -> set[str]:
    """Project modules an import statement loads (``from pkg import sub`` loads ``pkg.sub``)."""
    subs = {f"{target}.{name}" for name in names if f"{target}.{name}" in modules}
    hit = set(subs)
    if target in modules and (not names or len(subs) < len(names)):
        hit.add(target)  # a name defined in the package itself, not only submodules
    return hit


def _sources() -> dict[str, Path]:
    return {_module_name(p): p for p in SRC.rglob("*.py")}


def test_no_module_level_import_cycle() -> None:
    """Module-level imports inside the package form no cycle (graph of the source files)."""
    sources = _sources()
    modules = set(sources)
    graph = {
        m: {
            dep
            for target, names in _imports(p, module_level_only=True)
            for dep in _resolve(target, names, modules)
            if dep != m
        }
        for m, p in sources.items()
    }
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for dep in sorted(graph[m]):
            if state.get(dep) == 1:
                cycle = stack[stack.index(dep) :] + [dep]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                walk(dep)
        stack.pop()
        state[m] = 2

    for m in sorted(modules):
        if m not in state:
            walk(m)


def test_lower_layers_do_not_import_higher_ones() -> None:
    """locate never imports the evaluation; network, region and scenario never import
    evaluation, locate, study, report or cli (not even inside functions)."""
    rules = {
        "palveluverkko.locate": ("palveluverkko.evaluation", "palveluverkko.study"),
        "palveluverkko.network": (
            "palveluverkko.evaluation",
            "palveluverkko.locate",
            "palveluverkko.study",
            "palveluverkko.report",
            "palveluverkko.cli",
        ),
        "palveluverkko.region": (
            "palveluverkko.evaluation",
            "palveluverkko.locate",
            "palveluverkko.study",
            "palveluverkko.cli",
        ),
        "palveluverkko.scenario": (
            "palveluverkko.evaluation",
            "palveluverkko.locate",
            "palveluverkko.study",
            "palveluverkko.cli",
        ),
    }
    bad = []
    for m, path in _sources().items():
        for owner, banned in rules.items():
            if m == owner or m.startswith(owner + "."):
                for target, _ in _imports(path, module_level_only=False):
                    if target.startswith(banned):
                        bad.append(f"{m} imports {target}")
    assert not bad, bad


def test_cli_imports_no_private_name_and_no_other_command_module() -> None:
    """A CLI module imports the library's public names only, and from the CLI package only its
    app and the shared ``ui`` module: the use cases live in the library."""
    bad = []
    for path in (SRC / "cli").glob("*.py"):
        if path.name in ("__init__.py", "_commands.py"):
            continue
        for target, names in _imports(path, module_level_only=False):
            if not target.startswith("palveluverkko"):
                continue
            if target.startswith("palveluverkko.cli"):
                allowed = target in ("palveluverkko.cli", "palveluverkko.cli.ui")
                if not allowed or (target == "palveluverkko.cli" and set(names) - {"app"}):
                    bad.append(f"{path.name}: from {target} import {names}")
                continue
            private = [n for n in names if n.startswith("_")]
            if private or any(part.startswith("_") for part in target.split(".")):
                bad.append(f"{path.name}: from {target} import {names}")
    assert not bad, bad


def test_public_names_do_not_collide_with_modules() -> None:
    """No package exports a name that is also one of its submodules (an import of the module
    would replace the function on the package)."""
    clashes = []
    for info in pkgutil.walk_packages([str(SRC)], prefix="palveluverkko."):
        if not info.ispkg:
            continue
        pkg = importlib.import_module(info.name)
        subs = {m.name for m in pkgutil.iter_modules(pkg.__path__)}
        clashes += [f"{info.name}.{n}" for n in getattr(pkg, "__all__", []) if n in subs]
    top = {m.name for m in pkgutil.iter_modules(palveluverkko.__path__)}
    clashes += [f"palveluverkko.{n}" for n in palveluverkko.__all__ if n in top]
    assert not clashes, clashes


def test_every_public_name_resolves() -> None:
    """Every name of every ``__all__`` of the lazy packages can be imported."""
    for name in (
        "palveluverkko",
        *(
            f"palveluverkko.{p}"
            for p in ("network", "region", "evaluation", "scenario", "study", "locate")
        ),
    ):
        pkg = importlib.import_module(name)
        for public in pkg.__all__:
            assert getattr(pkg, public) is not None, f"{name}.{public}"


def test_the_cli_starts_without_heavy_modules() -> None:
    """``palveluverkko --help`` loads no numba, scipy, geopandas, solver, demo generator or
    report (checked in a fresh interpreter)."""
    code = (
        "import sys, json\n"
        "from typer.testing import CliRunner\n"
        "from palveluverkko.cli import app\n"
        "r = CliRunner().invoke(app, ['--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    loaded = set(json.loads(out.strip().splitlines()[-1]))
    heavy = {
        "numba",
        "scipy",
        "geopandas",
        "pandas",
        "highspy",
        "pyogrio",
        "weasyprint",
        "palveluverkko.demo",
        "palveluverkko.report",
        "palveluverkko.locate",
        "palveluverkko.evaluation",
        "palveluverkko.network.routing",
        "palveluverkko.web",
        "fastapi",
        "sqlalchemy",
        "uvicorn",
    }
    assert not heavy & loaded, sorted(heavy & loaded)


def _runtime_dependencies() -> list[str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [re.split(r"[=<>!~\[ ]", d, maxsplit=1)[0] for d in meta["project"]["dependencies"]]


def test_every_runtime_dependency_is_imported_in_src() -> None:
    """Each runtime dependency of pyproject.toml is imported somewhere in ``src/``."""
    imported = {
        target.split(".")[0]
        for p in SRC.rglob("*.py")
        for target, _ in _imports(p, module_level_only=False)
    }

    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "_", name).lower()

    dist_of = importlib.metadata.packages_distributions()
    unused = []
    for dist in _runtime_dependencies():
        modules = {m for m, dists in dist_of.items() if norm(dist) in {norm(d) for d in dists}}
        if not modules & imported:
            unused.append(dist)
    assert not unused, f"runtime dependencies that src/ never imports: {unused}"
