"""Search syntax: every word required, "quoted phrases" (adjacent, in order), OR between
alternatives, -word / -"phrase" / NOT to leave out; and/or/not are operators, never words."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.search_helpers import article_row, load_rows
from winnow.store.search import query_terms
from winnow.store.search_query import parse

WINNOW = str(Path(sys.executable).with_name("winnow"))


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    wh = tmp_path / "w.duckdb"
    load_rows(
        wh,
        [
            article_row("grid.txt", "Heatwave", "The power grids of Europe strain under the heat."),
            article_row("reverse.txt", "Grids", "Grids need power; the heatwave goes on in Spain."),
            article_row("rail.txt", "Rail strike", "Trains stop as the rail strike spreads to Spain."),
            article_row("french.txt", "Retraites", "La réforme des retraites relancée par le gouvernement."),
        ],
    )
    return wh


def found(warehouse: Path, query: str) -> list[str]:
    done = subprocess.run(
        [WINNOW, "search", "-f", "jsonl", "-n", "50", "-w", str(warehouse), "--", query],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return sorted(json.loads(line)["source_path"] for line in done.stdout.splitlines())


def test_parse_operators_are_not_words() -> None:
    q = parse('ukraine AND not kyiv or "security guarantees" -nato', query_terms)
    assert q.terms == ["ukraine", "security", "guarantees"]
    assert q.excluded_terms == ["kyiv", "nato"]
    assert [len(g) for g in q.groups] == [1, 1]  # "or" right after an exclusion joins nothing
    alternatives = parse("heat OR rail strike", query_terms)
    assert [[c.terms for c in g] for g in alternatives.groups] == [[("heat",), ("rail",)], [("strike",)]]
    assert parse('"not"', query_terms).terms == ["not"]  # quoted, an operator is a word


def test_search_syntax_through_the_command(warehouse: Path) -> None:
    assert found(warehouse, "power grids") == ["grid.txt", "reverse.txt"]  # all words, any order
    assert found(warehouse, '"power grids"') == ["grid.txt"]  # the phrase, in order
    assert found(warehouse, '"grids power"') == []
    assert found(warehouse, "heatwave -spain") == ["grid.txt"]
    assert found(warehouse, 'heatwave -"power grids"') == ["reverse.txt"]
    assert found(warehouse, "heatwave NOT spain") == ["grid.txt"]
    assert found(warehouse, "heatwave OR strike") == ["grid.txt", "rail.txt", "reverse.txt"]
    assert found(warehouse, "spain and not heatwave") == ["rail.txt"]
    assert found(warehouse, '"reforme des retraites"') == ["french.txt"]  # folded like the index
    assert found(warehouse, "-spain") == []  # nothing to look for
