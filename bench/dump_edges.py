"""Where eval-web's snippets sit relative to the page-dump body: for every text rendering of
../shared/eval-web, each "with" and "without" snippet found in one line of a page read as a dump,
counted by where that line is: inside the body span (hand-set span moved by the line model,
winnow.read.pagedump.refine_span), or above / below it at a distance of 1, 2-3, 4-10 or more lines.
Pages not read as a dump (plain, plain_fallback) are counted apart.

    python bench/dump_edges.py [--shared ../shared] [--renderings text,text_wrapped,text_w3m]

What it shows (issue #12): a rule that widens the body by a few lines gains the "with" snippets in
the near columns and takes in the "without" ones there too; the ratio of the two is its best case
before any shape test. Lines are read as the text path reads them (decode, split, reflow, analyse);
the rule packs that run after the page-dump reading are not applied.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from winnow.read.decode import decode  # noqa: E402
from winnow.read.lines import split_lines  # noqa: E402
from winnow.read.pagedump import _hand_set_reading, refine_span  # noqa: E402
from winnow.read.pagelines import analyse  # noqa: E402
from winnow.read.reflow import reflow  # noqa: E402
from winnow.settings import get_settings  # noqa: E402

_WS = re.compile(r"\s+")
BUCKETS = ("1", "2-3", "4-10", ">10")


def norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def bucket(gap: int) -> str:
    return "1" if gap == 1 else "2-3" if gap <= 3 else "4-10" if gap <= 10 else ">10"


def rendering_edges(folder: Path, truth_dir: Path) -> Counter[tuple[str, str]]:
    """(kind, place) -> snippets: kind 'with'/'without'; place 'in', 'above 1', 'below 2-3', …,
    'no line' (the snippet is in no single line), or the reading of a page not read as a dump."""
    settings = get_settings()
    out: Counter[tuple[str, str]] = Counter()
    for path in sorted(folder.glob("*.txt")):
        truth = json.loads((truth_dir / f"{path.stem}.json").read_text("utf-8"))
        text = decode(path.read_bytes()).text or ""
        info = analyse(reflow(split_lines(text, settings.max_line_chars), settings.max_line_chars).lines)
        reading = _hand_set_reading(info, settings.min_words)
        snippets = [("with", s) for s in truth["with"]] + [("without", s) for s in truth["without"]]
        if reading is None or reading[0] != "page_dump":
            for kind, _ in snippets:
                out[kind, "not a dump" if reading is None else reading[0]] += 1
            continue
        body = refine_span(info, reading[1], reading[2], settings.min_words)
        lines = [norm(line.text) for line in info]
        for kind, snippet in snippets:
            s = norm(snippet)
            at = next((k for k, line in enumerate(lines) if s in line), None)
            if at is None:
                out[kind, "no line"] += 1
            elif body.first <= at <= body.last:
                out[kind, "in"] += 1
            elif at < body.first:
                out[kind, f"above {bucket(body.first - at)}"] += 1
            else:
                out[kind, f"below {bucket(at - body.last)}"] += 1
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parent.parent.parent / "shared"))
    ap.add_argument("--renderings", default="text,text_wrapped,text_w3m")
    args = ap.parse_args()
    root = Path(args.shared) / "eval-web"
    places = ["in"] + [f"{side} {b}" for side in ("above", "below") for b in BUCKETS]
    places += ["no line", "not a dump", "plain_fallback"]
    print(f"{'rendering':<13} {'kind':<8} " + " ".join(f"{p:>10}" for p in places))
    for rendering in args.renderings.split(","):
        counts = rendering_edges(root / rendering, root / "truth")
        for kind in ("with", "without"):
            cells = " ".join(f"{counts[kind, p]:>10}" for p in places)
            print(f"{rendering:<13} {kind:<8} {cells}")


if __name__ == "__main__":
    main()
