"""The arrows of DESIGN.md, with no exemptions: cli -> flows -> engine -> schemas, never back, and no
import circles (imports inside functions count: a lazy import that dodges a loop is still a loop).
Only the flows (and the command line through them) touch Prefect.

The checker runs on the repository and, so that it is known to fail when it should, on small
made-up trees holding a back-import and a circle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Layer of a module, by name; each layer may import itself and the layers after it.
LAYERS = ("cli", "flows", "engine", "schemas")
ALLOWED = {layer: set(LAYERS[i:]) for i, layer in enumerate(LAYERS)}
NO_PREFECT = {"engine", "schemas"}


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in ("cli", "flows", "schemas"):
        return parts[1]
    return "engine"


def modules(root: Path) -> dict[str, Path]:
    """Module name -> file, laid out as installed: winnow/, plus flows/ and schemas/ as winnow.flows
    and winnow.schemas (pyproject's package-dir)."""
    found: dict[str, Path] = {}
    for folder, prefix in (("winnow", "winnow"), ("flows", "winnow.flows"), ("schemas", "winnow.schemas")):
        base = root / folder
        for path in sorted(base.rglob("*.py")):
            rel = path.relative_to(base).with_suffix("").parts
            name = ".".join((prefix, *rel))
            found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path, module: str, known: set[str]) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import in the file, anywhere in it."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield (sub if sub in known else base), node.lineno


def violations(root: Path) -> list[str]:
    """Every arrow that runs back, every Prefect import below the flows, and every import circle."""
    mods = modules(root)
    known = set(mods)
    graph: dict[str, set[str]] = {m: set() for m in mods}
    problems = []
    for module, path in mods.items():
        layer = layer_of(module)
        for target, line in imports(path, module, known):
            top = target.split(".")[0]
            if top == "prefect" and layer in NO_PREFECT:
                problems.append(f"{path.relative_to(root)}:{line}: the {layer} imports Prefect")
            if top in ("flows", "schemas"):
                problems.append(f"{path.relative_to(root)}:{line}: imports {target}: use winnow.{target}")
            if target not in known or target == module:
                continue
            graph[module].add(target)
            if layer_of(target) not in ALLOWED[layer]:
                problems.append(
                    f"{path.relative_to(root)}:{line}: {module} ({layer}) imports {target} "
                    f"({layer_of(target)}): arrows run cli -> flows -> engine -> schemas"
                )
    problems += [f"import circle: {' -> '.join(cycle)}" for cycle in circles(graph)]
    return problems


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
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


def test_the_repository_has_no_back_arrows_and_no_circles() -> None:
    assert violations(REPO) == []


def test_every_part_is_in_a_layer() -> None:
    layers = {layer_of(m) for m in modules(REPO)}
    assert layers == set(LAYERS)


def _tree(tmp: Path, files: dict[str, str]) -> Path:
    packages = {"winnow/__init__.py": "", "flows/__init__.py": "", "schemas/__init__.py": ""}
    for rel, text in {**packages, **files}.items():
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return tmp


def test_the_checker_sees_a_back_import(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "winnow/cli/__init__.py": "",
            "winnow/cli/app.py": "",
            "winnow/store.py": "def f():\n    from winnow.cli.app import x\n",  # lazy, still a back-arrow
            "schemas/columns.py": "import winnow.store\n",
            "flows/ingest.py": "from winnow import cli\n",
        },
    )
    found = violations(root)
    assert any("winnow.store (engine) imports winnow.cli.app (cli)" in p for p in found), found
    assert any("winnow.schemas.columns (schemas) imports winnow.store (engine)" in p for p in found), found
    assert any("winnow.flows.ingest (flows) imports winnow.cli (cli)" in p for p in found), found


def test_the_checker_sees_a_circle_and_prefect_in_the_engine(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "winnow/a.py": "from winnow.b import x\n",
            "winnow/b.py": "def g():\n    from winnow import a\n",
            "winnow/c.py": "import prefect\n",
            "flows/d.py": "from schemas.columns import X\n",
        },
    )
    found = violations(root)
    assert "import circle: winnow.a -> winnow.b" in found, found
    assert any("the engine imports Prefect" in p for p in found), found
    assert any("imports schemas.columns: use winnow.schemas.columns" in p for p in found), found
