"""The house's shape, read from the code's own imports (every `import`, lazy ones inside functions too).

`app/` is the ground the services stand on and imports none of them; no modules import each other,
directly or round a longer circle. Checked on the project's source with `ast`, nothing imported, and
the checker itself is tried on a small made-up tree so a broken checker cannot pass the project.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GROUND = "app"
SERVICES = ("scan", "listen", "api", "ui", "monitoring", "simulator")
SKIP_DIRS = {".venv", ".git", "node_modules", "build", "dist", "__pycache__"}


def modules(root: Path) -> dict[str, Path]:
    """Dotted name -> file of every module under `root`'s top-level packages (folders with __init__.py)."""
    out: dict[str, Path] = {}
    for top in sorted(p for p in root.iterdir() if (p / "__init__.py").is_file() and p.name not in SKIP_DIRS):
        for path in top.rglob("*.py"):
            rel = path.relative_to(root).with_suffix("")
            if SKIP_DIRS & set(rel.parts):
                continue
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            out[".".join(parts)] = path
    return out


def _named(name: str, path: Path, known: dict[str, Path]):
    """(module named, line) for every import statement in the file, wherever it stands."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                yield (sub if sub in known else source), node.lineno


def import_graph(root: Path) -> dict[str, dict[str, int]]:
    """module -> {project module it imports: line of the first such import}."""
    known = modules(root)
    graph: dict[str, dict[str, int]] = {}
    for name, path in known.items():
        edges = graph.setdefault(name, {})
        for target, line in _named(name, path, known):
            while target and target not in known:      # `a.b.name` -> the module a.b that holds it
                target = target.rpartition(".")[0]
            if target and target != name:
                edges.setdefault(target, line)
    return graph


def circles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Groups of modules that reach each other through imports (strongly connected, Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            nxt = next(targets, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, {})))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def upward(graph: dict[str, dict[str, int]], modules_of: dict[str, Path]) -> list[str]:
    """Imports from the ground (`app`) into a service package, as `file:line imports module`."""
    return [f"{modules_of[m].relative_to(ROOT) if modules_of[m].is_relative_to(ROOT) else modules_of[m]}:{line} "
            f"imports {target}"
            for m, edges in sorted(graph.items()) if m.split(".")[0] == GROUND
            for target, line in sorted(edges.items()) if target.split(".")[0] in SERVICES]


def test_the_ground_imports_no_service():
    assert upward(import_graph(ROOT), modules(ROOT)) == []


def test_no_modules_import_each_other():
    assert circles(import_graph(ROOT)) == []


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_checker_finds_lazy_upward_imports_and_circles_of_any_length(tmp_path):
    root = _tree(tmp_path, {
        "app/__init__.py": "", "app/a.py": "from app import b\n", "app/b.py": "from . import c\n",
        "app/c.py": "def f():\n    from app.a import x\n", "app/ok.py": "import json\nfrom app import b\n",
        "app/lazy.py": "def run():\n    from scan.controller import Scan\n",
        "scan/__init__.py": "", "scan/controller.py": "from app import ok\n",
        "listen/__init__.py": "", "listen/x.py": "import listen.y\n", "listen/y.py": "from .x import thing\n",
    })
    graph = import_graph(root)
    assert circles(graph) == [["app.a", "app.b", "app.c"], ["listen.x", "listen.y"]]
    assert upward(graph, modules(root)) == [f"{root / 'app/lazy.py'}:2 imports scan.controller"]
