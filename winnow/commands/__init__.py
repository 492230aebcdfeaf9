"""Further CLI commands, each in a module of its own that registers on winnow.cli.app."""

# Registration happens on import.
from winnow.commands import check, export, rejects, rules, search, serve, show, status, watch  # noqa: F401
from winnow.commands import eval as eval_command  # noqa: F401 - `winnow eval`
