"""Near-duplicate quality on the labelled pair set (winnow/pairset.py): pair precision and recall of
the clusters for the default settings, or for a grid of them (--grid), on ../shared/eval and
../shared/eval-web as the pipeline cleans them today.

    python bench/neardup_pairs.py [--grid] [--synthetic 300] [--json-out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from winnow.pairset import build, score
from winnow.settings import get_settings
from winnow.store.dedup import Scheme
from winnow.store.neardup import Index, index_from

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def grid() -> list[Index]:
    out = []
    for k in (3, 5, 7):
        for perm, bands in ((128, 64), (128, 32), (256, 128)):
            for t in (0.7, 0.75, 0.8, 0.9):
                out.append(Index(Scheme(k, perm), bands, t))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grid", action="store_true", help="score a grid of settings, not just the defaults")
    ap.add_argument("--synthetic", type=int, default=300, help="generated sentence-sharing articles")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args()
    eval_dirs = [d for d in (SHARED / "eval", SHARED / "eval-web") if d.is_dir()]
    if not eval_dirs:
        sys.exit(f"no evaluation sets under {SHARED}")
    t0 = time.perf_counter()
    pairs = build(eval_dirs, args.synthetic)
    print(
        f"pair set: {len(pairs.docs)} documents built in {time.perf_counter() - t0:.1f}s "
        f"(rejected renderings: {dict(pairs.rejected)})"
    )
    results = []
    print(
        "| shingle | perm | bands x rows | threshold | pairs | precision | recall "
        "| recall (both clean) | false + (synthetic) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for index in grid() if args.grid else [index_from(get_settings())]:
        r = score(pairs, index)
        c = r["clusters"]
        results.append(r)
        print(
            f"| {index.scheme.shingle_size} | {index.scheme.num_perm} | {index.bands} x {index.rows} | "
            f"{index.threshold} | {c['predicted']} | {c['precision']:.3f} | {c['recall']:.3f} | "
            f"{c['recall_clean']:.3f} | {c['false_positives']} ({c['synthetic_false']}) |",
            flush=True,
        )
    last = results[-1]
    print(
        f"\npositive pairs {last['positive_pairs']} (both renderings hold the article: "
        f"{last['clean_positive_pairs']}), negative pairs {last['negative_pairs']}"
    )
    if not args.grid:
        print("per rendering pair (found / pairs; both clean: found / pairs):")
        for name, row in last["per_rendering"].items():
            print(
                f"  {name:26s} {row['found']:4d} / {row['pairs']:4d}   "
                f"{row['clean_found']:4d} / {row['clean']:4d}"
            )
        print("direct pairs:", {k: v for k, v in last["direct"].items() if k != "false_examples"})
        print("false positives (clusters):", last["clusters"]["false_examples"])
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
