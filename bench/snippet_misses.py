"""Where eval-web's snippets go on the text path: for every text rendering of ../shared/eval-web,
each missed "with" snippet counted by the rule that removed it, and each leaked "without" snippet
counted by how the page was read (page_dump, plain, plain_fallback).

    python bench/snippet_misses.py [--shared ../shared] [--renderings text,text_wrapped,text_w3m]
                                   [--show RULE] [--leaks]

The batch is the one `winnow eval` runs (winnow.batch.process_batch, learned boilerplate
included). `--show RULE` prints the page id and snippet of every miss of that rule; `--leaks`
prints every leaked "without" snippet with its page id and reading.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from winnow.batch import process_batch  # noqa: E402
from winnow.clean.rules import default_rules  # noqa: E402
from winnow.read.sources import FileEntry, format_of  # noqa: E402
from winnow.settings import get_settings  # noqa: E402

_WS = re.compile(r"\s+")


def norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def rendering_misses(
    folder: Path, truth_dir: Path
) -> tuple[Counter[str], Counter[str], list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and format_of(p.name))
    entries = [FileEntry(p.name, p.stat().st_size, p.stat().st_mtime_ns, "txt") for p in files]
    batch = process_batch(folder, entries, default_rules(), get_settings())
    bodies = {r["source_path"]: norm(r["body"]) for r in batch.articles.to_dicts()}
    readings = {r["source_path"]: r["reading"] for r in batch.articles.to_dicts()}
    doc_of = {r["source_path"]: r["doc_id"] for r in batch.articles.to_dicts()}
    segs: dict[str, list[tuple[str, str]]] = {}
    for row in batch.segments.to_dicts():
        segs.setdefault(row["doc_id"], []).append((norm(row["text"]), row["rule_id"]))
    misses: Counter[str] = Counter()
    leaks: Counter[str] = Counter()
    miss_rows: list[tuple[str, str, str]] = []
    leak_rows: list[tuple[str, str, str]] = []
    for entry in entries:
        page_id = entry.path.split(".")[0]
        truth = json.loads((truth_dir / f"{page_id}.json").read_text("utf-8"))
        body = bodies.get(entry.path)
        for snippet in truth["with"]:
            s = norm(snippet)
            if body is not None and s in body:
                continue
            if body is None:
                rule = "rejected"
            else:
                found = [rule for text, rule in segs.get(doc_of[entry.path], []) if s in text]
                rule = found[0] if found else "not_in_one_segment"
            misses[rule] += 1
            miss_rows.append((rule, page_id, snippet))
        for snippet in truth["without"]:
            if body is not None and norm(snippet) in body:
                leaks[readings[entry.path]] += 1
                leak_rows.append((readings[entry.path], page_id, snippet))
    return misses, leaks, miss_rows, leak_rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parent.parent.parent / "shared"))
    ap.add_argument("--renderings", default="text,text_wrapped,text_w3m")
    ap.add_argument("--show", default="")
    ap.add_argument("--leaks", action="store_true")
    args = ap.parse_args()
    root = Path(args.shared) / "eval-web"
    for rendering in args.renderings.split(","):
        misses, leaks, miss_rows, leak_rows = rendering_misses(root / rendering, root / "truth")
        print(f"== {rendering}: {sum(misses.values())} missed 'with', {sum(leaks.values())} leaked 'without'")
        print("   missed by rule:", dict(misses.most_common()))
        print("   leaked by reading:", dict(leaks.most_common()))
        for rule, page_id, snippet in miss_rows:
            if rule == args.show:
                print(f"   miss {page_id} {snippet!r}")
        if args.leaks:
            for reading, page_id, snippet in leak_rows:
                print(f"   leak {reading} {page_id} {snippet!r}")


if __name__ == "__main__":
    main()
