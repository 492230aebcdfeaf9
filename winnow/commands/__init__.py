"""Further CLI commands, each in a module of its own that registers on winnow.cli.app."""

from winnow.commands import serve, watch  # noqa: F401 - registration happens on import
from winnow.commands import export, rejects, search, show, status  # noqa: F401,I001 - the same
