"""WARC ingest: time and peak memory for archives of growing size, and the re-run after an append.

Writes a .warc.gz of N response records (plus request records, as wget writes them) with warcio,
runs `winnow ingest` on it in a subprocess, and prints the wall time, records a second and the
peak resident memory of the whole process tree (flow and workers). Memory should stay flat as N
grows: the archive is indexed by streaming and its records go to the workers in parts of
`batch_size`. Then it appends 10% more records and times the re-run, which reads only those.

    python bench/warc_bench.py --n 500 2000 8000
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

REPO = Path(__file__).resolve().parent.parent
WORDS = (
    "the",
    "council",
    "harbour",
    "bridge",
    "reopened",
    "traffic",
    "after",
    "repairs",
    "commuters",
    "crossing",
    "quicker",
    "detour",
    "tunnel",
    "works",
    "began",
    "spring",
    "engineers",
    "said",
    "cost",
    "more",
    "than",
    "planned",
    "corrosion",
    "towers",
    "surveys",
    "shown",
    "cyclists",
    "lane",
    "month",
    "residents",
    "welcomed",
    "news",
    "storms",
    "homes",
    "safe",
    "river",
    "valley",
    "walls",
)


def page(rng: random.Random, i: int) -> bytes:
    paras = "".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + ".</p>" for _ in range(12)
    )
    return (
        f"<html lang='en'><head><title>Story {i}</title><meta name='author' content='Jane Doe'>"
        f"<meta property='article:published_time' content='2024-03-05T09:15:00Z'></head><body>"
        f"<nav>Home News Sport</nav><article><h1>Story {i}</h1>{paras}</article></body></html>"
    ).encode()


def write(path: Path, start: int, n: int) -> None:
    rng = random.Random(start)
    with open(path, "ab") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i in range(start, start + n):
            uri = f"https://news.example/story/{i}"
            req = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example")], is_http_request=True)
            writer.write_record(
                writer.create_warc_record(uri, "request", payload=io.BytesIO(b""), http_headers=req)
            )
            res = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(uri, "response", payload=io.BytesIO(page(rng, i)), http_headers=res)
            )


def run(raw: Path, warehouse: Path) -> tuple[float, float]:
    """(seconds, peak RSS of the process tree in MB) of one `winnow ingest`."""
    env = dict(os.environ, PREFECT_HOME=str(raw.parent / "prefect"))
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "winnow"),
            "ingest",
            "--raw",
            str(raw),
            "--warehouse",
            str(warehouse),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()) / 2**20)
            except psutil.Error:
                pass
            time.sleep(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    _, err = proc.communicate()
    done.set()
    thread.join()
    if proc.returncode:
        raise SystemExit(err.decode()[-2000:])
    return time.perf_counter() - t0, peak


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, nargs="+", default=[500, 2000])
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
    heads = ("records", "archive MB", "ingest s", "rec/s", "peak MB", "append s", "peak MB")
    print(" ".join(f"{h:>{max(8, len(h))}}" for h in heads))
    for n in args.n:
        work = Path(tempfile.mkdtemp(prefix="winnow-warc-bench-"))
        try:
            raw = work / "raw"
            raw.mkdir()
            archive = raw / "crawl.warc.gz"
            write(archive, 0, n)
            seconds, peak = run(raw, work / "warehouse.duckdb")
            write(archive, n, max(1, n // 10))
            again, peak2 = run(raw, work / "warehouse.duckdb")
            size = archive.stat().st_size / 2**20
            cells = (
                f"{n}",
                f"{size:.1f}",
                f"{seconds:.1f}",
                f"{n / seconds:.1f}",
                f"{peak:.0f}",
                f"{again:.1f}",
            )
            print(
                " ".join(
                    f"{c:>{max(8, len(h))}}" for c, h in zip((*cells, f"{peak2:.0f}"), heads, strict=True)
                )
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
