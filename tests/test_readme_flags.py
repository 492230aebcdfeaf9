"""Every flag the README documents exists: in its command blocks (`winnow CMD … --flag`), in inline
`winnow CMD --flag` spans, and in each command's own section, every `--flag` must be an option of
that command (or of `winnow` itself). A flag documented for a command that lacks it fails here."""

from __future__ import annotations

import re
from typing import Any

import typer

from tests.conftest import REPO
from winnow.cli.helptext import tidy_help
from winnow.cli.main import app

README = (REPO / "README.md").read_text("utf-8")
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
SECTION = re.compile(r"^### `winnow ([a-z ]+)`", re.M)
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
SPAN = re.compile(r"`([^`\n]+)`")


def commands() -> dict[str, Any]:
    root = tidy_help(typer.main.get_command(app))
    found = {"": root}
    for name, command in root.commands.items():
        found[name] = command
        for sub, inner in getattr(command, "commands", {}).items():
            found[f"{name} {sub}"] = inner
    return found


COMMANDS = commands()


def options(path: str) -> set[str]:
    command = COMMANDS[path]
    opts = {"--help"}
    for param in command.params:
        opts |= {o for o in (*param.opts, *param.secondary_opts) if o.startswith("--")}
    if path:
        opts |= options("")  # winnow's own options go before the command: `winnow -q ingest`
    return opts


def invocations(text: str) -> list[tuple[str, str]]:
    """(command path, the rest of the line) for each `winnow …` in `text`."""
    out = []
    for line in text.splitlines():
        line = line.split(" #")[0]
        # winnow at the start of the line, after a prompt or VAR=value settings (not `pool winnow`)
        for m in re.finditer(r"^\s*(?:\$ )?(?:[A-Z_]+=\S+ )*winnow((?: [a-z]+)*)(.*)", line):
            words = m.group(1).split()
            path = ""
            for word in words:
                candidate = f"{path} {word}".strip()
                if candidate not in COMMANDS:
                    break
                path = candidate
            rest = " ".join(words[len(path.split()) :]) + m.group(2)
            out.append((path, rest))
    return out


def test_every_flag_in_a_command_block_exists() -> None:
    checked = 0
    for lang, block in FENCE.findall(README):
        if lang not in ("", "sh", "bash", "console"):
            continue
        for path, rest in invocations(block):
            for flag in FLAG.findall(rest):
                assert flag in options(path), f"README: `winnow {path} {flag}`: no such option"
                checked += 1
    for span in SPAN.findall(README):
        for path, rest in invocations(span):
            for flag in FLAG.findall(rest):
                assert flag in options(path), f"README: `{span}`: no such option {flag}"
                checked += 1
    assert checked > 40  # the parser found the blocks


def test_every_flag_in_a_command_section_is_that_commands() -> None:
    parts = SECTION.split(README)
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    assert {"ingest", "watch", "serve", "query", "search", "export"} <= set(sections)
    for name, text in sections.items():
        if name not in COMMANDS:
            raise AssertionError(f"README section for `winnow {name}`, which does not exist")
        text = re.split(r"^#{2,3} ", text, flags=re.M)[0]  # up to the next heading
        others = {
            f
            for span in SPAN.findall(text)
            for p, rest in invocations(span)
            if p != name
            for f in FLAG.findall(rest)
        }
        for span in SPAN.findall(text):
            for flag in FLAG.findall(span):
                if flag in others or span.lstrip().startswith(("winnow ", "prefect ", "dask ", "pip ")):
                    continue  # checked against its own command above
                assert flag in options(name) or any(
                    flag in options(c) for c in COMMANDS if c.startswith(name)
                ), f"README's `winnow {name}` section documents {flag}, which `winnow {name}` does not take"


def test_the_checker_catches_a_flag_a_command_lacks() -> None:
    ((path, rest),) = invocations("winnow watch --raw raw/ --workers 4")
    assert path == "watch" and "--workers" in FLAG.findall(rest) and "--workers" not in options("watch")
    assert "--workers" in options("ingest") and "--no-initial-run" in options("watch")


def test_no_table_row_or_paragraph_is_said_twice() -> None:
    """Once the `runs` row was in the tables twice and the settings paragraph repeated itself."""
    prose = FENCE.sub("", README)
    rows = [line.split("|")[1].strip() for line in prose.splitlines() if line.startswith("| `")]
    tables = prose.split("## Tables")[1].split("\n## ")[0]
    names = [line.split("|")[1].strip() for line in tables.splitlines() if line.startswith("| `")]
    assert len(names) == len(set(names)) and len(names) > 10, names
    assert rows  # the tables were found
    paragraphs = [" ".join(p.split()) for p in prose.split("\n\n") if len(p) > 120]
    sentences = [s for p in paragraphs for s in re.split(r"(?<=\.) ", p) if len(s) > 80]
    repeated = {s for s in sentences if sentences.count(s) > 1}
    assert not repeated, repeated
