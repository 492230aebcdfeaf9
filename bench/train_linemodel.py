"""Train the page-dump line scorer (winnow/read/linemodel.json) from the dev sets, and print its
page-grouped cross-validated figures next to the hand-set span's.

    python bench/train_linemodel.py [--shared ../shared] [--write]

Lines are read the way the text path reads them (decode, split, reflow, winnow.read.pagelines)
from every text rendering (text/, text_wrapped/, text_w3m/) of ../shared/eval and
../shared/eval-web. Labels: on eval, a line is article when it is part of the truth's full
articleBody, otherwise not; on eval-web (snippets only), a line holding a "with" snippet is
article, one holding a "without" snippet is not, every other line is unlabelled. The model is an
L2-regularised logistic regression fitted by full-batch gradient descent (numpy, deterministic).

The figures are a proxy of `winnow eval` on the body alone (the span's lines minus furniture,
before the rule packs): eval mean token F1 / P, eval-web snippet F1 / P, per rendering. `cv` is
2-fold by page (a page's three renderings always fall in the same fold; the folds are the parity
of a hash of the page id), `cross` trains on one set and tests on the other. `--write` saves the
model trained on everything.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from winnow.read.decode import decode  # noqa: E402
from winnow.read.linemodel import MODEL_FILE, features  # noqa: E402
from winnow.read.lines import split_lines  # noqa: E402
from winnow.read.pagedump import _list_item_text, cut_at_section_end, dump_body, headed_span  # noqa: E402
from winnow.read.pagelines import Line, analyse  # noqa: E402
from winnow.read.reflow import reflow  # noqa: E402
from winnow.settings import get_settings  # noqa: E402

RENDERINGS = ("text", "text_wrapped", "text_w3m")
SETS = ("eval", "eval-web")
THRESHOLD = 0.5  # p above which a line adds to the span
DROP = 0.35  # p below which a line inside the span is taken out
BIAS = 5.0  # words added to each line's weight in the span score (a short line still counts)
L2 = 1e-2
STEPS = 1500
RATE = 0.5
WEB_WEIGHT = 3.0  # eval-web labels few lines per page, but they are the boundary lines: weigh them up
_WS = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+")


def norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


class Page:
    def __init__(self, name: str, rendering: str, page_id: str, info: list[Line], truth: dict[str, Any]):
        self.name, self.rendering, self.page_id, self.info, self.truth = name, rendering, page_id, info, truth
        span = headed_span(info, lists=False)  # the hand-set span, as pagedump judges a dump by it
        first, last = cut_at_section_end(info, *span) if span else (-1, -2)
        self.x = features(info, first, last)
        self.y = labels(name, info, truth)


def labels(name: str, info: list[Line], truth: dict[str, Any]) -> np.ndarray:
    if name == "eval":
        body = norm(truth.get("articleBody") or "")
        return np.array([1.0 if norm(line.text) in body else 0.0 for line in info])
    with_ = [norm(s) for s in truth["with"]]
    without = [norm(s) for s in truth["without"]]
    out = []
    for line in info:
        text = norm(line.text)
        out.append(
            1.0 if any(s in text for s in with_) else 0.0 if any(s in text for s in without) else np.nan
        )
    return np.array(out)


def load(shared: Path) -> list[Page]:
    max_chars = get_settings().max_line_chars
    pages = []
    for name in SETS:
        for rendering in RENDERINGS:
            for path in sorted((shared / name / rendering).glob("*.txt")):
                text = decode(path.read_bytes()).text or ""
                lines = reflow(split_lines(text, max_chars), max_chars).lines
                truth = json.loads((shared / name / "truth" / f"{path.stem}.json").read_text("utf-8"))
                pages.append(Page(name, rendering, path.stem, analyse(lines), truth))
    return pages


def train(pages: list[Page]) -> dict[str, Any]:
    xs, ys, ws = [], [], []
    for page in pages:
        known = ~np.isnan(page.y)
        xs.append(page.x[known])
        ys.append(page.y[known])
        ws.append(np.full(int(known.sum()), WEB_WEIGHT if page.name == "eval-web" else 1.0))
    x, y, w = np.vstack(xs), np.concatenate(ys), np.concatenate(ws)
    mean, scale = x.mean(0), x.std(0) + 1e-9
    mean[-1], scale[-1] = 0.0, 1.0  # the constant column stays the intercept
    z = (x - mean) / scale
    weights = np.zeros(z.shape[1])
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-z @ weights))
        weights -= RATE * (z.T @ ((p - y) * w) / w.sum() + L2 * weights)
    model: dict[str, Any] = {"weights": weights, "mean": mean, "scale": scale}
    model.update(threshold=THRESHOLD, bias=BIAS, drop=DROP)
    return model


def _tokens(text: str) -> Counter[str]:
    return Counter(t.lower() for t in _TOKEN.findall(text))


def body_text(page: Page, model: dict[str, Any] | None) -> str:
    """The body the page-dump reading keeps (the whole file when it is not read as a dump);
    model None: the hand-set span alone."""
    info = page.info
    found = dump_body(info, get_settings().min_words, model, learned=model is not None)
    if found is None:
        return norm(" ".join(line.text for line in info))
    kept = [
        info[k].text
        for k in range(found.first, found.last + 1)
        if k not in found.unlikely and (not info[k].furniture or _list_item_text(info[k]))
    ]
    return norm(" ".join(kept))


def score(pages: list[Page], model: dict[str, Any] | None) -> dict[tuple[str, str], tuple[float, float]]:
    sums: dict[tuple[str, str], list[float]] = {}
    for page in pages:
        body = body_text(page, model)
        acc = sums.setdefault((page.name, page.rendering), [0.0, 0.0, 0.0, 0.0])
        if page.name == "eval":
            pred, gold = _tokens(body), _tokens(page.truth.get("articleBody") or "")
            overlap = sum((pred & gold).values())
            p = overlap / max(1, sum(pred.values()))
            r = overlap / max(1, sum(gold.values()))
            acc[0] += 2 * p * r / (p + r) if overlap else 0.0
            acc[1] += p
            acc[3] += 1
        else:
            tp = sum(norm(s) in body for s in page.truth["with"])
            acc[0] += tp
            acc[1] += sum(norm(s) in body for s in page.truth["without"])
            acc[2] += len(page.truth["with"]) - tp
    out = {}
    for key, (a, b, c, n) in sums.items():
        out[key] = (a / n, b / n) if key[0] == "eval" else (2 * a / (2 * a + b + c), a / max(1.0, a + b))
    return out


def merge(parts: list[dict[tuple[str, str], tuple[float, float]]], counts: list[Counter[tuple[str, str]]]):
    """Fold figures weighted by their page counts (a near-exact pooled figure for the means)."""
    out = {}
    for key in parts[0]:
        n = sum(c[key] for c in counts)
        out[key] = tuple(
            sum(p[key][i] * c[key] for p, c in zip(parts, counts, strict=True)) / n for i in range(2)
        )
    return out


def show(label: str, figures: dict[tuple[str, str], tuple[float, float]]) -> None:
    cells = "  ".join(f"{n}/{r} {f:.3f} {p:.3f}" for (n, r), (f, p) in sorted(figures.items()))
    print(f"{label:10s} {cells}")


def fold_of(page_id: str) -> int:
    return int(hashlib.sha256(page_id.encode()).hexdigest(), 16) % 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parent.parent / ".." / "shared"
    )
    parser.add_argument("--write", action="store_true", help=f"save the model to winnow/read/{MODEL_FILE}")
    args = parser.parse_args()
    pages = load(args.shared)
    print("figures: set/rendering F1 P (eval: mean token F1, P; eval-web: snippet F1, P)")
    show("hand-set", score(pages, None))
    full = train(pages)
    show("in-sample", score(pages, full))
    parts, counts = [], []
    for fold in (0, 1):
        test = [p for p in pages if fold_of(p.page_id) == fold]
        parts.append(score(test, train([p for p in pages if fold_of(p.page_id) != fold])))
        counts.append(Counter((p.name, p.rendering) for p in test))
    show("cv 2-fold", merge(parts, counts))
    cross = {}
    for name in SETS:
        model = train([p for p in pages if p.name != name])
        cross.update(score([p for p in pages if p.name == name], model))
    show("cross-set", cross)
    if args.write:
        target = Path(__file__).resolve().parent.parent / "winnow" / "read" / MODEL_FILE
        data = {k: (v.round(6).tolist() if isinstance(v, np.ndarray) else v) for k, v in full.items()}
        data["note"] = (
            "bench/train_linemodel.py --write (logistic regression over winnow.read.linemodel.features)"
        )
        target.write_text(json.dumps(data, indent=1) + "\n", "utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
