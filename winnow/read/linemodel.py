"""A learned line scorer for page dumps: which lines of a dump are the article.

The hand-set scores of winnow.read.pagedump (a prose line scores its words, any other line a fixed
penalty) find the body's block; this model scores every line from its shape and its neighbours'
(length, sentence end, bullet, heading or date shape, repeated on the page, the hand-set span's own
decision and distance), and the body is the maximum-scoring span of (p - THRESHOLD) * (words +
BIAS): a short line between two article paragraphs costs little when it looks like a subheading,
a lot when it looks like a share bar. The section-end cuts and the furniture test still apply.

The model is a logistic regression (`linemodel.json`, package data) evaluated with numpy alone;
`python bench/train_linemodel.py` retrains it from ../shared/eval and ../shared/eval-web and prints
its page-grouped cross-validated figures. Nothing in it names a site or a word: only shapes.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from winnow.extract.dates import looks_like_date
from winnow.read.pagelines import BULLET, Line, ends_sentence, heading_like

MODEL_FILE = "linemodel.json"
N_BASE = 19  # per-line shape features (below); neighbours repeat the first NEIGHBOUR of them
NEIGHBOUR = 8
CONTEXT = 3  # lines either side whose prose words make the "prose nearby" feature
EDGE = 10  # lines from the hand-set span's edge beyond which distance says nothing more
_LINKISH = ("http", "www.", "@", "©", ".com", ".de")


def _base(line: Line, repeated: bool) -> list[float]:
    text, weight = line.text, line.weight
    words = text.split()
    n = max(1, len(words))
    low = text.lower()
    return [
        math.log1p(weight),
        float(line.prose),
        float(line.furniture),
        float(ends_sentence(text)),
        float(bool(BULLET.match(text))),
        float(heading_like(line)),
        float(weight <= 12 and looks_like_date(text)),
        float(repeated),
        float(line.indent > 0),
        sum(map(str.isupper, [w[0] for w in words])) / n,  # title case: menus and headlines
        sum(map(str.isdigit, text)) / max(1, len(text)),  # (map: a third of a generator's time)
        sum(text.count(c) for c in ",.;") / n,
        float(text.endswith("?")),
        float("|" in text or "»" in text or "›" in text),  # breadcrumbs, separators
        float(weight >= 25),
        float(any(mark in low for mark in _LINKISH)),
        float(text.endswith(":")),
        len(text) / n / 10,  # characters per word
        float(text.isupper() and weight >= 2),
    ]


def features(info: list[Line], first: int, last: int) -> np.ndarray:
    """One row per line of `info`; (first, last) is the hand-set body span (after its cuts)."""
    n = len(info)
    counts: dict[str, int] = {}
    for line in info:
        counts[line.text] = counts.get(line.text, 0) + 1
    base = np.array([_base(line, counts[line.text] > 1) for line in info], dtype=float).reshape(n, N_BASE)
    prose_words = base[:, 1] * base[:, 0]
    empty = np.zeros(NEIGHBOUR)
    span_len = max(1, last - first + 1)
    rows = []
    for k in range(n):
        inside = first <= k <= last
        dist = 0 if inside else (first - k if k < first else k - last)
        near = prose_words[max(0, k - CONTEXT) : k + CONTEXT + 1].mean()
        prev = base[k - 1, :NEIGHBOUR] if k > 0 else empty
        nxt = base[k + 1, :NEIGHBOUR] if k + 1 < n else empty
        prev2 = base[k - 2, :NEIGHBOUR] if k > 1 else empty
        nxt2 = base[k + 2, :NEIGHBOUR] if k + 2 < n else empty
        edge = min(k - first, last - k, EDGE) / EDGE if inside else 0.0
        place = (k - first) / span_len if inside else 0.0
        extra = [float(inside), math.log1p(dist), near, k / n, float(k < first), edge, place]
        own = base[k] * float(inside)  # shapes read differently inside the span than outside
        rows.append(np.concatenate([base[k], own, prev, nxt, prev2, nxt2, extra, [1.0]]))
    return np.array(rows).reshape(n, 2 * N_BASE + 4 * NEIGHBOUR + 8)


@lru_cache(maxsize=1)
def load_model() -> dict[str, Any]:
    text = resources.files("winnow.read").joinpath(MODEL_FILE).read_text("utf-8")
    model: dict[str, Any] = json.loads(text)
    for key in ("weights", "mean", "scale"):
        model[key] = np.array(model[key], dtype=float)
    return model


def probabilities(x: np.ndarray, model: dict[str, Any]) -> np.ndarray:
    z = ((x - model["mean"]) / model["scale"]) @ model["weights"]
    return np.asarray(1.0 / (1.0 + np.exp(-z)))


def learned_lines(
    info: list[Line], first: int, last: int, model: dict[str, Any] | None = None
) -> tuple[tuple[int, int] | None, np.ndarray]:
    """The best-scoring span under the learned line scores (None: no line scores above zero),
    and every line's probability of being article text."""
    model = model or load_model()
    if not info:
        return None, np.zeros(0)
    p = probabilities(features(info, first, last), model)
    scores = (p - model["threshold"]) * (np.array([line.weight for line in info]) + model["bias"])
    best, best_span = 0.0, None
    total, start = 0.0, 0
    for pos, score in enumerate(scores.tolist()):
        if total <= 0:
            total, start = 0.0, pos
        total += score
        if total > best:
            best, best_span = total, (start, pos)
    return best_span, p
