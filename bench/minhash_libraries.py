"""datasketch or rensa: the two MinHash libraries on the same documents, the same shingles and the
same signature size. Why winnow signs with rensa (winnow/store/dedup.py).

    pip install -e '.[bench]'        # datasketch is not a dependency of winnow; it is for this comparison
    python bench/minhash_libraries.py [--docs 4000] [--num-perm 128]

Documents: the dev evaluation pages' clean bodies (every rendering, as the pipeline cleans them) when
../shared is present, else bench/search_bench.py's synthetic articles. Both libraries get the same
64-bit shingle hashes (winnow.store.dedup.shingle_hashes), so only the MinHash itself is timed;
datasketch is also timed on its usual input (shingle strings, hashed with SHA-1). Accuracy is the
error of the estimated Jaccard similarity against the exact one over the pairs that share shingles.
Last, each library's own in-memory LSH index: insert every document, then query every document.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from winnow.store.dedup import shingle_hashes

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))


def documents(n: int) -> tuple[list[str], str]:
    shared = ROOT.parent / "shared"
    dirs = [d for d in (shared / "eval", shared / "eval-web") if (d / "truth").is_dir()]
    if dirs:
        from winnow.pairset import rendered

        docs = [d.body for d in rendered(dirs).docs]
        return docs[:n], f"{min(n, len(docs))} clean renderings of the dev evaluation pages"
    import polars as pl
    from search_bench import articles, vocabulary  # noqa: I001 - bench/ is on sys.path

    frame = articles(0, n, pl.Series(vocabulary()), seed=5)
    return frame["body"].to_list(), f"{n} synthetic articles"


def timed(fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=4000)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--shingle", type=int, default=5)
    args = ap.parse_args()
    try:
        import datasketch
    except ImportError:
        sys.exit("datasketch is not installed: pip install -e '.[bench]'")
    import rensa

    bodies, what = documents(args.docs)
    n, perm = len(bodies), args.num_perm
    hashes, counts = shingle_hashes(bodies, args.shingle)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    per_doc = [hashes[offsets[i] : offsets[i + 1]] for i in range(n)]
    print(f"{what}; {counts.mean():.0f} shingles of {args.shingle} words per document; {perm} permutations")
    print(
        f"datasketch {datasketch.__version__ if hasattr(datasketch, '__version__') else '?'}, "
        f"rensa R-MinHash algorithm v{rensa.RMinHash.ALGORITHM_VERSION}\n"
    )

    def ds_prehashed() -> list[np.ndarray]:
        out = []
        for h in per_doc:  # its affine32 scheme takes 32-bit hashes: the low half of ours
            m = datasketch.MinHash(num_perm=perm, seed=1, hashfunc=int)
            m.update_batch((h & np.uint64(0xFFFFFFFF)).tolist())
            out.append(m.hashvalues.copy())
        return out

    def ds_strings() -> int:
        words = [b.lower().split() for b in bodies]
        for w in words:
            m = datasketch.MinHash(num_perm=perm, seed=1)
            m.update_batch(
                [" ".join(w[i : i + args.shingle]).encode() for i in range(max(1, len(w) - args.shingle + 1))]
            )
        return len(words)

    def rensa_matrix() -> np.ndarray:
        matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
            hashes, offsets.astype(np.uint64), perm, 1
        )
        return np.asarray(matrix.to_rows(), dtype=np.uint32)

    t_ds, ds_sigs = timed(ds_prehashed)
    t_dss, _ = timed(ds_strings)
    t_rs, rs_sigs = timed(rensa_matrix)
    print("| signing | ms per document | x rensa |")
    print("|---|---:|---:|")
    for name, t in (
        ("datasketch MinHash.update_batch, SHA-1 of shingle strings (its default)", t_dss),
        ("datasketch MinHash.update_batch, the same shingle hashes", t_ds),
        ("rensa RMinHash.digest_matrix_from_flat_token_hashes, the same hashes", t_rs),
    ):
        print(f"| {name} | {1e3 * t / n:.3f} | {t / t_rs:.1f} |")

    # accuracy on the pairs that share shingles
    owner = defaultdict(list)
    sets = [set(h.tolist()) for h in per_doc]
    for i, s in enumerate(sets):
        for x in s:
            owner[x].append(i)
    pairs = set()
    for ids in owner.values():
        if 1 < len(ids) < 40:
            pairs.update(itertools.combinations(ids, 2))
    pairs_l = sorted(pairs)[:20000]
    exact = np.array([len(sets[a] & sets[b]) / len(sets[a] | sets[b]) for a, b in pairs_l])
    ds_est = np.array([(ds_sigs[a] == ds_sigs[b]).mean() for a, b in pairs_l])
    rs_est = np.array([(rs_sigs[a] == rs_sigs[b]).mean() for a, b in pairs_l])
    print(
        f"\n| Jaccard estimate, {len(pairs_l)} pairs that share shingles | mean abs error | "
        "error, pairs with J >= 0.5 | bias |"
    )
    print("|---|---:|---:|---:|")
    high = exact >= 0.5
    for name, est in (("datasketch", ds_est), ("rensa", rs_est)):
        print(
            f"| {name} | {np.abs(est - exact).mean():.4f} | {np.abs(est - exact)[high].mean():.4f} | "
            f"{(est - exact).mean():+.4f} |"
        )

    # each library's own LSH
    ds_lsh = datasketch.MinHashLSH(threshold=0.5, num_perm=perm)
    ds_objs = [datasketch.LeanMinHash(seed=1, hashvalues=v, scheme="affine32") for v in ds_sigs]
    t_ins, _ = timed(lambda: [ds_lsh.insert(str(i), m) for i, m in enumerate(ds_objs)])
    t_q, _ = timed(lambda: [ds_lsh.query(m) for m in ds_objs])
    rs_objs = rensa.RMinHash.from_token_sets([[str(x) for x in h.tolist()] for h in per_doc], perm, 1)
    rs_lsh = rensa.RMinHashLSH(0.5, perm, 64)
    t_rins, _ = timed(lambda: [rs_lsh.insert(i, m) for i, m in enumerate(rs_objs)])
    t_rq, _ = timed(lambda: [rs_lsh.query(m) for m in rs_objs])
    print(
        "\n| in-memory LSH (winnow uses neither: its index is a DuckDB table) "
        "| insert ms/doc | query ms/doc |"
    )
    print("|---|---:|---:|")
    print(f"| datasketch MinHashLSH | {1e3 * t_ins / n:.3f} | {1e3 * t_q / n:.3f} |")
    print(f"| rensa RMinHashLSH | {1e3 * t_rins / n:.3f} | {1e3 * t_rq / n:.3f} |")


if __name__ == "__main__":
    main()
