"""Further CLI commands, each in a module of its own that registers on winnow.cli.app."""
