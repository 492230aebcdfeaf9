"""Profile the engine's per-document work: pyinstrument over process_batch on generated files.

    python bench/profile_batch.py --n 1000
    python bench/profile_batch.py --n 2000 --no-profile   # the figures alone, no profiler overhead

Prints CPU and wall seconds per stage and the pyinstrument call tree (one process, no Prefect),
so an optimisation starts from where the time goes.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from pyinstrument import Profiler

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.make_corpus import generate  # noqa: E402
from winnow.batch import process_batch  # noqa: E402
from winnow.extract.language import detect_language  # noqa: E402
from winnow.read.sources import discover  # noqa: E402
from winnow.settings import get_settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--raw", type=Path, help="profile this folder instead of a generated corpus")
    parser.add_argument("--no-profile", action="store_true", help="time only: no profiler overhead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raw = args.raw or Path(tmp) / "raw"
        if args.raw is None:
            generate(raw, args.n)
        entries = discover(raw, {}).to_process[: args.n]
        detect_language("load the language profiles before timing")
        profiler = Profiler(interval=0.001)
        profiling = contextlib.nullcontext() if args.no_profile else profiler
        wall, cpu = time.perf_counter(), time.process_time()
        timings: Counter[str] = Counter()
        size = get_settings().batch_size  # as the flow cuts them: the line caches are sized for a batch
        with profiling:
            for start in range(0, len(entries), size):
                timings.update(process_batch(raw, entries[start : start + size]).timings)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    n = len(entries)
    mode = "profiler off" if args.no_profile else "profiler on"
    print(f"{n} files: {wall:.2f}s wall, {cpu:.2f}s CPU, {1000 * cpu / n:.2f} ms CPU/doc ({mode})")
    for stage, seconds in sorted(timings.items(), key=lambda kv: -kv[1]):
        print(f"  {stage:<10} {seconds:7.2f}s  {1000 * seconds / n:6.2f} ms/doc")
    if not args.no_profile:
        print(profiler.output_text(unicode=False, color=False))


if __name__ == "__main__":
    main()
