"""The package layout is the architecture: imports point one way between packages, no cycles.

The import graph is read from the source with `ast` (nothing is imported). Imports under
`if TYPE_CHECKING:` are annotations only and are left out.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

from evalkit.archive import hash_tree

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "evalkit"

# Rank of each top-level part of evalkit: a module may import its own package and packages of a
# lower rank, never a package of its own rank or above. The root `evalkit` (its `__version__`)
# may be imported from anywhere; it imports nothing eagerly.
RANKS = {
    "core": 0,
    "catalog": 1, "carbon": 1,
    "intake": 2,
    "evaluation": 3,
    "analysis": 4, "portfolio": 4,
    "report": 5, "archive": 5,
    "render": 6,
    "runs": 7,
    "cli": 8,
    "__main__": 9,
}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST):
    """Every import node, skipping `if TYPE_CHECKING:` blocks."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (n for child in node.orelse for n in _imports_of(child))
            continue
        yield from _imports_of(node)


def _imports_of(node: ast.AST):
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node
    else:
        yield from _imports(node)


def import_graph(root: Path) -> dict[str, set[str]]:
    """module → the modules of the package `root` it imports (`from pkg import mod` → pkg.mod)."""
    top = root.name
    modules = {module_name(p, root): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _imports(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names if alias.name.split(".")[0] == top}
                continue
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if base.split(".")[0] != top:
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                targets.add(candidate if candidate in modules else base)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def part_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def upward_imports(graph: dict[str, set[str]], ranks: dict[str, int]) -> list[str]:
    found = []
    for module, targets in sorted(graph.items()):
        source = part_of(module)
        for target in sorted(targets):
            dest = part_of(target)
            if source is None:
                found.append(f"{module} imports {target}: the package root must import nothing eagerly")
            elif dest is None or dest == source:
                continue
            elif source not in ranks or dest not in ranks:
                found.append(f"{module} imports {target}: give {source if source not in ranks else dest} a rank")
            elif ranks[dest] >= ranks[source]:
                found.append(f"{module} ({source}, rank {ranks[source]}) imports {target} "
                             f"({dest}, rank {ranks[dest]})")
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_evalkit_has_no_import_cycle():
    assert cycles(import_graph(PACKAGE)) == []


def test_evalkit_imports_point_down_the_layers():
    graph = import_graph(PACKAGE)
    assert upward_imports(graph, RANKS) == []
    # every part of evalkit has a rank, so the rule covers every module
    assert {part_of(m) for m in graph} - {None} <= set(RANKS)


def test_every_package_says_what_it_holds_and_may_import():
    for init in PACKAGE.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text("utf-8")))
        assert doc, f"{init} has no docstring"
        assert "May import" in doc, f"{init} does not say what it may import"


def _write_package(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / "pkg" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), "utf-8")
    return root / "pkg"


def test_the_checks_find_a_cycle_and_an_upward_import(tmp_path):
    pkg = _write_package(tmp_path, {
        "__init__.py": "",
        "core/__init__.py": "",
        "core/a.py": "from pkg.core import b\n",
        "core/b.py": "def f():\n    from pkg.core.a import x\n",
        "intake/__init__.py": "",
        "intake/reader.py": "from pkg.report import sections\n",
        "report/__init__.py": "",
        "report/sections.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.cli import main\n",
        "cli.py": "from pkg.intake.reader import read\n",
    })
    graph = import_graph(pkg)
    assert cycles(graph) == [["pkg.core.a", "pkg.core.b"]]
    ranks = {"core": 0, "intake": 2, "report": 5, "cli": 7}
    assert upward_imports(graph, ranks) == [
        "pkg.intake.reader (intake, rank 2) imports pkg.report.sections (report, rank 5)"]


def test_a_wheel_install_scores_and_renders_a_demo_park_from_another_directory(tmp_path):
    """Data files and the report template are package data: a non-editable install works away
    from the checkout."""
    # Without PYTHONPATH: a checkout on it would count as evalkit "already installed" for pip.
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH"}}
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels),
                            str(ROOT)], capture_output=True, text=True, env=env)
    assert build.returncode == 0, build.stderr
    wheel = next(wheels.glob("evalkit-*.whl"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                              "--force-reinstall", "--quiet", str(wheel)], capture_output=True, text=True, env=env)
    assert install.returncode == 0, install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([str(python), "-c", "import evalkit; print(evalkit.__file__)"], cwd=elsewhere,
                           capture_output=True, text=True, env=env)
    assert str(env_dir) in where.stdout, "the test must run the installed wheel, not the checkout"
    score = subprocess.run([str(env_dir / "bin" / "evalkit"), "score", "--park", "demo-chem",
                            "--years", "2021-2023", "--params-dir", str(ROOT / "params")],
                           cwd=elsewhere, capture_output=True, text=True, env=env)
    assert score.returncode == 0, score.stderr
    assert "AAA" in score.stdout

    # The report template is package data: render finds it without a checkout nearby.
    render = subprocess.run([str(env_dir / "bin" / "evalkit"), "render", "--park", "demo-chem",
                             "--years", "2021-2023", "--params-dir", str(ROOT / "params"), "--to", "html",
                             "--engine", "pandoc", "--output-dir", "outputs"],
                            cwd=elsewhere, capture_output=True, text=True, env=env)
    assert render.returncode == 0, render.stderr
    archive = elsewhere / "outputs" / "demo-chem" / "2021-2023"
    assert "东海湾化工园区" in (archive / "report.html").read_text("utf-8")
    manifest = json.loads((archive / "manifest.json").read_text("utf-8"))
    assert manifest["template"] == hash_tree(ROOT / "report_template")  # the installed template is the source template


LAZY_CHECK = """
import contextlib, io, sys
from evalkit.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
print(" ".join(sorted(m for m in ("pydantic", "papermill", "matplotlib", "pint", "openpyxl", "typst")
                      if m in sys.modules)))
"""


@pytest.mark.parametrize("argv, allowed", [
    (["--help"], set()),
    (["score", "--park", "demo-chem", "--years", "2021-2023", "--params-dir", str(ROOT / "params")],
     {"pydantic"}),
])
def test_commands_import_only_what_they_need(argv, allowed):
    """`--help` loads no heavy library and `score` none but pydantic: no pint registry, no
    papermill, matplotlib, openpyxl or typst (see benchmarks/bench_render.py for the timings)."""
    done = subprocess.run([sys.executable, "-c", LAZY_CHECK, *argv], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert set(done.stdout.split()) == allowed
