"""Incremental runs end to end: what a user waits for after `winnow ingest` on a raw/ that changed
little or not at all (issue 17's first target: each <= 3 s, every run still a Prefect flow run).

    python bench/incremental_bench.py [--n 6000] [--runs 5] [--keep]

On a fresh PREFECT_HOME with nothing configured (the default setup), it times the real command,
`winnow ingest`, as a subprocess, like hyperfine: the first run (which starts winnow's shared
Prefect server, once), then `--runs` unchanged re-runs, then `--runs` runs that each find one new
file. It prints min / median / max wall seconds and the flow's own time from `runs.duration_s`,
checks that every run is a flow run in the server's history, stops the server and cleans up.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import random  # noqa: E402

from make_corpus import article, generate, load_templates  # noqa: E402

WINNOW = str(Path(sys.executable).with_name("winnow"))


CPU: list[float] = []  # CPU seconds of each run: the command's process tree, and the server's share


def _server_cpu(home: Path) -> float:
    try:
        pid = json.loads((home / "winnow-server.json").read_text("utf-8"))["pid"]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, KeyError, IndexError):
        return 0.0


def ingest(raw: Path, warehouse: Path, env: dict[str, str]) -> tuple[float, str]:
    import resource

    home = Path(env["PREFECT_HOME"])
    before, server_before = resource.getrusage(resource.RUSAGE_CHILDREN), _server_cpu(home)
    started = time.perf_counter()
    done = subprocess.run(
        [WINNOW, "ingest", "--raw", str(raw), "--warehouse", str(warehouse)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU.append(command + max(0.0, _server_cpu(home) - server_before))
    if done.returncode != 0:
        raise SystemExit(f"winnow ingest failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout


def flow_seconds(warehouse: Path, n: int) -> list[float]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        got = con.execute("SELECT duration_s FROM runs ORDER BY started_at DESC LIMIT ?", [n]).fetchall()
    finally:
        con.close()
    return [float(r[0]) for r in got]


def loaded_articles(warehouse: Path) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        got = con.execute("SELECT count(*) FROM articles").fetchall()
    finally:
        con.close()
    return int(got[0][0])


def line(name: str, walls: list[float], flows: list[float], cpu: list[float]) -> str:
    return (
        f"| {name} | {len(walls)} | {min(walls):.2f} | {statistics.median(walls):.2f} | {max(walls):.2f} "
        f"| {statistics.median(flows):.2f} | {statistics.median(cpu):.2f} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=6000, help="files in raw/ (default 6000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each kind (default 5)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped: still stop the server below

    work = Path(tempfile.mkdtemp(prefix="winnow-incremental-"))
    raw, warehouse, home = work / "raw", work / "wh" / "articles.duckdb", work / "prefect-home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API_URL", "WINNOW_TEST"))}
    env["PREFECT_HOME"] = str(home)  # fresh: nothing configured, no server running
    sys.path.insert(0, str(HERE.parent))
    try:
        counts = generate(raw, args.n)
        print(
            f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; load average {os.getloadavg()}"
        )
        print(f"corpus: {args.n} files in {raw} {counts}", flush=True)
        first, _ = ingest(raw, warehouse, env)
        print(
            f"first run (fresh PREFECT_HOME: starts the shared server, ingests everything): {first:.2f}s",
            flush=True,
        )
        unchanged = [ingest(raw, warehouse, env)[0] for _ in range(args.runs)]
        unchanged_cpu = CPU[-args.runs :]
        print("unchanged re-runs:", " ".join(f"{t:.2f}s" for t in unchanged), flush=True)
        unchanged_flow = flow_seconds(warehouse, args.runs)
        # Each added file is a new article made as the corpus's are (its own title, unique sentence
        # and draw of paragraphs), so the run takes the whole path a new article takes: cleaning,
        # validation, the search index, the near-duplicate lookup and the insert. (An edited copy
        # of a corpus file would be recognised as a near-duplicate and skip most of it.)
        templates, pools = load_templates()
        rng = random.Random(args.n)
        added = []
        for i in range(args.runs):
            template = templates[i % len(templates)]
            text = article(template, pools[template.language], args.n + 1 + i, rng)
            (raw / f"added-{i}.txt").write_text(text, "utf-8")
            before = loaded_articles(warehouse)
            seconds, out = ingest(raw, warehouse, env)
            if "1 new" not in out or loaded_articles(warehouse) != before + 1:
                raise SystemExit(f"the added file was not loaded as a new article:\n{out}")
            added.append(seconds)
            print(f"one file added: {seconds:.2f}s", flush=True)
        added_flow = flow_seconds(warehouse, args.runs)
        added_cpu = CPU[-args.runs :]
        print()
        print("| run | n | min s | median s | max s | flow s (median) | CPU s (median) |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        print(line("unchanged re-run, end to end", unchanged, unchanged_flow, unchanged_cpu))
        print(line("one file added, end to end", added, added_flow, added_cpu))
        print("(CPU s: user + system of the command's whole process tree plus the shared server's share)")
        state = json.loads((home / "winnow-server.json").read_text("utf-8"))
        request = urllib.request.Request(
            f"{state['api_url']}/flow_runs/count", data=b"{}", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the local server
            flow_runs = int(response.read())
        print(f"\nflow runs in the shared server's history: {flow_runs} (runs made: {1 + 2 * args.runs})")
        print(f"load average at the end: {os.getloadavg()}")
    finally:
        subprocess.run([WINNOW, "server", "stop"], env=env, capture_output=True, check=False)
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
