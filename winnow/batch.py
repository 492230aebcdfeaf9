"""One batch of files through the engine's stages: bytes on disk to candidate article rows. No Prefect.

    read -> decode -> parse (winnow.read) -> learned boilerplate -> clean (winnow.clean)
         -> header metadata, body, language (winnow.extract) -> near-duplicate signature (winnow.store.dedup)

`process_batch` is what a flow task runs: a list of files in, plain data frames out, so batches can
run in worker processes and travel cheaply between tasks. A document a stage cannot handle leaves
with a named reason; a file that crashes a stage is quarantined (`crashed`) and the batch goes on.
"""

from __future__ import annotations

import time
import traceback
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from winnow.budget import BudgetExceeded, Deadline, time_budget
from winnow.clean.learned import LearnedState, learn_and_remove
from winnow.clean.lines import clean_document
from winnow.clean.rules import RuleSet, default_rules
from winnow.errors import is_transient
from winnow.extract.credits import split_credit
from winnow.extract.header import estimate_read_time, read_header
from winnow.extract.language import set_language
from winnow.extract.words import count_words
from winnow.faults import hold
from winnow.names import real_name
from winnow.read.decode import decode
from winnow.read.gzip import gunzip_bounded
from winnow.read.parse import parse_text
from winnow.read.parts import RECORD_FORMATS, ArchivePart, read_archive_part, read_whole_archive
from winnow.read.sources import FileEntry, ReadProblem, read_bytes, sha256_hex
from winnow.records import Document, Segment, doc_id_for
from winnow.schemas.columns import (
    ARTICLE_FRAME,
    KEPT_FRAME,
    OBSERVATION_FRAME,
    REJECTION_FRAME,
    SEGMENT_FRAME,
    SIGNATURE_FRAME,
    SKIPPED_FRAME,
    SOURCE_FRAME,
)
from winnow.settings import Settings, get_settings
from winnow.store.dedup import content_hash, scheme_from, sign

STAGES = ("read", "decode", "parse", "learned", "clean", "metadata", "language")  # timed per batch


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
    observations: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=OBSERVATION_FRAME))
    signatures: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=SIGNATURE_FRAME))
    # Per-record skip (winnow.read.parts): unchanged records of changed files, kept as they are,
    # with the file's new (path, sha256, bytes, mtime); archive records that are not documents.
    kept: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=KEPT_FRAME))
    kept_files: list[tuple[str, str, int, int]] = field(default_factory=list)
    skipped: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=SKIPPED_FRAME))
    # Paths whose earlier rows this batch replaces (None: every path in `sources`). An archive's
    # parts replace nothing: its plan replaced the path's rows once, before they went out.
    replace: list[str] | None = None
    # Set by winnow.prepare in the worker: `articles` are validated (failures already in
    # `rejections`) and `terms` are their search rows (winnow.store.search.document_terms).
    validated: bool = False
    terms: tuple[pl.DataFrame, pl.DataFrame] | None = None


# --- read, decode, parse ---------------------------------------------------------------------


def read_documents(
    raw_dir: Path, entry: FileEntry, settings: Settings, timings: defaultdict[str, float]
) -> tuple[list[Document], str | None]:
    """One file to its parsed (not yet cleaned) documents. Returns (documents, sha256); an
    unchanged file gives no documents. Never raises for bad input.

    Reading runs under the per-document time budget (winnow/budget.py): a file that overruns is
    stopped and quarantined (`time_budget`), and the batch goes on.
    """
    if entry.format == "warc":  # streamed record by record, each under its own budget
        t0 = time.perf_counter()
        docs, sha = read_whole_archive(raw_dir, entry, settings)
        timings["parse"] += time.perf_counter() - t0
        return docs, sha
    base = Document(source_path=entry.path, size=entry.size, mtime_ns=entry.mtime_ns, format=entry.format)
    base.doc_id = doc_id_for(entry.path)
    records = entry.format in RECORD_FORMATS  # then each record is parsed under a budget of its own
    try:
        with time_budget(settings.doc_time_budget_s) as deadline:
            docs, sha, text = _read_documents(raw_dir, entry, base, settings, timings, deadline, not records)
    except BudgetExceeded as exc:
        return [_over_budget(base, exc)], base.sha256 or None
    if text is None:
        return docs, sha
    return _parse(base, text, entry, settings, timings), sha


def _read_documents(
    raw_dir: Path,
    entry: FileEntry,
    base: Document,
    settings: Settings,
    timings: defaultdict[str, float],
    deadline: Deadline,
    parse: bool = True,
) -> tuple[list[Document], str | None, str | None]:
    """(documents, sha256, None); with `parse` False, the decoded text comes third, unparsed."""
    t0 = time.perf_counter()
    deadline.at("read")
    try:
        data = read_bytes(raw_dir / real_name(entry.path), settings.max_file_bytes)
    except ReadProblem as problem:
        base.rejections.append(problem.rejection)
        return [base], None, None
    hold("read")
    base.sha256 = sha256_hex(data)
    base.size = len(data)
    if entry.prior and entry.prior.status != "deleted" and entry.prior.sha256 == base.sha256:
        return [], base.sha256, None  # touched but not changed
    if entry.path.lower().endswith(".gz"):
        try:
            data = gunzip_bounded(data, settings.max_decompressed_bytes)
        except ReadProblem as problem:
            base.rejections.append(problem.rejection)
            return [base], base.sha256, None
    deadline.at("decode")
    decoded = decode(data)
    timings["decode"] += time.perf_counter() - t0
    if decoded.text is None:
        base.reject("decode", decoded.problem or "undecodable", decoded.detail, encoding=decoded.encoding)
        return [base], base.sha256, None
    base.encoding = decoded.encoding
    if not parse:
        return [], base.sha256, decoded.text
    deadline.at("parse")
    return _parse(base, decoded.text, entry, settings, timings), base.sha256, None


def _parse(
    base: Document, text: str, entry: FileEntry, settings: Settings, timings: defaultdict[str, float]
) -> list[Document]:
    t1 = time.perf_counter()
    try:
        docs = parse_text(base, text, settings.max_line_chars, settings, dict(entry.known))
    except Exception as exc:  # a reader bug on one file must not sink the batch
        docs = [_crashed(base, "parse", exc)]
    timings["parse"] += time.perf_counter() - t1
    return docs


# --- clean, header metadata, body, language ----------------------------------------------------


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
    kept, ruled_out = clean_document(doc, rules.for_source(doc.source_path))
    hold("clean")
    t1 = time.perf_counter()
    deadline.at("metadata")
    kept_lines = [doc.lines[i] for i in kept]
    header = read_header(
        doc,
        [] if doc.header_found else kept_lines,
        max_lines=settings.max_header_lines,
        max_title_chars=settings.max_title_chars,
        max_byline_chars=settings.max_byline_chars,
    )
    consumed = set(header)
    if doc.authors:  # every path's credits cleaned alike; an outlet named there is the publisher
        doc.authors, outlet = split_credit(doc.authors, publisher=doc.publisher)
        doc.publisher = doc.publisher or outlet
    doc.removed += [Segment(kept[i] + 1, kept_lines[i].strip(), "header", "metadata") for i in header]
    doc.removed.sort(key=lambda s: s.position)
    if doc.line_origins:  # reflowed: the audit trail names the lines of the file, not logical ones
        doc.removed = [replace(s, position=doc.original_line(s.position)) for s in doc.removed]
    doc.kept = [kept[i] for i in range(len(kept)) if i not in consumed]
    doc.body = "\n\n".join(doc.lines[i].strip() for i in doc.kept)
    doc.word_count = sum(count_words(doc.lines[i]) for i in doc.kept)  # = word_count(doc.body)
    doc.read_time_est_min = estimate_read_time(doc.word_count, settings.words_per_minute)
    doc.content_hash = content_hash(doc.body)
    t2 = time.perf_counter()
    timings["clean"] += t1 - t0
    timings["metadata"] += t2 - t1
    if not doc.body.strip():
        return doc.reject(
            "clean", "empty_after_cleaning", "no body text is left after cleaning", removed=ruled_out
        )
    deadline.at("language")
    set_language(doc, seed=settings.seed, limit=settings.sample_chars, trials=settings.language_trials)
    timings["language"] += time.perf_counter() - t2
    return doc


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


# --- whole files and batches -------------------------------------------------------------------


def process_file(
    raw_dir: Path, entry: FileEntry, rules: RuleSet, settings: Settings, timings: defaultdict[str, float]
) -> tuple[list[Document], str | None]:
    """One file to its documents, cleaned (no learned boilerplate: that needs a batch and the
    warehouse). Returns (documents, sha256); never raises for bad input."""
    docs, sha = read_documents(raw_dir, entry, settings, timings)
    return finish_documents(docs, rules, settings, timings), sha


def process_batch(
    raw_dir: str | Path,
    entries: Sequence[FileEntry | ArchivePart],
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
    touched: list[tuple[str, int, int]] = []
    parsed: list[tuple[FileEntry, list[Document], str | None]] = []
    kept: list[dict[str, Any]] = []
    kept_files: list[tuple[str, str, int, int]] = []
    replace: list[str] = []
    for item in entries:
        if isinstance(item, ArchivePart):
            try:
                part_docs = read_archive_part(root, item, settings)
            except OSError as exc:
                if raise_io_errors and is_transient(exc):
                    raise
                part_docs = [crashed_document(item.entry, "read", "io_error", exc)]
            parsed.append((item.entry, part_docs, item.sha256))
            continue
        entry = item
        try:
            docs, sha = read_documents(root, entry, settings, timings)
        except OSError as exc:
            if raise_io_errors and is_transient(exc):
                raise
            docs, sha = [crashed_document(entry, "read", "io_error", exc)], None
        except Exception as exc:  # a bug on one file must not sink the batch
            docs, sha = [crashed_document(entry, "read", "crashed", exc)], None
        same = [d for d in docs if d.unchanged]
        if same and sha is not None:
            # A changed file's unchanged records are kept as they are (winnow.read.parts).
            kept.extend(
                {"doc_id": d.doc_id, "record": d.record, "record_offset": d.record_offset} for d in same
            )
            kept_files.append((entry.path, sha, same[0].size or entry.size, entry.mtime_ns))
            docs = [d for d in docs if not d.unchanged]
        elif not docs and sha is not None:
            touched.append((entry.path, entry.size, entry.mtime_ns))
            continue
        parsed.append((entry, docs, sha))
        replace.append(entry.path)
    t0 = time.perf_counter()
    observations = learn_and_remove(
        [d for _, docs, _ in parsed for d in docs],
        learned,
        settings.learned_min_documents,
        settings.learned_max_words,
        [r for r in rules.rules if r.where == "anywhere"],  # a line a rule names keeps its rule
    )
    timings["learned"] += time.perf_counter() - t0
    articles: list[dict[str, Any]] = []
    segments: list[dict[str, Any]] = []
    rejections: list[dict[str, Any]] = []
    sources: list[dict[str, Any]] = []
    for entry, docs, sha in parsed:
        for doc in finish_documents(docs, rules, settings, timings):
            sources.append(doc.source_row(sha, doc.size or entry.size, entry.mtime_ns))
            if doc.rejected:
                rejections.extend(doc.rejection_rows(sha))
            else:
                articles.append(doc.article_row())
                segments.extend(doc.segment_rows())
    t0 = time.perf_counter()  # near-duplicate signatures: per-document CPU work, so here in the worker
    signatures = sign([a["doc_id"] for a in articles], [a["body"] for a in articles], scheme_from(settings))
    timings["near_dups"] += time.perf_counter() - t0
    return Batch(
        articles=pl.DataFrame(articles, schema=ARTICLE_FRAME),
        segments=pl.DataFrame(segments, schema=SEGMENT_FRAME),
        rejections=pl.DataFrame(rejections, schema=REJECTION_FRAME),
        sources=pl.DataFrame(sources, schema=SOURCE_FRAME),
        touched=touched,
        timings=dict(timings),
        files=sum(1 for e in entries if not isinstance(e, ArchivePart) or e.last),
        observations=pl.DataFrame(observations, schema=OBSERVATION_FRAME),
        signatures=signatures,
        kept=pl.DataFrame(kept, schema=KEPT_FRAME),
        kept_files=kept_files,
        replace=replace,
    )


# --- documents that leave early ------------------------------------------------------------------


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


def _crashed(doc: Document, stage: str, exc: Exception) -> Document:
    summary = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return doc.reject(stage, "crashed", f"internal error: {summary}", traceback=traceback.format_exc(limit=5))


def crashed_document(entry: FileEntry, stage: str, check: str, exc: BaseException) -> Document:
    """A file that a step crashed on, as a rejected document carrying the traceback summary."""
    doc = Document(source_path=entry.path, size=entry.size, mtime_ns=entry.mtime_ns, format=entry.format)
    doc.doc_id = doc_id_for(entry.path)
    summary = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return doc.reject(stage, check, f"internal error: {summary}", traceback=traceback.format_exc(limit=5))
