"""The labelled pair set for near-duplicate detection, and its scorer.

Built at run time from the pipeline's own output, never from frozen bodies, so it measures the
detector on what the cleaner really produces today:

- every page of the dev evaluation sets (../shared/eval, ../shared/eval-web) in each rendering
  (html/, text/, text_wrapped/, text_w3m/) goes through the batch path (read, clean, metadata,
  language) and the article contract; the renderings of one page that load are duplicates of one
  another (positive pairs), renderings of different pages are not;
- `synthetic` adds generated articles that share sentences with a page without being copies: each
  takes 10 to 50% of its sentences from one page (a run of them or scattered ones) and the rest
  from many other pages, 1 to 3 sentences from each; every pair with one of them is negative.

Each loaded rendering is also marked `holds_article` from the set's truth files (read here only,
never by the pipeline): eval/ by word-bag precision and recall >= 0.8 against the annotated body,
eval-web/ by every "with" snippet found and no "without" one. A pair of renderings of one page in
which one rendering is not the article (the cleaner kept comments or lost the body) cannot be found
by comparing texts; recall is given over all positive pairs and over the pairs where both
renderings hold the article, so cleaning failures and detection failures can be told apart.

Scoring runs the real index (winnow.store.neardup on a fresh DuckDB file, batches as in a run) and reads
its clusters: a pair is predicted a duplicate when its two articles are in one cluster.
"""

from __future__ import annotations

import json
import random
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import polars as pl

from winnow.batch import process_batch
from winnow.clean.rules import default_rules
from winnow.read.sources import FileEntry, format_of
from winnow.settings import get_settings
from winnow.store.dedup import sign
from winnow.store.neardup import Index, NearDuplicates
from winnow.store.warehouse import open_warehouse
from winnow.validate import validate_articles

RENDERINGS = ("html", "text", "text_wrapped", "text_w3m")
CHUNK = 200  # pages processed at once (memory)
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Doc:
    key: str  # set/rendering/page, or synthetic/N
    page: str  # set/page: docs of one page are duplicates of one another
    rendering: str
    body: str
    holds_article: bool  # the cleaned body is the page's article (truth files); False for synthetic


@dataclass
class PairSet:
    docs: list[Doc]
    rejected: Counter[str] = field(default_factory=Counter)  # renderings the pipeline did not load


def _entries(folder: Path) -> list[FileEntry]:
    out = []
    for path in sorted(folder.iterdir()):
        fmt = format_of(path.name)
        if path.is_file() and fmt:
            st = path.stat()
            out.append(FileEntry(path.name, st.st_size, st.st_mtime_ns, fmt))
    return out


def clean_pages(folder: Path) -> tuple[dict[str, str], int]:
    """page id -> clean body for every page in `folder` the pipeline loads; and how many it rejects."""
    bodies: dict[str, str] = {}
    entries = _entries(folder)
    rules, settings = default_rules(), get_settings()
    for start in range(0, len(entries), CHUNK):
        batch = process_batch(folder, entries[start : start + CHUNK], rules, settings)
        valid, _ = validate_articles(batch.articles, batch.sources)
        for path, body in zip(valid["source_path"].to_list(), valid["body"].to_list(), strict=True):
            bodies[path.split(".")[0]] = body
    return bodies, len(entries) - len(bodies)


def _word_counts(text: str) -> Counter[str]:
    return Counter(_WORDS.findall(text.lower()))


def holds_article(truth: dict[str, Any], body: str) -> bool:
    if "articleBody" in truth:
        want, got = _word_counts(truth["articleBody"]), _word_counts(body)
        common = sum((want & got).values())
        return common >= 0.8 * max(1, sum(got.values())) and common >= 0.8 * max(1, sum(want.values()))
    flat = " ".join(body.split())
    found = [" ".join(s.split()) in flat for s in truth.get("with", [])]
    leaked = [" ".join(s.split()) in flat for s in truth.get("without", [])]
    return all(found) and not any(leaked)


def rendered(eval_dirs: list[Path]) -> PairSet:
    """Every loaded rendering of every page of these evaluation folders."""
    out = PairSet(docs=[])
    for eval_dir in eval_dirs:
        for rendering in RENDERINGS:
            folder = eval_dir / rendering
            if not folder.is_dir():
                continue
            bodies, rejected = clean_pages(folder)
            out.rejected[f"{eval_dir.name}/{rendering}"] += rejected
            for page, body in sorted(bodies.items()):
                truth = json.loads((eval_dir / "truth" / f"{page}.json").read_text("utf-8"))
                out.docs.append(
                    Doc(
                        f"{eval_dir.name}/{rendering}/{page}",
                        f"{eval_dir.name}/{page}",
                        rendering,
                        body,
                        holds_article(truth, body),
                    )
                )
    return out


def sentences(body: str) -> list[str]:
    return [s for para in body.split("\n\n") for s in _SENTENCE_END.split(para.strip()) if len(s) >= 20]


def synthetic(docs: list[Doc], n: int, seed: int = 14) -> list[Doc]:
    """`n` generated articles, each as long as one page's article (its HTML rendering) and sharing
    10-50% of its words with it, in whole sentences; the rest comes from many other pages, at
    most 3 sentences from each."""
    pool = {d.page: sentences(d.body) for d in docs if d.rendering == "html"}
    bases = sorted(p for p, s in pool.items() if len(s) >= 8)
    if len(bases) < 5:
        return []

    def words(texts: list[str]) -> int:
        return sum(len(t.split()) for t in texts)

    rnd = random.Random(seed)
    out = []
    for i in range(n):
        base = rnd.choice(bases)
        own = pool[base]
        share = rnd.uniform(0.1, 0.5)
        length = words(own)
        if rnd.random() < 0.5:  # a run of sentences: a shared lead or a quoted passage
            at = rnd.randrange(len(own))
            shared: list[str] = []
            for s in own[at:] + own[:at]:
                if words(shared) + len(s.split()) > share * length:
                    break
                shared.append(s)
        else:  # scattered ones: quotes, facts, a boilerplate paragraph
            shared = [s for s in own if rnd.random() < share]
        shared = shared or own[:1]
        body: list[str] = []
        while words(body) < length - words(shared) or words(body) < words(shared):
            donor = rnd.choice(bases)
            if donor == base:
                continue
            other = pool[donor]
            at = rnd.randrange(len(other))
            body.extend(other[at : at + rnd.randint(1, 3)])
        for s in shared:
            body.insert(rnd.randrange(len(body) + 1), s)
        out.append(Doc(f"synthetic/{i}", f"synthetic/{i}", "synthetic", "\n\n".join(body), False))
    return out


def build(eval_dirs: list[Path], n_synthetic: int = 300) -> PairSet:
    pairs = rendered(eval_dirs)
    pairs.docs.extend(synthetic(pairs.docs, n_synthetic))
    return pairs


def detect(
    docs: list[Doc], index: Index, batch: int = 500
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """Run the warehouse index over the docs (in batches, as a run loads them) on a fresh DuckDB
    file. Returns (pairs found directly, pairs in one cluster), each pair as sorted doc keys."""
    with tempfile.TemporaryDirectory(prefix="winnow-pairs-") as tmp:
        path = Path(tmp) / "pairs.duckdb"
        con = open_warehouse(path)
        try:
            con.execute("BEGIN TRANSACTION")
            near = NearDuplicates(con, "pair-set", index, Path(tmp) / ".pairs.duckdb.staging-neardup")
            near.prepare()
            for start in range(0, len(docs), batch):
                chunk = docs[start : start + batch]
                keys = [d.key for d in chunk]
                frame = sign(keys, [d.body for d in chunk], index.scheme)
                near.add(frame.with_columns(pl.col("doc_id").alias("source_path")))
            near.finish()
            edges = con.execute("SELECT doc_id, of_doc_id FROM near_duplicates").fetchall()
            members = con.execute("SELECT cluster_id, doc_id FROM near_dup_clusters").fetchall()
            con.execute("COMMIT")
        finally:
            con.close()
    direct = {tuple(sorted(e)) for e in edges}
    clusters: dict[str, list[str]] = {}
    for cluster, doc in members:
        clusters.setdefault(cluster, []).append(doc)
    grouped = {tuple(sorted(p)) for m in clusters.values() for p in combinations(m, 2)}
    return direct, grouped  # type: ignore[return-value]


def score(pairs: PairSet, index: Index) -> dict[str, Any]:
    """Pair precision and recall of the index's clusters (and of its direct pairs) on the set."""
    docs = pairs.docs
    page = {d.key: d.page for d in docs}
    holds = {d.key: d.holds_article for d in docs}
    rendering = {d.key: d.rendering for d in docs}
    by_page: dict[str, list[str]] = {}
    for d in docs:
        by_page.setdefault(d.page, []).append(d.key)
    positives = {tuple(sorted(p)) for keys in by_page.values() for p in combinations(keys, 2)}
    clean = {p for p in positives if holds[p[0]] and holds[p[1]]}
    direct, grouped = detect(docs, index)

    def measure(found: set[tuple[str, str]]) -> dict[str, Any]:
        tp = found & positives
        false = sorted(found - positives)
        return {
            "predicted": len(found),
            "precision": len(tp) / len(found) if found else 1.0,
            "recall": len(tp) / len(positives) if positives else 1.0,
            "recall_clean": len(found & clean) / len(clean) if clean else 1.0,
            "false_positives": len(false),
            "false_examples": [list(p) for p in false[:10]],
            "synthetic_false": sum(1 for a, b in false if "synthetic" in (rendering[a], rendering[b])),
        }

    per_rendering: dict[str, dict[str, Any]] = {}
    for pair in positives:
        name = "~".join(sorted((rendering[pair[0]], rendering[pair[1]])))
        row = per_rendering.setdefault(name, {"pairs": 0, "found": 0, "clean": 0, "clean_found": 0})
        row["pairs"] += 1
        row["found"] += pair in grouped
        if pair in clean:
            row["clean"] += 1
            row["clean_found"] += pair in grouped
    return {
        "index": {
            "scheme": index.scheme.key,
            "bands": index.bands,
            "rows": index.rows,
            "threshold": index.threshold,
        },
        "documents": len(docs),
        "synthetic": sum(1 for d in docs if d.rendering == "synthetic"),
        "rejected_renderings": dict(pairs.rejected),
        "pages": len({p for p in page.values() if not p.startswith("synthetic")}),
        "positive_pairs": len(positives),
        "clean_positive_pairs": len(clean),
        "negative_pairs": len(docs) * (len(docs) - 1) // 2 - len(positives),
        "clusters": measure(grouped),
        "direct": measure(direct),
        "per_rendering": dict(sorted(per_rendering.items())),
    }
