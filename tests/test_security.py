"""Security audits of the code itself: SQL text never carries a value, and the engine has no way
to reach the network (the flow-level proof is the socket guard in test_hostile_input.py)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("winnow", "flows", "schemas")
SQL_METHODS = {"execute", "executemany", "sql", "query", "fetchall", "fetchone"}
# The only interpolations allowed in SQL text, each reviewed: fixed column-name lists built from
# constants and strings of "?" parameter marks. (`winnow export --where` is not among them: DuckDB
# parses it as one expression, a filter on the articles relation, never spliced into SQL text.)
ALLOWED_NAMES = {
    ("winnow/store/loader.py", "cols"),  # the frame's columns, which the column declaration fixes
    ("winnow/cli/rejects.py", "_COLUMNS"),
    ("winnow/cli/show.py", "', '.join(ARTICLE_STORED)"),  # winnow.schemas.columns
    ("winnow/store/search.py", "marks"),  # "?, ?, ?": parameters, one per id
    ("winnow/store/loader.py", "table"),  # the staged insert: fixed table and column names
    ("winnow/store/loader.py", "values"),
    ("winnow/store/loader.py", "source"),
    ("winnow/store/loader.py", "_RUN_COLUMNS"),  # the runs columns of winnow.schemas.columns
    ("winnow/store/loader.py", "_RUN_MARKS"),  # one "?" per column
    ("winnow/store/loader.py", "self.memory_limit"),  # checked against a size pattern first
    ("winnow/store/loader.py", "PAIR_KEY_SQL"),  # a constant expression (winnow/clean/learned.py), no value
    ("winnow/store/loader.py", "FINGERPRINT_KEY_SQL"),  # likewise
}


def _sql_calls() -> list[tuple[str, int, ast.expr]]:
    calls = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            rel = str(path.relative_to(REPO))
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in SQL_METHODS
                    and node.args
                ):
                    calls.append((rel, node.lineno, node.args[0]))
    return calls


def _problems(rel: str, arg: ast.expr) -> list[str]:
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return []
    if isinstance(arg, ast.JoinedStr):
        out = []
        for part in arg.values:
            if isinstance(part, ast.FormattedValue):
                name = part.value.id if isinstance(part.value, ast.Name) else ast.unparse(part.value)
                if (rel, name) not in ALLOWED_NAMES:
                    out.append(f"f-string interpolates {name}")
        return out
    if isinstance(arg, ast.Name):
        return []  # a variable holding SQL: must itself be checked where it is built (see below)
    return [f"SQL built by {type(arg).__name__}: {ast.unparse(arg)[:80]}"]


def test_sql_text_never_carries_a_value() -> None:
    calls = _sql_calls()
    assert len(calls) > 20  # the audit sees the code it audits
    problems = [f"{rel}:{line}: {p}" for rel, line, arg in calls for p in _problems(rel, arg)]
    assert problems == []


SQL_WORDS = ("SELECT ", "INSERT ", "DELETE ", "UPDATE ", "CREATE ", "DROP ")


def _formatted_sql(node: ast.AST) -> str | None:
    """The template of a %-format or .format() call whose template reads as SQL."""
    template = None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        template = node.left
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        template = node.func.value
    if isinstance(template, ast.Constant) and isinstance(template.value, str):
        text = template.value.upper()
        return template.value if any(word in text for word in SQL_WORDS) else None
    return None


def test_no_sql_is_built_by_formatting() -> None:
    """SQL passed by name (migration files, the accounting queries) is a constant or a shipped file,
    never a %-format or .format() of a template."""
    found = [
        f"{path}:{node.lineno}"
        for package in PACKAGES
        for path in sorted((REPO / package).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if _formatted_sql(node)
    ]
    assert found == []


NETWORK_MODULES = {"requests", "httpx", "urllib.request", "http.client", "aiohttp", "urllib3", "ftplib"}
# socket is allowed for gethostname() (the writer lock records the host); nothing that connects.
NETWORK_CALLS = {"socket", "create_connection", "getaddrinfo", "connect", "create_server", "socketpair"}


def test_the_engine_has_no_network_client() -> None:
    for path in sorted((REPO / "winnow").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
                assert not (node.module == "socket" and {a.name for a in node.names} & NETWORK_CALLS), path
            for name in names:
                assert name not in NETWORK_MODULES, f"{path}: imports {name}"
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "socket"
            ):
                assert node.attr not in NETWORK_CALLS, f"{path}:{node.lineno}: socket.{node.attr}"
