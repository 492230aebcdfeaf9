"""Benchmark winnow ingest against the floor on one generated corpus, and print the figures.

In one run, on the same files:
  1. generate N articles (bench/make_corpus.py) unless --raw is given;
  2. the floor: read every file, sha256 it, bulk-insert path, hash and raw text into a fresh
     DuckDB file (bench/floor.py);
  3. `winnow ingest` cold (fresh warehouse), as a user runs it: Prefect flow, cleaning,
     metadata, language, validation, load; Prefect's start-up and shutdown are reported apart
     from the flow's own time (the `runs.duration_s` the flow records);
  4. the same command again over unchanged raw/;
  5. per-stage seconds (from `runs.stage_seconds`) and peak RSS of each process, sampled;
  6. the HTML path against trafilatura's own time, when winnow reads .html.

    python bench/ingest_bench.py --n 10000            # `make bench`
    python bench/ingest_bench.py --n 10000 100000 1000000 --html-pages 300   # every size, one summary
    python bench/ingest_bench.py --n 1000000 --kb 1 3   # a million small files

Every process runs on the same machine as whatever else is running: the load average is printed
with the figures, and figures from a loaded machine say so.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import psutil

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from bench.make_corpus import generate  # noqa: E402

MB = 1024 * 1024


@dataclass
class Peak:
    """Peak resident memory of a command's process tree, by role, sampled every 50 ms."""

    main: int = 0
    workers: int = 0  # worker processes together (process pool or Dask), at their joint peak
    server: int = 0  # Prefect's temporary API server, started by the flow's process
    tree: int = 0  # main + workers at their joint peak (the server excluded)
    cpu: float = 0.0  # CPU seconds (user + system) of the whole tree, server included
    roles: dict[int, str] = field(default_factory=dict)
    cpu_seen: dict[int, float] = field(default_factory=dict)  # pid -> CPU seconds at its last sample

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds per role, as last sampled (a process that exits loses at most 50 ms)."""
        out: dict[str, float] = {}
        for pid, seconds in self.cpu_seen.items():
            out[self.roles.get(pid, "main")] = out.get(self.roles.get(pid, "main"), 0.0) + seconds
        return out

    def role(self, proc: psutil.Process, main_pid: int) -> str:
        if proc.pid == main_pid:
            return "main"
        if proc.pid not in self.roles:
            try:
                cmd = " ".join(proc.cmdline())
            except psutil.Error:
                cmd = ""
            self.roles[proc.pid] = (
                "server"
                if "uvicorn" in cmd or "prefect.server" in cmd
                else "other"
                if "resource_tracker" in cmd
                else "worker"
            )
        return self.roles[proc.pid]

    def sample(self, root: psutil.Process) -> None:
        totals = {"main": 0, "worker": 0, "server": 0, "other": 0}
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        for proc in procs:
            try:
                totals[self.role(proc, root.pid)] += proc.memory_info().rss
                times = proc.cpu_times()
                self.cpu_seen[proc.pid] = times.user + times.system
            except psutil.Error:
                continue
        self.main = max(self.main, totals["main"])
        self.workers = max(self.workers, totals["worker"])
        self.server = max(self.server, totals["server"])
        self.tree = max(self.tree, totals["main"] + totals["worker"])


def cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, Peak, str]:
    """Run cmd to completion; (wall seconds, peak memory, combined output). The CPU seconds of the
    whole process tree go to `peak.cpu`: on a shared machine they move less than wall time."""
    peak = Peak()
    cpu0 = cpu_children()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    root = psutil.Process(proc.pid)
    done = threading.Event()

    def sampler() -> None:
        while not done.is_set():
            peak.sample(root)
            done.wait(0.05)

    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    thread.join()
    peak.cpu = cpu_children() - cpu0
    if proc.returncode:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{out[-4000:]}")
    return wall, peak, out


def last_run(warehouse: Path) -> dict[str, object]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute(
            "SELECT duration_s, stage_seconds, files_seen, files_unchanged, loaded, duplicates, rejected "
            "FROM runs ORDER BY started_at DESC LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    assert row is not None, "the flow recorded no run"
    keys = (
        "duration_s",
        "stage_seconds",
        "files_seen",
        "files_unchanged",
        "loaded",
        "duplicates",
        "rejected",
    )
    run = dict(zip(keys, row, strict=True))
    run["stage_seconds"] = json.loads(str(run["stage_seconds"]))
    return run


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def mb(n: int) -> str:
    return f"{n / MB:,.0f}"


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}" if seconds > 0 else "-"


def html_path(n_pages: int) -> list[str]:
    """Winnow's HTML path against trafilatura's own time on the same pages (engine only)."""
    from winnow.read.sources import FORMATS

    if "html" not in FORMATS.values():
        return ["HTML path: not measured -- this winnow has no HTML reader (winnow.read.sources.FORMATS)."]
    pages = sorted((REPO.parent / "shared" / "eval" / "html").glob("*.html"))
    if not pages:
        return ["HTML path: not measured -- ../shared/eval/html is not here."]
    import tempfile

    import trafilatura

    from winnow.batch import process_batch
    from winnow.read.sources import discover

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for i in range(n_pages):
            src = pages[i % len(pages)]
            shutil.copyfile(src, root / f"{i:05d}-{src.name}")
        htmls = [p.read_text("utf-8", errors="replace") for p in sorted(root.iterdir())]
        t0 = time.perf_counter()
        for html in htmls:
            trafilatura.extract(html, with_metadata=True)
        own = time.perf_counter() - t0
        entries = discover(root, {}).to_process
        process_batch(root, entries[:2])  # warm caches (rules, language profiles) outside the timing
        t0 = time.perf_counter()
        process_batch(root, entries)
        ours = time.perf_counter() - t0
    return [
        f"HTML path ({n_pages} pages from ../shared/eval/html, one process, no Prefect):",
        f"  trafilatura.extract(with_metadata=True) alone: {own:.2f}s ({rate(n_pages, own)} docs/s)",
        f"  winnow process_batch (read, decode, extract, clean, metadata, language): {ours:.2f}s "
        f"({rate(n_pages, ours)} docs/s), {ours / own:.2f}x trafilatura",
    ]


@dataclass
class Figures:
    """The issue's figures for one corpus size (the summary table)."""

    files: int
    flow_s: float
    floor_s: float
    main_cpu: float
    worker_cpu: float
    main_rss: int
    rerun_s: float
    load: str

    def row(self, first: Figures) -> str:
        n = self.files
        return (
            f"| {n:,} | {self.flow_s:.1f} | {rate(n, self.flow_s)} | {self.flow_s / self.floor_s:.1f} "
            f"| {1000 * self.main_cpu / n:.2f} | {1000 * self.worker_cpu / n:.2f} "
            f"| {mb(self.main_rss)} | {self.main_rss / first.main_rss:.2f} | {self.rerun_s:.2f} "
            f"| {self.load} |"
        )


SUMMARY_HEAD = [
    "| files | flow s | docs/s (flow) | x floor | main CPU ms/doc | worker CPU ms/doc | peak main RSS MB "
    "| RSS vs first | unchanged re-run flow s | load average (1 5 15 min) after the cold run |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
]


def bench_one(raw: Path, work: Path, env: dict[str, str], workers: int | None) -> tuple[list[str], Figures]:
    """Floor, cold ingest and unchanged re-run on one corpus: the detailed lines and the figures."""
    lines: list[str] = []
    files = sum(1 for _ in raw.rglob("*") if _.is_file())
    size = sum(p.stat().st_size for p in raw.rglob("*") if p.is_file())
    lines.append(f"corpus: {files} files, {size / MB:,.0f} MB in {raw}")
    winnow = [str(Path(sys.executable).parent / "winnow"), "ingest"]
    if workers:
        winnow += ["--workers", str(workers)]

    floor_wall, floor_peak, out = measure(
        [sys.executable, str(BENCH / "floor.py"), str(raw), str(work / "floor.duckdb")], env
    )
    floor_s = float(json.loads(out.strip().splitlines()[-1])["seconds"])
    (work / "floor.duckdb").unlink(missing_ok=True)

    empty = work / "empty-raw"
    empty.mkdir(exist_ok=True)
    first_start, _, _ = measure(winnow + ["--raw", str(empty), "--warehouse", str(work / "w0.duckdb")], env)

    warehouse = work / "warehouse.duckdb"
    cmd = winnow + ["--raw", str(raw), "--warehouse", str(warehouse)]
    cold_wall, cold_peak, _ = measure(cmd, env)
    cold = last_run(warehouse)
    load_mid = load()
    again_wall, again_peak, _ = measure(cmd, env)
    again = last_run(warehouse)

    cold_s, again_s = float(cold["duration_s"]), float(again["duration_s"])  # type: ignore[arg-type]
    by_role = cold_peak.cpu_by_role()
    lines += [
        "",
        "| step | seconds | docs/s | x floor | peak RSS MB |",
        "|---|---:|---:|---:|---|",
        f"| floor: read + sha256 + DuckDB bulk insert | {floor_s:.2f} | {rate(files, floor_s)} | 1.0 "
        f"| {mb(floor_peak.tree)} |",
        f"| winnow ingest, cold: flow (steady state) | {cold_s:.2f} | {rate(files, cold_s)} "
        f"| {cold_s / floor_s:.1f} | main {mb(cold_peak.main)} + workers {mb(cold_peak.workers)} "
        f"= {mb(cold_peak.tree)} |",
        f"| winnow ingest, cold: Prefect start-up + shutdown | {cold_wall - cold_s:.2f} | | "
        f"| Prefect server {mb(cold_peak.server)} |",
        f"| winnow ingest, cold: end to end | {cold_wall:.2f} | {rate(files, cold_wall)} "
        f"| {cold_wall / floor_s:.1f} | |",
        f"| unchanged re-run: flow | {again_s:.2f} | {rate(files, again_s)} | {again_s / floor_s:.2f} "
        f"| main {mb(again_peak.main)} |",
        f"| unchanged re-run: end to end | {again_wall:.2f} | {rate(files, again_wall)} | | |",
        f"| Prefect start on an empty raw/ | {first_start:.2f} | | | |",
        "",
        "stage seconds of the cold run (summed over worker processes, so they can exceed the flow's "
        "wall time), docs/s per process:",
        "| stage | seconds | docs/s |",
        "|---|---:|---:|",
    ]
    stages = cold["stage_seconds"]
    assert isinstance(stages, dict)
    order = ("discover", "decode", "clean", "metadata", "language", "validate", "load", "finish")
    for stage in [*(s for s in order if s in stages), *sorted(set(stages) - set(order))]:
        lines.append(f"| {stage} | {stages[stage]:.2f} | {rate(files, stages[stage])} |")
    lines += [
        "",
        f"outcomes: {cold['loaded']} loaded, {cold['duplicates']} duplicates, "
        f"{cold['rejected']} rejected of {cold['files_seen']} files; "
        f"re-run: {again['files_unchanged']} unchanged",
        f"CPU seconds (user + system, whole process tree incl. Prefect's server): floor "
        f"{floor_peak.cpu:.1f}, cold ingest {cold_peak.cpu:.1f} "
        f"({1000 * cold_peak.cpu / files:.1f} ms/doc), "
        f"unchanged re-run {again_peak.cpu:.1f}",
        "CPU seconds of the cold run by process: "
        + ", ".join(
            f"{role} {sec:.1f} ({1000 * sec / files:.2f} ms/doc)" for role, sec in sorted(by_role.items())
        ),
        f"load average during: {load_mid} (after the cold run), {load()} (at the end)",
    ]
    figures = Figures(
        files=files,
        flow_s=cold_s,
        floor_s=floor_s,
        main_cpu=by_role.get("main", 0.0),
        worker_cpu=by_role.get("worker", 0.0),
        main_rss=cold_peak.main,
        rerun_s=again_s,
        load=load_mid,
    )
    return lines, figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--n", type=int, nargs="+", default=[10_000], help="files to generate (several: one run each)"
    )
    parser.add_argument(
        "--kb", type=int, nargs=2, default=[2, 20], help="generated article sizes: least, most (KB)"
    )
    parser.add_argument("--raw", type=Path, help="benchmark this folder instead of a generated corpus")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/winnow-bench"))
    parser.add_argument("--workers", type=int, help="winnow --workers (default: one per core)")
    parser.add_argument("--html-pages", type=int, default=300, help="pages for the HTML comparison (0: skip)")
    parser.add_argument("--keep", action="store_true", help="keep the corpus and warehouses afterwards")
    args = parser.parse_args(argv)

    work = args.workdir
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    lines = [
        f"machine: {os.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.0f} GB, "
        f"Python {platform.python_version()}; load average at start: {load()}"
    ]
    env = dict(os.environ)
    env.update(
        PREFECT_HOME=str(work / "prefect-home"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    # Prefect's temporary server gives up after 20 s by default: too little on a loaded machine.
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    summary: list[Figures] = []
    try:
        for n in [None] if args.raw else args.n:
            part = work / (f"n{n}" if n else "raw")
            part.mkdir()
            raw = args.raw
            if raw is None:
                raw = part / "raw"
                t0 = time.perf_counter()
                counts = generate(raw, n, size_kb=tuple(args.kb))
                lines += [
                    "",
                    f"## {n:,} files",
                    f"corpus: {n} files generated in {time.perf_counter() - t0:.1f}s: {counts}",
                ]
            detail, figures = bench_one(raw, part, env, args.workers)
            lines += detail
            summary.append(figures)
            print("\n".join(lines), flush=True)  # each size as it is done: a long run shows progress
            lines = []
            if not args.keep:
                shutil.rmtree(part, ignore_errors=True)
        lines += [
            "",
            "Summary (flow time: the flow's own `runs.duration_s`; CPU: user + system seconds per "
            "document, sampled per process; RSS: the flow's process at its peak):",
            *SUMMARY_HEAD,
            *(f.row(summary[0]) for f in summary),
        ]
        if args.html_pages:
            lines += ["", *html_path(args.html_pages)]
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
