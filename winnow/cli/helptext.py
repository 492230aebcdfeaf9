"""Help text as people read it: no `<bool>`/`<str>` type tags, a metavar saying what a value is,
defaults shown, and docstrings read as paragraphs (not broken where the source wraps its lines).

Applied once to the assembled click command tree, so each command module writes plain help.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

_DEFAULT_IN_HELP = re.compile(r"\s*\[default: ([^\]]*)\]")
# Metavars by option name where the type alone says too little; the rest by type.
_METAVARS = {
    "raw": "DIR",
    "warehouse": "FILE",
    "dask_address": "ADDRESS",
    "workers": "N",
    "limit": "N",
    "runs": "N",
    "min_docs": "N",
    "run": "RUN_ID",
    "where": "SQL",
    "param": "NAME=VALUE",
    "file": "FILE",
    "cron": "CRON",
    "interval": "EVERY",
    "timezone": "ZONE",
    "debounce": "SECONDS",
    "since": "YYYY-MM-DD",
    "until": "YYYY-MM-DD",
    "out": "DIR",
}
_TYPE_METAVARS = {"int": "N", "float": "NUMBER", "str": "TEXT", "Path": "PATH", "datetime": "DATE"}


def paragraphs(text: str | None) -> str | None:
    """Join lines wrapped inside a paragraph; keep the blank lines between paragraphs."""
    if not text:
        return text
    return "\n\n".join(re.sub(r"\s*\n\s*", " ", p).strip() for p in inspect.cleandoc(text).split("\n\n"))


def _tidy_param(param: Any) -> None:
    if getattr(param, "help", None):
        help_text = paragraphs(param.help) or ""
        found = _DEFAULT_IN_HELP.search(help_text)
        if found:  # "[default: raw/]" in help is rich markup, printed as nothing: show it as the default
            param.show_default = found.group(1)
            help_text = _DEFAULT_IN_HELP.sub("", help_text)
        param.help = help_text
    if param.param_type_name == "argument":
        param.display_type_rich = lambda ctx: None  # the argument's NAME column says what it is
        param.metavar = param.metavar or (param.name or "value").upper()
        return
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        param.metavar = ""
        if param.default is False and not param.secondary_opts:
            param.show_default = False  # "[default: False]" on an on/off flag says nothing
    elif param.metavar is None:
        try:
            type_name = param.bare_type()
        except (AttributeError, TypeError, AssertionError):
            type_name = "str"
        param.metavar = _METAVARS.get(param.name or "", _TYPE_METAVARS.get(type_name, "VALUE"))


def tidy_help(command: Any) -> Any:
    """Tidy `command` and every subcommand under it, in place; returns it."""
    command.help = paragraphs(command.help)
    if getattr(command, "short_help", None):
        command.short_help = paragraphs(command.short_help)
    for param in command.params:
        _tidy_param(param)
    make_help_option = command.get_help_option

    def help_option(ctx: Any) -> Any:
        option = make_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = help_option
    for sub in getattr(command, "commands", {}).values():
        tidy_help(sub)
    return command
