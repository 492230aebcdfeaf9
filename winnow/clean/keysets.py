"""Sets and counts of 64-bit keys that grow by batches and are copied for free.

The learned-boilerplate state (winnow.clean.learned) goes with every batch the flow submits, so a
copy must cost nothing and pickle as a few flat arrays: a dict or set of a million strings was
copied and pickled per batch, work in the single writer that grew with the corpus. Both types are
immutable: `with_keys` / `with_counts` return a new value that shares the old arrays.

Each holds sorted runs (log-structured): a batch's keys are one small run, and runs of like size
are merged, so adding n keys in batches costs O(n log n) in all and a lookup tries a few runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _in_sorted(run: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(found, index): which of `keys` the sorted `run` holds, and where."""
    if not run.size or not keys.size:
        return np.zeros(keys.size, dtype=bool), np.zeros(keys.size, dtype=np.intp)
    at = np.minimum(np.searchsorted(run, keys), run.size - 1)
    return run[at] == keys, at


@dataclass(frozen=True)
class KeySet:
    """A set of uint64 keys."""

    runs: tuple[np.ndarray, ...] = ()

    @classmethod
    def of(cls, keys: np.ndarray) -> KeySet:
        keys = np.unique(np.asarray(keys, dtype=np.uint64))
        return cls((keys,) if keys.size else ())

    @property
    def size(self) -> int:
        """Keys held (a key added twice, in two runs, counts twice until the runs merge)."""
        return sum(r.size for r in self.runs)

    def contains(self, keys: np.ndarray) -> np.ndarray:
        found = np.zeros(keys.size, dtype=bool)
        for run in self.runs:
            found |= _in_sorted(run, keys)[0]
        return found

    def with_keys(self, keys: np.ndarray) -> KeySet:
        fresh = np.unique(np.asarray(keys, dtype=np.uint64))
        fresh = fresh[~self.contains(fresh)]
        if not fresh.size:
            return self
        runs = list(self.runs)
        # merge while the newest run is at least half the one before: O(log n) runs
        while runs and runs[-1].size <= 2 * fresh.size:
            fresh = np.union1d(runs.pop(), fresh)
        return KeySet((*runs, fresh))


@dataclass(frozen=True)
class KeyCounts:
    """uint64 key -> count; a later run's count of a key replaces an earlier one's."""

    runs: tuple[tuple[np.ndarray, np.ndarray], ...] = ()

    @classmethod
    def of(cls, keys: np.ndarray, counts: np.ndarray) -> KeyCounts:
        return cls().with_counts(np.asarray(keys, dtype=np.uint64), np.asarray(counts, dtype=np.uint32))

    @property
    def size(self) -> int:
        return sum(k.size for k, _ in self.runs)

    def get(self, keys: np.ndarray) -> np.ndarray:
        """Each key's count (0 when absent), newest run first."""
        out = np.zeros(keys.size, dtype=np.uint32)
        todo = np.ones(keys.size, dtype=bool)
        for run_keys, run_counts in reversed(self.runs):
            found, at = _in_sorted(run_keys, keys)
            hit = found & todo
            out[hit] = run_counts[at[hit]]
            todo &= ~found
        return out

    def with_counts(self, keys: np.ndarray, counts: np.ndarray) -> KeyCounts:
        """These keys now have these counts (each key once)."""
        if not keys.size:
            return self
        order = np.argsort(keys, kind="stable")
        fresh = (keys[order].astype(np.uint64), counts[order].astype(np.uint32))
        runs = list(self.runs)
        while runs and runs[-1][0].size <= 2 * fresh[0].size:
            fresh = _merge(runs.pop(), fresh)
        return KeyCounts((*runs, fresh))


def _merge(
    old: tuple[np.ndarray, np.ndarray], new: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted runs as one; where both hold a key, the newer count wins."""
    keys = np.concatenate([new[0], old[0]])  # newer first: np.unique keeps the first occurrence
    counts = np.concatenate([new[1], old[1]])
    order = np.argsort(keys, kind="stable")
    keys, counts = keys[order], counts[order]
    first = np.ones(keys.size, dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    return keys[first], counts[first]
