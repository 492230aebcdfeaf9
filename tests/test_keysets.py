"""The learned state's key sets and counts agree with a plain set and dict, batch after batch."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from winnow.clean.keysets import KeyCounts, KeySet

batches = st.lists(st.lists(st.integers(0, 60), max_size=25), max_size=12)


@given(batches)
@settings(max_examples=200, deadline=None)
def test_keyset_is_a_set(adds: list[list[int]]) -> None:
    keys, plain = KeySet(), set()
    for batch in adds:
        before = keys
        keys = keys.with_keys(np.array(batch, dtype=np.uint64))
        plain |= set(batch)
        assert before.size <= keys.size  # a new value: the old one is left as it was
    probe = np.arange(70, dtype=np.uint64)
    assert keys.contains(probe).tolist() == [int(k) in plain for k in probe]
    assert keys.size == len(plain)  # a key already held is not added again
    assert len(keys.runs) <= max(1, len(plain)).bit_length() + 1


@given(st.lists(st.dictionaries(st.integers(0, 60), st.integers(1, 9), max_size=25), max_size=12))
@settings(max_examples=200, deadline=None)
def test_keycounts_is_a_dict_where_the_last_count_wins(updates: list[dict[int, int]]) -> None:
    counts, plain = KeyCounts(), {}
    snapshots = []
    for update in updates:
        snapshots.append((counts, dict(plain)))
        counts = counts.with_counts(
            np.array(list(update), dtype=np.uint64), np.array(list(update.values()), dtype=np.uint32)
        )
        plain.update(update)
    probe = np.arange(70, dtype=np.uint64)
    assert counts.get(probe).tolist() == [plain.get(int(k), 0) for k in probe]
    for old, expected in snapshots:  # earlier values are untouched by later updates
        assert old.get(probe).tolist() == [expected.get(int(k), 0) for k in probe]
