"""The warehouse's learned-boilerplate counts, read for the lines a run asks about only.

Loader.learned_state() reads the whole of learned_line_docs into a LearnedState (three
aggregations over every row ever observed: 0.2-0.4 s at 6,000 articles, growing with the
warehouse). A run that finds one new file asks about that file's few dozen lines. For such a run
(one batch, processed in the writer's own process) the flow uses WarehouseLearned instead: the
same state, filled from the warehouse for exactly the pairs each call is about, the first time
they are asked about, then kept and updated in memory as LearnedState is. What the run itself
observes is staged, not inserted, until the run finishes, so a pair read mid-run reads what the
run started with, as the full read does; tests/test_learned.py holds the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import numpy as np
import polars as pl

from winnow.clean.learned import LearnedState, pair_key
from winnow.store.scan import execute, python_tables

_PAIRS = {"source": pl.String, "second": pl.String}


def _keys(pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    return np.fromiter((pair_key(s, h) for s, h in pairs), dtype=np.uint64, count=len(pairs))


class WarehouseLearned(LearnedState):
    """A LearnedState that reads from the warehouse's learned_line_docs what it is asked about,
    once per pair. One process and one thread only (it holds the run's connection)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        super().__init__()
        self._con = con
        self._lines: set[tuple[str, str]] = set()  # (source, line hash) read already
        self._articles: set[tuple[str, str]] = set()  # (source, fingerprint) read already

    def prefetch(self, pairs: Sequence[tuple[str, str]], fingerprints: Sequence[tuple[str, str]]) -> None:
        lines = sorted(set(pairs) - self._lines)
        articles = sorted(set(fingerprints) - self._articles)
        if lines:
            rows = self._joined(
                "SELECT l.source, l.line_hash, count(DISTINCT l.fingerprint) FROM learned_line_docs l "
                "JOIN _learned_want w ON l.source = w.source AND l.line_hash = w.second GROUP BY ALL",
                lines,
            )
            many = [(s, h, n) for s, h, n in rows if n >= 2]
            if many:
                self.counts = self.counts.with_counts(
                    _keys([(s, h) for s, h, _ in many]), np.array([n for _, _, n in many], dtype=np.uint32)
                )
            self.singles = self.singles.with_keys(_keys([(s, h) for s, h, n in rows if n == 1]))
            self._lines.update(lines)
        if articles:
            found = self._joined(
                "SELECT DISTINCT l.source, l.fingerprint FROM learned_line_docs l "
                "JOIN _learned_want w ON l.source = w.source AND l.fingerprint = w.second",
                articles,
            )
            self.fingerprints = self.fingerprints.with_keys(_keys([(s, f) for s, f in found]))
            self._articles.update(articles)

    def _joined(self, query: str, wanted: list[tuple[str, str]]) -> list[tuple[Any, ...]]:
        """The rows of `query`, which joins learned_line_docs with the pairs wanted (_learned_want)."""
        frame = pl.DataFrame(wanted, schema=_PAIRS, orient="row")
        with python_tables(_learned_want=frame.to_arrow()):
            return execute(self._con, query).fetchall()

    def prior(self, pairs: Sequence[tuple[str, str]]) -> list[int]:
        self.prefetch(pairs, ())
        return super().prior(pairs)

    def known(self, source: str, fp: str) -> bool:
        self.prefetch((), [(source, fp)])
        return super().known(source, fp)

    def absorb_frame(self, observations: pl.DataFrame) -> None:
        rows = observations.select("source", "line_hash", "fingerprint").unique()
        self.prefetch(
            list(rows.select("source", "line_hash").unique().iter_rows()),
            list(rows.select("source", "fingerprint").unique().iter_rows()),
        )
        super().absorb_frame(observations)

    def copy(self) -> LearnedState:
        raise TypeError("WarehouseLearned is read in the writer's process only; copy Loader.learned_state()")
