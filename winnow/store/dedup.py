"""Duplicate detection, the per-document part: exact copies by content hash, near-duplicates by a
MinHash signature of the clean body's word shingles. The warehouse side (LSH lookup, clusters) is
winnow.neardup; this module is pure CPU work and runs in the batch workers.

Signatures: the body is lower-cased and split into words (runs of letters, digits and marks;
Chinese, Japanese, Korean, Thai, Lao, Khmer and Burmese characters one word each, since those
scripts are written without spaces); every run of `shingle_size` consecutive words is one shingle;
the signature is rensa's R-MinHash over the shingles' 64-bit hashes (`num_perm` 32-bit values), and
the number of distinct shingles goes with it, so the share of the shorter body found in the longer
can be estimated from two signatures without reading either body again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import polars as pl
import rensa

from winnow.schemas.columns import SIGNATURE_FRAME
from winnow.settings import Settings

_SCRIPTS = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
WORD = rf"[{_SCRIPTS}]|[\p{{L}}\p{{N}}\p{{M}}--[{_SCRIPTS}]]+"
_PLAIN = r"[\p{L}\p{N}\p{M}]+"
_UNSPACED = rf"[{_SCRIPTS}]"
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@dataclass(frozen=True)
class Scheme:
    """What a stored signature means. Signatures made under another scheme cannot be compared, so a
    change of any field (or of rensa's algorithm) re-signs the warehouse (winnow.store.neardup)."""

    shingle_size: int = 5
    num_perm: int = 128
    seed: int = 0

    @property
    def key(self) -> str:
        algorithm = f"rensa-rminhash-v{rensa.RMinHash.ALGORITHM_VERSION}"
        return f"{algorithm}/k{self.shingle_size}/p{self.num_perm}/s{self.seed}"


def scheme_from(settings: Settings) -> Scheme:
    """The signature scheme the settings ask for (near_dup_shingle_size, near_dup_num_perm)."""
    return Scheme(settings.near_dup_shingle_size, settings.near_dup_num_perm)


def content_hash(body: str) -> str:
    """Hash of the body with case and spacing folded: the key for exact-duplicate detection."""
    # str.split() and the regex \s agree on what whitespace is; split is several times faster
    return hashlib.sha256(" ".join(body.split()).casefold().encode()).hexdigest()


def split_duplicates(articles: pl.DataFrame, known: dict[str, str]) -> tuple[pl.DataFrame, dict[str, str]]:
    """Return (first copies, {duplicate doc_id: original doc_id}). `known` (hash -> doc_id) grows.

    A document is never a duplicate of itself: a changed file keeps its own identity.
    """
    keep: list[bool] = []
    duplicates: dict[str, str] = {}
    for doc_id, digest in zip(articles["doc_id"].to_list(), articles["content_hash"].to_list(), strict=True):
        original = known.get(digest)
        if original is not None and original != doc_id:
            duplicates[doc_id] = original
            keep.append(False)
        else:
            known[digest] = doc_id
            keep.append(True)
    return articles.filter(pl.Series(keep, dtype=pl.Boolean)), duplicates


def mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser (uint64, element-wise): every input bit moves every output bit."""
    x = x ^ (x >> np.uint64(30))
    x = x * _MIX1
    x = x ^ (x >> np.uint64(27))
    x = x * _MIX2
    return x ^ (x >> np.uint64(31))


def words(bodies: list[str]) -> pl.Series:
    """Each body's words (a list per body), lower-cased."""
    lower = pl.Series(bodies, dtype=pl.String).str.to_lowercase()
    unspaced = lower.str.contains(_UNSPACED).fill_null(False)
    if not unspaced.any():  # most bodies: the cheaper pattern
        return lower.str.extract_all(_PLAIN).fill_null([])
    mask = unspaced.to_numpy()
    spaced_at, unspaced_at = np.flatnonzero(~mask), np.flatnonzero(mask)
    parts = pl.concat(
        [
            lower.gather(spaced_at).str.extract_all(_PLAIN),
            lower.gather(unspaced_at).str.extract_all(WORD),
        ]
    ).fill_null([])
    return parts.gather(np.argsort(np.concatenate([spaced_at, unspaced_at]), kind="stable"))


def shingle_hashes(bodies: list[str], size: int) -> tuple[np.ndarray, np.ndarray]:
    """All documents' shingle hashes in one flat uint64 array, and each document's count of them.

    A body shorter than `size` words is one shingle of all its words; one without words has none.
    """
    tokens = words(bodies)
    lengths = tokens.list.len().to_numpy().astype(np.int64)
    # rensa's token hash (FxHash: the same in every process, unlike Python's hash())
    flat = np.array(
        rensa.RMinHash.hash_token_sets([tokens.explode().drop_nulls().to_list()])[0], dtype=np.uint64
    )
    counts = np.where(lengths >= size, lengths - size + 1, np.minimum(lengths, 1))
    if not flat.size:
        return np.zeros(0, dtype=np.uint64), counts
    firsts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    # Every run of `size` words in the flat array (slices, no copies), then the runs that stay
    # inside one body; a body shorter than `size` is one shingle of all its words.
    pad = np.concatenate([flat, np.zeros(size, dtype=np.uint64)])
    acc = pad[: flat.size].copy()
    with np.errstate(over="ignore"):
        for j in range(1, size):
            acc *= GOLDEN
            acc += pad[j : j + flat.size]
        short = np.flatnonzero((lengths > 0) & (lengths < size))
        for d in short:  # rare: a body of fewer than `size` words
            h = np.uint64(0)
            for t in flat[firsts[d] : firsts[d] + lengths[d]]:
                h = h * GOLDEN + t
            acc[firsts[d]] = h
    total = int(counts.sum())
    starts = np.repeat(firsts, counts) + (np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts))
    return mix(acc[starts]), counts


def _distinct_counts(hashes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Distinct shingles per document: sort (document, low 40 bits of the hash) keys once; two
    shingles of one document that share 40 bits are counted once (about 1 in 10^9 for 1,000 shingles)."""
    doc = np.repeat(np.arange(counts.size, dtype=np.uint64), counts)
    key = np.sort((doc << np.uint64(40)) | (hashes & np.uint64((1 << 40) - 1)))
    first = np.ones(key.size, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    return np.bincount((key[first] >> np.uint64(40)).astype(np.int64), minlength=counts.size)


def minhashes(bodies: list[str], scheme: Scheme) -> tuple[np.ndarray, np.ndarray]:
    """(signatures as an (n, num_perm) uint32 array, distinct shingles per body). A body with no
    words has 0 shingles and a signature that matches nothing but other empty ones."""
    hashes, counts = shingle_hashes(bodies, scheme.shingle_size)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.uint64)
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
        hashes, offsets, scheme.num_perm, scheme.seed
    )
    signatures = np.asarray(matrix.to_rows(), dtype=np.uint32).reshape(len(bodies), scheme.num_perm)
    distinct = _distinct_counts(hashes, counts) if hashes.size else np.zeros(len(bodies), dtype=np.int64)
    return signatures, distinct


def sign(doc_ids: list[str], bodies: list[str], scheme: Scheme) -> pl.DataFrame:
    """(doc_id, shingles, minhash) rows for the bodies that have words; minhash is the signature's
    num_perm values as little-endian uint32 bytes."""
    if not bodies:
        return pl.DataFrame(schema=SIGNATURE_FRAME)
    signatures, distinct = minhashes(bodies, scheme)
    keep = distinct > 0
    raw = signatures.astype("<u4")
    return pl.DataFrame(
        {
            "doc_id": [d for d, k in zip(doc_ids, keep, strict=True) if k],
            "shingles": distinct[keep].astype(np.int32),
            "minhash": [row.tobytes() for row in raw[keep]],
        },
        schema=SIGNATURE_FRAME,
    )
