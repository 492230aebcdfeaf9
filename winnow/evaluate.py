"""Extraction quality on a labelled folder: run the engine's document path over every page and
write one prediction JSON per page in the format of ../shared/eval/score.py, then score them.

The same code the ingest flow runs per batch (winnow.batch.process_batch, learned boilerplate
included, and the Pandera contract), minus the warehouse: a page the pipeline rejects is predicted
empty, which the scorer counts against us, as it should.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from winnow.batch import process_batch
from winnow.clean.rules import default_rules
from winnow.errors import WinnowError
from winnow.extract.dates import local_iso
from winnow.read.sources import FileEntry, format_of
from winnow.settings import get_settings
from winnow.validate import validate_articles

PATHS = ("html", "text", "text_wrapped", "text_w3m")  # the renderings a labelled folder may hold
# The headline figures of each scorer, for the one table over every set and rendering:
# (column, summary key) per scorer; the first is the body's F1.
HEADLINE = {
    "tok": (
        ("F1", "tok_mean_F1"),
        ("P", "tok_mean_P"),
        ("R", "tok_mean_R"),
        ("title", "title_any_declared"),
        ("authors", "authors_lenient"),
        ("date", "published_date"),
    ),
    "snippet": (
        ("F1", "f1"),
        ("P", "precision"),
        ("R", "recall"),
        ("title", "title"),
        ("authors", "authors_lenient"),
        ("date", "published_date"),
    ),
}


@dataclass
class PredictStats:
    pages: int
    rejected: dict[str, str]  # page id -> check
    seconds: float

    @property
    def docs_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def prediction(row: dict[str, Any]) -> dict[str, Any]:
    """The scorer's fields from one article row."""
    return {
        "body": row["body"],
        "title": row["title"],
        "authors": list(row["authors"] or []),
        "published": local_iso(row["published_raw"], row["published_at"]),
        "language": row["language"],
    }


def predict_folder(pages: Path, out: Path, name: str) -> PredictStats:
    """Run the batch document path (read, parse, learned boilerplate, clean, metadata, language)
    and the article contract over every supported file in `pages`; write <id>.json into `out`."""
    settings = get_settings()
    out.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in pages.iterdir() if p.is_file() and format_of(p.name))
    entries = []
    for path in files:
        st = path.stat()
        entries.append(FileEntry(path.name, st.st_size, st.st_mtime_ns, format_of(path.name) or "txt"))
    t0 = time.perf_counter()
    batch = process_batch(pages, entries, default_rules(), settings)
    valid, invalid = validate_articles(batch.articles, batch.sources)
    seconds = time.perf_counter() - t0
    rows = {r["source_path"]: r for r in valid.to_dicts()}
    rejected: dict[str, str] = {}
    for r in pl.concat([batch.rejections, invalid], how="vertical").to_dicts():
        rejected.setdefault(r["path"], r["check"])
    for entry in entries:
        page_id = entry.path.split(".")[0]
        row = rows.get(entry.path)
        pred = prediction(row) if row else {"body": "", "rejected": rejected.get(entry.path, "unknown")}
        (out / f"{page_id}.json").write_text(json.dumps(pred, ensure_ascii=False, default=str), "utf-8")
    stats = PredictStats(len(files), rejected, seconds)
    meta = {"name": name, "docs_per_s": round(stats.docs_per_s, 1)}
    (out / "_meta.json").write_text(json.dumps(meta), "utf-8")
    return stats


def score(eval_dir: Path, pred_dirs: list[Path], json_out: Path | None = None) -> tuple[str, dict[str, Any]]:
    """Run the eval set's own scorer; return its printed table and its summary JSON."""
    scorer = eval_dir / "score.py"
    summary_path = json_out or pred_dirs[0].parent / "summary.json"
    cmd = [
        sys.executable,
        str(scorer),
        *map(str, pred_dirs),
        "--truth",
        str(eval_dir / "truth"),
        "--json-out",
        str(summary_path),
        "--per-doc",
        str(pred_dirs[0].parent / "per_doc.jsonl"),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603 - our own argv
    if done.returncode != 0:
        raise WinnowError(f"the scorer failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout, json.loads(summary_path.read_text("utf-8"))


def run_eval(eval_dir: Path, out_dir: Path, paths: tuple[str, ...] = PATHS) -> tuple[str, dict[str, Any]]:
    """Predict every rendering (html/, text/, …) of one labelled folder into out_dir/<path>/ and
    score them together with the folder's own scorer. A rendering the folder does not hold is
    skipped unless it was asked for by name (then it is an error)."""
    pred_dirs = []
    wanted = paths if paths != PATHS else tuple(p for p in PATHS if (eval_dir / p).is_dir())
    rejected: dict[str, int] = {}
    for path in wanted:
        pages = eval_dir / path
        if not pages.is_dir():
            raise WinnowError(f"{pages} is not a folder of pages", path=pages)
        target = out_dir / path
        stats = predict_folder(pages, target, f"winnow {path}")
        rejected[path] = len(stats.rejected)
        pred_dirs.append(target)
    if not pred_dirs:
        raise WinnowError(f"{eval_dir} holds none of {', '.join(PATHS)}", path=eval_dir)
    table, summary = score(eval_dir, pred_dirs, out_dir / "summary.json")
    summary["rejected"] = rejected
    return table, summary


def run_evals(
    eval_dirs: list[Path], out_dir: Path, paths: tuple[str, ...] = PATHS
) -> tuple[str, dict[str, dict[str, Any]]]:
    """Every labelled folder, each scored by its own scorer, then one table of every folder and
    rendering. Returns (text to print, {folder name: summary})."""
    tables, summaries = [], {}
    for eval_dir in eval_dirs:
        name = eval_dir.resolve().name
        table, summary = run_eval(eval_dir, out_dir / name, paths)
        tables.append(f"== {name} (its own score.py)\n{table}")
        summaries[name] = summary
    return "\n".join(tables) + "\n" + overview(summaries), summaries


def overview(summaries: dict[str, dict[str, Any]]) -> str:
    """One table: a row per folder and rendering, the body's F1/P/R by the folder's own metric
    (token bag or snippets), rejected pages, title, authors, date and speed."""
    head = f"{'set':<10} {'rendering':<13} {'metric':<8} {'F1':>6} {'P':>6} {'R':>6} {'rejected':>8} "
    head += f"{'title':>6} {'authors':>7} {'date':>6} {'docs/s':>7}"
    lines = [head, "-" * len(head)]
    for name, summary in summaries.items():
        for system, result in summary["systems"].items():
            metrics = result["metrics"]
            kind = "tok" if "tok_mean_F1" in metrics else "snippet"
            values = [metrics.get(key) for _, key in HEADLINE[kind]]
            shown = [f"{v:.3f}" if isinstance(v, float | int) else "-" for v in values]
            rendering = system.removeprefix("winnow ")
            rejected = summary.get("rejected", {}).get(rendering, "-")
            speed = (result.get("meta") or {}).get("docs_per_s", "-")
            lines.append(
                f"{name:<10} {rendering:<13} {kind:<8} {shown[0]:>6} {shown[1]:>6} {shown[2]:>6} "
                f"{rejected!s:>8} {shown[3]:>6} {shown[4]:>7} {shown[5]:>6} {speed!s:>7}"
            )
    return "\n".join(lines) + "\n"
