"""The engine's document path: bytes on disk to candidate article rows. No Prefect here.

`process_batch` is what a flow task runs: a list of files in, plain data frames out, so batches
can run in worker processes and travel cheaply between tasks.
"""

from __future__ import annotations

import hashlib
import re
import time
import traceback
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from winnow.clean import clean_lines
from winnow.config import Settings, get_settings
from winnow.decode import decode
from winnow.errors import is_transient
from winnow.faults import hold
from winnow.formats.compressed import gunzip_bounded
from winnow.language import detect_language
from winnow.learned import LearnedState, learn_and_remove
from winnow.limits import BudgetExceeded, Deadline, time_budget
from winnow.metadata import estimate_read_time, extract_header
from winnow.parse import parse_text
from winnow.records import Document, Rejection, Segment
from winnow.rules import RuleSet, default_rules
from winnow.sources import FileEntry, ReadProblem, read_bytes, sha256_hex
from winnow.words import count_words

STAGES = ("read", "decode", "parse", "learned", "clean", "metadata", "language")


def doc_id_for(source_path: str, record: int = 0) -> str:
    """Stable identity: the path under raw/ plus the record number inside the file."""
    return hashlib.sha256(f"{source_path}#{record}".encode()).hexdigest()[:16]


def declared_primary(language: str | None) -> str | None:
    """'en-US' -> 'en'; None for anything that is not a language tag."""
    if not language:
        return None
    primary = re.split(r"[-_]", language.strip().lower())[0]
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def content_hash(body: str) -> str:
    """Hash of the body with case and spacing folded: the key for exact-duplicate detection."""
    # str.split() and the regex \s agree on what whitespace is; split is several times faster
    return hashlib.sha256(" ".join(body.split()).casefold().encode()).hexdigest()


def finish_document(
    doc: Document,
    rules: RuleSet,
    settings: Settings,
    timings: defaultdict[str, float],
    deadline: Deadline | None = None,
) -> Document:
    """Clean, extract metadata and detect language for a document whose lines are set."""
    deadline = deadline or Deadline(0, 0)
    t0 = time.perf_counter()
    # A reader may already have taken lines out (page-dump navigation, learned boilerplate): the
    # cleaner sees them blank, so positions stay those of the source text.
    taken = {s.position - 1 for s in doc.removed}
    lines = [("" if i in taken else line) for i, line in enumerate(doc.lines)] if taken else doc.lines
    kept, removed = clean_lines(lines, rules.for_source(doc.source_path))
    hold("clean")
    t1 = time.perf_counter()
    kept_lines = [doc.lines[i] for i in kept]
    deadline.at("metadata")
    header = extract_header(
        [] if doc.header_found else kept_lines,
        max_lines=settings.max_header_lines,
        max_title_chars=settings.max_title_chars,
        max_byline_chars=settings.max_byline_chars,
    )
    consumed = set(header.consumed)
    meta_segments = [
        Segment(kept[i] + 1, kept_lines[i].strip(), "header", "metadata") for i in header.consumed
    ]
    doc.removed = sorted(doc.removed + removed + meta_segments, key=lambda s: s.position)
    doc.kept = [kept[i] for i in range(len(kept)) if i not in consumed]
    doc.title = doc.title or header.title
    doc.authors = doc.authors or header.authors
    if doc.published_at is None and doc.published_raw is None:
        doc.published_at, doc.published_raw = header.published_at, header.published_raw
    if doc.updated_at is None and doc.updated_raw is None:
        doc.updated_at, doc.updated_raw = header.updated_at, header.updated_raw
    if doc.published_raw is None and doc.updated_raw is not None:
        # Only an "Updated …" line: the best published time the page gives.
        doc.published_at, doc.published_raw = doc.updated_at, doc.updated_raw
    doc.read_time_stated_min = doc.read_time_stated_min or header.read_time_stated_min
    doc.body = "\n\n".join(doc.lines[i].strip() for i in doc.kept)
    doc.word_count = sum(count_words(doc.lines[i]) for i in doc.kept)  # = word_count(doc.body)
    doc.read_time_est_min = estimate_read_time(doc.word_count, settings.words_per_minute)
    doc.content_hash = content_hash(doc.body)
    t2 = time.perf_counter()
    timings["clean"] += t1 - t0
    timings["metadata"] += t2 - t1
    if not doc.body.strip():
        return doc.reject(
            "clean",
            "empty_after_cleaning",
            "no body text is left after cleaning",
            removed=len(removed),
        )
    deadline.at("language")
    doc.language, doc.language_prob = detect_language(
        doc.body, seed=settings.seed, limit=settings.sample_chars, trials=settings.language_trials
    )
    declared = declared_primary(doc.declared_language)
    if declared and declared != (doc.language or "").split("-")[0]:
        # The source names its language (<html lang>, a field): trust it over a statistical guess.
        doc.language, doc.language_prob = declared, None
    timings["language"] += time.perf_counter() - t2
    return doc


def read_documents(
    raw_dir: Path, entry: FileEntry, settings: Settings, timings: defaultdict[str, float]
) -> tuple[list[Document], str | None]:
    """One file to its parsed (not yet cleaned) documents. Returns (documents, sha256); an
    unchanged file gives no documents. Never raises for bad input.

    Reading runs under the per-document time budget (winnow/limits.py): a file that overruns is
    stopped and quarantined (`time_budget`), and the batch goes on.
    """
    base = Document(source_path=entry.path, size=entry.size, mtime_ns=entry.mtime_ns, format=entry.format)
    base.doc_id = doc_id_for(entry.path)
    try:
        with time_budget(settings.doc_time_budget_s) as deadline:
            return _read_documents(raw_dir, entry, base, settings, timings, deadline)
    except BudgetExceeded as exc:
        return [_over_budget(base, exc)], base.sha256 or None


def _over_budget(doc: Document, exc: BudgetExceeded) -> Document:
    fresh = Document(
        source_path=doc.source_path,
        record=doc.record,
        size=doc.size,
        mtime_ns=doc.mtime_ns,
        format=doc.format,
    )
    fresh.doc_id, fresh.sha256 = doc.doc_id, doc.sha256
    return fresh.reject(exc.stage, "time_budget", str(exc), seconds=exc.seconds)


def _read_documents(
    raw_dir: Path,
    entry: FileEntry,
    base: Document,
    settings: Settings,
    timings: defaultdict[str, float],
    deadline: Deadline,
) -> tuple[list[Document], str | None]:
    t0 = time.perf_counter()
    deadline.at("read")
    try:
        data = read_bytes(raw_dir / entry.path, settings.max_file_bytes)
    except ReadProblem as problem:
        base.rejections.append(problem.rejection)
        return [base], None
    hold("read")
    base.sha256 = sha256_hex(data)
    base.size = len(data)
    if entry.prior and entry.prior.status != "deleted" and entry.prior.sha256 == base.sha256:
        return [], base.sha256  # touched but not changed
    if entry.path.lower().endswith(".gz"):
        try:
            data = gunzip_bounded(data, settings.max_decompressed_bytes)
        except ReadProblem as problem:
            base.rejections.append(problem.rejection)
            return [base], base.sha256
    deadline.at("decode")
    decoded = decode(data)
    timings["decode"] += time.perf_counter() - t0
    if decoded.text is None:
        base.reject("decode", decoded.problem or "undecodable", decoded.detail, encoding=decoded.encoding)
        return [base], base.sha256
    base.encoding = decoded.encoding
    deadline.at("parse")
    t1 = time.perf_counter()
    try:
        docs = parse_text(base, decoded.text, settings.max_line_chars)
    except Exception as exc:  # a reader bug on one file must not sink the batch
        docs = [_crashed(base, "parse", exc)]
    timings["parse"] += time.perf_counter() - t1
    return docs, base.sha256


def _crashed(doc: Document, stage: str, exc: Exception) -> Document:
    summary = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return doc.reject(stage, "crashed", f"internal error: {summary}", traceback=traceback.format_exc(limit=5))


def finish_documents(
    docs: list[Document], rules: RuleSet, settings: Settings, timings: defaultdict[str, float]
) -> list[Document]:
    """Clean, annotate and detect language, each document under its own time budget."""
    out = []
    for doc in docs:
        if doc.rejected:
            out.append(doc)
            continue
        try:
            with time_budget(settings.doc_time_budget_s) as deadline:
                deadline.at("clean")
                out.append(finish_document(doc, rules, settings, timings, deadline))
        except BudgetExceeded as exc:
            out.append(_over_budget(doc, exc))
        except Exception as exc:  # a bug on one document must not sink the batch
            out.append(_crashed(doc, "clean", exc))
    return out


def process_file(
    raw_dir: Path, entry: FileEntry, rules: RuleSet, settings: Settings, timings: defaultdict[str, float]
) -> tuple[list[Document], str | None]:
    """One file to its documents, cleaned (no learned boilerplate: that needs a batch and the
    warehouse). Returns (documents, sha256); never raises for bad input."""
    docs, sha = read_documents(raw_dir, entry, settings, timings)
    return finish_documents(docs, rules, settings, timings), sha


ARTICLE_SCHEMA: dict[str, Any] = {
    "doc_id": pl.String,
    "source_path": pl.String,
    "record": pl.Int32,
    "title": pl.String,
    "authors": pl.List(pl.String),
    "published_at": pl.Datetime("us", "UTC"),
    "published_raw": pl.String,
    "updated_at": pl.Datetime("us", "UTC"),
    "updated_raw": pl.String,
    "read_time_stated_min": pl.Int32,
    "read_time_est_min": pl.Int32,
    "word_count": pl.Int32,
    "language": pl.String,
    "language_prob": pl.Float64,
    "publisher": pl.String,
    "url": pl.String,
    "body": pl.String,
    "content_hash": pl.String,
    "format": pl.String,
    "encoding": pl.String,
}
SEGMENT_SCHEMA: dict[str, Any] = {
    "doc_id": pl.String,
    "position": pl.Int32,
    "text": pl.String,
    "rule_id": pl.String,
    "category": pl.String,
}
REJECTION_SCHEMA: dict[str, Any] = {
    "path": pl.String,
    "record": pl.Int32,
    "sha256": pl.String,
    "doc_id": pl.String,
    "stage": pl.String,
    "check": pl.String,
    "reason": pl.String,
    "detail": pl.String,
}
OBSERVATION_SCHEMA: dict[str, Any] = {  # learned_line_docs rows (winnow.learned)
    "source": pl.String,
    "line_hash": pl.String,
    "fingerprint": pl.String,
    "text": pl.String,
}
SOURCE_SCHEMA: dict[str, Any] = {
    "path": pl.String,
    "record": pl.Int32,
    "sha256": pl.String,
    "bytes": pl.Int64,
    "mtime_ns": pl.Int64,
    "format": pl.String,
    "doc_id": pl.String,
}


@dataclass
class Batch:
    """What one batch of files becomes: frames ready for validation and loading."""

    articles: pl.DataFrame
    segments: pl.DataFrame
    rejections: pl.DataFrame
    sources: pl.DataFrame  # one row per document (accepted or rejected) of a changed file
    touched: list[tuple[str, int, int]] = field(default_factory=list)  # (path, size, mtime) same bytes
    timings: dict[str, float] = field(default_factory=dict)
    files: int = 0
    observations: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=OBSERVATION_SCHEMA))


def rejection_rows(
    path: str, record: int, sha: str | None, doc_id: str, rejections: Sequence[Rejection]
) -> list[dict[str, Any]]:
    import json

    return [
        {
            "path": path,
            "record": record,
            "sha256": sha,
            "doc_id": doc_id,
            "stage": r.stage,
            "check": r.check,
            "reason": r.reason,
            "detail": json.dumps(r.detail, default=str),
        }
        for r in rejections
    ]


def process_batch(
    raw_dir: str | Path,
    entries: Sequence[FileEntry],
    rules: RuleSet | None = None,
    settings: Settings | None = None,
    raise_io_errors: bool = False,
    learned: LearnedState | None = None,
) -> Batch:
    """Read, decode, parse, clean and annotate a batch of files. `learned` is what the warehouse
    knows of recurring lines (LearnedState); without it the batch learns from itself only.

    A file that crashes any step is quarantined (check `crashed`, with the traceback summary) and
    the batch goes on. A transient OSError (EIO, EAGAIN, ...) is raised instead when
    `raise_io_errors` is set, so the caller (the flow's task, with retries) can retry it; on its
    last attempt it passes False and the file is quarantined as `io_error`."""
    rules = rules or default_rules()
    settings = settings or get_settings()
    root = Path(raw_dir)
    timings: defaultdict[str, float] = defaultdict(float)
    articles: list[dict[str, Any]] = []
    segments: list[dict[str, Any]] = []
    rejections: list[dict[str, Any]] = []
    sources: list[dict[str, Any]] = []
    touched: list[tuple[str, int, int]] = []
    parsed: list[tuple[FileEntry, list[Document], str | None]] = []
    for entry in entries:
        try:
            docs, sha = read_documents(root, entry, settings, timings)
        except OSError as exc:
            if raise_io_errors and is_transient(exc):
                raise
            docs, sha = [crashed_document(entry, "read", "io_error", exc)], None
        except Exception as exc:  # a bug on one file must not sink the batch
            docs, sha = [crashed_document(entry, "process", "crashed", exc)], None
        if not docs and sha is not None:
            touched.append((entry.path, entry.size, entry.mtime_ns))
            continue
        parsed.append((entry, docs, sha))
    t0 = time.perf_counter()
    observations = learn_and_remove(
        [d for _, docs, _ in parsed for d in docs],
        learned,
        settings.learned_min_documents,
        settings.learned_max_words,
        [r for r in rules.rules if r.where == "anywhere"],  # a line a rule names keeps its rule
    )
    timings["learned"] += time.perf_counter() - t0
    for entry, docs, sha in parsed:
        docs = finish_documents(docs, rules, settings, timings)
        for doc in docs:
            sources.append(
                {
                    "path": doc.source_path,
                    "record": doc.record,
                    "sha256": sha,
                    "bytes": doc.size or entry.size,
                    "mtime_ns": entry.mtime_ns,
                    "format": doc.format,
                    "doc_id": doc.doc_id,
                }
            )
            if doc.rejected:
                rejections.extend(
                    rejection_rows(doc.source_path, doc.record, sha, doc.doc_id, doc.rejections)
                )
                continue
            articles.append(article_row(doc))
            segments.extend(
                {
                    "doc_id": doc.doc_id,
                    "position": s.position,
                    "text": s.text,
                    "rule_id": s.rule_id,
                    "category": s.category,
                }
                for s in doc.removed
            )
    return Batch(
        articles=pl.DataFrame(articles, schema=ARTICLE_SCHEMA),
        segments=pl.DataFrame(segments, schema=SEGMENT_SCHEMA),
        rejections=pl.DataFrame(rejections, schema=REJECTION_SCHEMA),
        sources=pl.DataFrame(sources, schema=SOURCE_SCHEMA),
        touched=touched,
        timings=dict(timings),
        files=len(entries),
        observations=pl.DataFrame(observations, schema=OBSERVATION_SCHEMA),
    )


def crashed_document(entry: FileEntry, stage: str, check: str, exc: BaseException) -> Document:
    """A file that a step crashed on, as a rejected document carrying the traceback summary."""
    doc = Document(source_path=entry.path, size=entry.size, mtime_ns=entry.mtime_ns, format=entry.format)
    doc.doc_id = doc_id_for(entry.path)
    summary = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return doc.reject(stage, check, f"internal error: {summary}", traceback=traceback.format_exc(limit=5))


def article_row(doc: Document) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id,
        "source_path": doc.source_path,
        "record": doc.record,
        "title": doc.title,
        "authors": list(doc.authors),
        "published_at": doc.published_at,
        "published_raw": doc.published_raw,
        "updated_at": doc.updated_at,
        "updated_raw": doc.updated_raw,
        "read_time_stated_min": doc.read_time_stated_min,
        "read_time_est_min": doc.read_time_est_min,
        "word_count": doc.word_count,
        "language": doc.language,
        "language_prob": doc.language_prob,
        "publisher": doc.publisher,
        "url": doc.url,
        "body": doc.body,
        "content_hash": doc.content_hash,
        "format": doc.format,
        "encoding": doc.encoding,
    }


def now_utc() -> datetime:
    return datetime.now(UTC)
