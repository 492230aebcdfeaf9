"""Learned boilerplate: short lines that recur verbatim across many distinct documents of one source.

No rule names them, yet a line that twenty different articles of one site all carry ("Sign up for
the Morning Brief", a staff bio, a disclaimer) is the site's, not the article's.

- Source: where a document comes from. The URL's host when the document carries a URL (HTML,
  JSON), else its first folder under raw/ (people sort scrapes by site), else the raw/ root.
- Distinct documents: counted by an article *fingerprint* (the hash of the document's long prose
  lines), never by file: five copies of one article, even wrapped in different page chrome, are
  one document, so an article's own sentences are never learned from its copies.
- Counts: observations (source, line, fingerprint) live in the warehouse (table
  learned_line_docs, migration 003) so learning carries across runs; a batch adds its own
  observations to what the warehouse knew when the run started. Most lines only one article
  ever carries: those are kept as sorted 64-bit keys (8 bytes a line, in a numpy array), the rest
  as counts, so the state the flow hands each batch stays small (it had grown to 1.3 million
  dictionary entries, pickled for every batch, at 100,000 articles).
- A line is removed (category `learned`) once `learned_min_documents` distinct documents of the
  source carry it. `winnow rules candidates` lists such lines for promotion into a rule pack.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import polars as pl

from winnow.clean.keysets import KeyCounts, KeySet
from winnow.clean.matcher import matcher
from winnow.clean.rules import Rule, normalise_line
from winnow.extract.words import count_words
from winnow.records import Document, Segment

FINGERPRINT_MIN_WORDS = 12  # lines this long are article prose: they identify the article
HEADER_LINES = 4  # a plain article's first lines (title, byline, date, read time) are never learned


def source_key(doc: Document) -> str:
    """The source a document's boilerplate is learned for (see the module docstring)."""
    if doc.url:
        host = urlsplit(doc.url if "//" in doc.url else f"//{doc.url}").hostname or ""
        host = host.removeprefix("www.")
        if host:
            return host
    folder, sep, _ = doc.source_path.partition("/")
    return f"{folder}/" if sep else "."


def line_hash(folded: str) -> str:
    return hashlib.sha256(folded.encode()).hexdigest()[:16]


def fingerprint(lines: Sequence[str]) -> str:
    """The article's identity: its long lines, in order. Falls back to every line for short texts."""
    return _fingerprint([(normalise_line(x), count_words(x)) for x in lines if x.strip()])


def _fingerprint(folded: Sequence[tuple[str, int]]) -> str:
    """fingerprint() over (normalised line, word count) pairs of the non-blank lines."""
    prose = [f for f, n in folded if n >= FINGERPRINT_MIN_WORDS]
    basis = prose or [f for f, _ in folded]
    return hashlib.sha256("\n".join(basis).encode()).hexdigest()[:16]


def candidates(lines: Sequence[str], max_words: int) -> dict[str, str]:
    """line hash -> text, for the lines that may be learned (short, with at least one word)."""
    return _read(list(enumerate(lines)), max_words)[1]


def _read(
    lines: Sequence[tuple[int, str]], max_words: int
) -> tuple[str, dict[str, str], list[tuple[int, str]]]:
    """One pass over a document's (index, line) pairs: its fingerprint, its candidates (hash ->
    text) and the (index, hash) of each candidate line, in order."""
    folded: list[tuple[str, int]] = []
    cands: dict[str, str] = {}
    where: list[tuple[int, str]] = []
    for i, line in lines:
        if not line.strip():
            continue
        f = normalise_line(line)
        n = count_words(line)
        folded.append((f, n))
        if f and 0 < n <= max_words:
            lhash = line_hash(f)
            cands.setdefault(lhash, line.strip())
            where.append((i, lhash))
    return _fingerprint(folded), cands, where


def pair_key(source: str, lhash: str) -> int:
    """A 64-bit key for (source, line hash) (or (source, fingerprint)); collisions are negligible at
    any corpus size. pair_key_sql() computes the same key in DuckDB."""
    return int(hashlib.sha256(f"{source}\x00{lhash}".encode()).hexdigest()[:16], 16)


def pair_key_sql(second: str = "line_hash") -> str:
    """pair_key(source, <column>) in DuckDB's SQL, for a fixed column name."""
    return f"('0x' || substr(sha256(source || chr(0) || {second}), 1, 16))::UBIGINT"


PAIR_KEY_SQL = pair_key_sql()
FINGERPRINT_KEY_SQL = pair_key_sql("fingerprint")  # the key of (source, fingerprint)


_OBSERVED = {"source": pl.String, "line_hash": pl.String, "fingerprint": pl.String}


def _keys(pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    return np.fromiter((pair_key(s, h) for s, h in pairs), dtype=np.uint64, count=len(pairs))


@dataclass
class LearnedState:
    """What the warehouse knows, as 64-bit keys of (source, line) and (source, fingerprint): per line
    the number of distinct articles carrying it (counts for lines two or more carry, a key set for
    lines exactly one carries), and the fingerprints already counted. Flat arrays that later
    absorb() calls replace, never change: copy() is free and a batch's copy pickles as a memcpy."""

    counts: KeyCounts = field(default_factory=KeyCounts)
    singles: KeySet = field(default_factory=KeySet)
    fingerprints: KeySet = field(default_factory=KeySet)

    @classmethod
    def from_rows(
        cls,
        counts: Iterable[tuple[str, str, int]],
        fingerprints: Iterable[tuple[str, str]] = (),
        singles: Sequence[tuple[str, str]] = (),
        single_keys: np.ndarray | None = None,
        fingerprint_keys: np.ndarray | None = None,
    ) -> LearnedState:
        """`singles` and `fingerprints` as (source, hash) pairs, or already as keys (`*_keys`)."""
        rows = [(s, h, int(n)) for s, h, n in counts if int(n) >= 2]
        keys = _keys([(s, h) for s, h, _ in rows])
        fps = _keys(list(fingerprints)) if fingerprint_keys is None else fingerprint_keys
        return cls(
            KeyCounts.of(keys, np.array([n for _, _, n in rows], dtype=np.uint32)),
            KeySet.of(_keys(singles) if single_keys is None else single_keys),
            KeySet.of(fps),
        )

    def _prior_keys(self, keys: np.ndarray) -> np.ndarray:
        counted = self.counts.get(keys)
        return np.where(counted > 0, counted, self.singles.contains(keys).astype(np.uint32))

    def prior(self, pairs: Sequence[tuple[str, str]]) -> list[int]:
        """Distinct articles counted so far for each (source, line hash)."""
        if not pairs:
            return []
        return [int(n) for n in self._prior_keys(_keys(pairs))]

    def count(self, source: str, lhash: str) -> int:
        return self.prior([(source, lhash)])[0]

    def absorb(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """absorb_frame() over (source, line hash, fingerprint) tuples."""
        self.absorb_frame(pl.DataFrame(list(rows), schema=_OBSERVED, orient="row"))

    def absorb_frame(self, observations: pl.DataFrame) -> None:
        """Add a loaded batch's observations (source, line_hash, fingerprint) so the run's later
        batches count them. An article counted already (a copy that an earlier batch, processed at
        the same time, carried too) does not count again: the warehouse keeps one row per (source,
        line, article) as well. Grouped in polars: the writer does this for every batch."""
        rows = observations.select(*_OBSERVED).unique()
        fps = rows.select("source", "fingerprint").unique()
        fp_keys = _keys(list(fps.iter_rows()))
        fresh_mask = ~self.fingerprints.contains(fp_keys)
        if not fresh_mask.any():
            return
        added = (
            rows.join(fps.filter(pl.Series(fresh_mask)), on=["source", "fingerprint"], how="semi")
            .group_by("source", "line_hash")
            .agg(pl.len().alias("n"))
        )
        keys = _keys(list(added.select("source", "line_hash").iter_rows()))
        totals = self._prior_keys(keys) + added["n"].to_numpy().astype(np.uint32)
        many = totals >= 2  # a key left in `singles` is shadowed by its count
        self.counts = self.counts.with_counts(keys[many], totals[many])
        self.singles = self.singles.with_keys(keys[~many])
        self.fingerprints = self.fingerprints.with_keys(fp_keys[fresh_mask])

    def copy(self) -> LearnedState:
        """A copy that later absorb() calls on this state leave alone (they replace the arrays)."""
        return LearnedState(self.counts, self.singles, self.fingerprints)

    def prefetch(self, pairs: Sequence[tuple[str, str]], fingerprints: Sequence[tuple[str, str]]) -> None:
        """Told the (source, line hash) and (source, fingerprint) pairs a batch is about to ask
        about; this state holds everything already. (winnow.store.learned_reader reads only what
        it is told, for a run with one small batch.)"""

    def known(self, source: str, fp: str) -> bool:
        return bool(self.fingerprints.contains(_keys([(source, fp)]))[0])


def learn_and_remove(
    docs: Sequence[Document],
    state: LearnedState | None,
    min_documents: int,
    max_words: int,
    rules: Sequence[Rule] = (),
) -> list[dict[str, Any]]:
    """Count this batch's lines with the warehouse's counts; mark lines over the threshold as
    removed (Segment category `learned`) on each document. Returns the batch's new observations
    (rows for learned_line_docs)."""
    state = state or LearnedState()
    named = matcher(rules)
    unnamed: dict[str, bool] = {}
    per_doc: list[tuple[Document, str, str, dict[str, str], list[tuple[int, str]]]] = []
    batch: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for doc in docs:
        if doc.rejected or not doc.lines:
            continue
        source = source_key(doc)
        taken = {s.position - 1 for s in doc.removed}
        fp, cands, where = _read([(i, x) for i, x in enumerate(doc.lines) if i not in taken], max_words)
        per_doc.append((doc, source, fp, cands, where))
    pairs = list({(source, lhash) for _, source, _, cands, _ in per_doc for lhash in cands})
    state.prefetch(pairs, [(source, fp) for _, source, fp, _, _ in per_doc])
    for _, source, fp, cands, _ in per_doc:
        if not state.known(source, fp):  # an article counted before does not count again
            for lhash in cands:
                batch[source][lhash].add(fp)
    observations: list[dict[str, Any]] = []
    before = dict(zip(pairs, state.prior(pairs), strict=True))
    for doc, source, fp, cands, where in per_doc:
        learned = {
            lhash for lhash in cands if before[(source, lhash)] + len(batch[source][lhash]) >= min_documents
        }
        if learned:
            # title, byline and date lines recur too (a prolific author): not boilerplate
            taken = {s.position - 1 for s in doc.removed}
            header = set() if doc.header_found else set(_first_lines(doc.lines, taken, HEADER_LINES))
            for i, lhash in where:
                if lhash in learned and i not in header:
                    line = doc.lines[i]
                    if line not in unnamed:  # learned lines recur: each is tried against the rules once
                        unnamed[line] = named.first(line, normalise_line(line)) is None
                    if unnamed[line]:
                        doc.removed.append(Segment(i + 1, line.strip(), "learned", "learned"))
        if not state.known(source, fp):
            observations.extend(
                {"source": source, "line_hash": lhash, "fingerprint": fp, "text": text}
                for lhash, text in cands.items()
            )
    return observations


def _first_lines(lines: Sequence[str], taken: set[int], n: int) -> list[int]:
    """Indices of the first n non-blank lines not already taken."""
    out: list[int] = []
    for i, line in enumerate(lines):
        if len(out) == n:
            break
        if i not in taken and line.strip():
            out.append(i)
    return out
