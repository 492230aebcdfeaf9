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

PATHS = ("html", "text")


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
    """Predict every path (html/, text/) into out_dir/<path>/ and score them together."""
    pred_dirs = []
    for path in paths:
        pages = eval_dir / path
        if not pages.is_dir():
            raise WinnowError(f"{pages} is not a folder of pages", path=pages)
        target = out_dir / path
        predict_folder(pages, target, f"winnow {path}")
        pred_dirs.append(target)
    return score(eval_dir, pred_dirs, out_dir / "summary.json")
