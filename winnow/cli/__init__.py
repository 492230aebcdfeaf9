"""The `winnow` command line (winnow.cli.main). Loading it first sets this process's allocators up
to give freed memory back (winnow.memory.configure_allocators): before polars loads, and before
any of the flow's threads start."""

from winnow.memory import configure_allocators

configure_allocators()
