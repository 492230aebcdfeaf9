"""The arrows of DESIGN.md: flows -> winnow, flows -> schemas, winnow -> schemas; the engine
imports no Prefect; schemas import no winnow."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_engine_has_no_prefect_and_never_imports_flows() -> None:
    for path in (REPO / "winnow").rglob("*.py"):
        found = _imports(path)
        assert "prefect" not in found, path
        if path.name != "cli.py" and "commands" not in path.parts:
            assert "flows" not in found, f"{path} imports flows: only the CLI may start flows"


def test_schemas_do_not_import_the_engine() -> None:
    for path in (REPO / "schemas").rglob("*.py"):
        assert not _imports(path) & {"winnow", "flows", "prefect"}, path
