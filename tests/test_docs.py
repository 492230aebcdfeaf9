"""A command nobody can find does not exist: each one has --help text and a README section."""

from __future__ import annotations

import typer

from tests.conftest import REPO
from winnow.cli.main import app


def test_every_command_has_help_and_a_readme_section() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    group = typer.main.get_command(app)
    names = sorted(group.commands)  # type: ignore[attr-defined]
    assert {"ingest", "query", "preview", "search", "show", "status", "rejects", "export"} <= set(names)
    for name in names:
        command = group.commands[name]  # type: ignore[attr-defined]
        assert (command.help or "").strip(), f"`winnow {name}` has no --help text"
        assert f"### `winnow {name}`" in readme, f"`winnow {name}` has no section in README.md"
        # preview reads one file, eval a labelled folder, server manages the Prefect server: none
        # opens the warehouse
        if name not in ("preview", "eval", "server"):
            subcommands = list(getattr(command, "commands", {}).values()) or [command]  # a group: each
            for sub in subcommands:
                if (name, sub.name) == ("rules", "list"):
                    continue  # reads rule packs: no warehouse
                assert any("--warehouse" in p.opts for p in sub.params), f"`winnow {name}` lacks --warehouse"
