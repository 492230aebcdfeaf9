"""Run-level steps that the ingest flow strings together: plan, load a batch, finish.

Each is a plain function over plain data and the run's Loader, so the flow stays a thin layer
of Prefect tasks and tests can drive the same steps directly.
"""

from __future__ import annotations

import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from winnow.errors import WinnowError
from winnow.faults import hold
from winnow.read.parts import RECORD_FORMATS, ArchivePart, ArchivePlan, Work, batches, plan_archive
from winnow.read.sources import FileEntry, Plan, discover
from winnow.records import Document, Rejection, RunSummary, doc_id_for
from winnow.schemas.columns import (
    ARTICLE_FRAME,
    KEPT_FRAME,
    REJECTION_FRAME,
    SEGMENT_FRAME,
    SKIPPED_FRAME,
    SOURCE_FRAME,
)
from winnow.settings import Settings
from winnow.store.loader import Loader
from winnow.store.lock import is_own_file
from winnow.version import __version__

if TYPE_CHECKING:
    from winnow.batch import Batch

# winnow.batch, winnow.validate and winnow.store.dedup (trafilatura, pandera, rensa: about 1 s of
# imports) are imported where a batch is built or loaded: a run with nothing to do never needs them.

REPORT_EXAMPLES = 50  # rejections listed by path in a run report (all are in `rejections`)


@dataclass
class RunTally:
    """A run's summary as it fills in (counts per outcome), and the accumulators its report draws on."""

    counts: RunSummary = field(default_factory=lambda: RunSummary("", "running", datetime.now(UTC)))
    rules_version: str | None = None  # the rule packs the run cleaned with (their content hash)
    stage_seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    rejection_reasons: Counter[str] = field(default_factory=Counter)
    rule_hits: Counter[str] = field(default_factory=Counter)
    new_paths: list[str] = field(default_factory=list)
    changed_paths: list[str] = field(default_factory=list)
    rejection_examples: list[dict[str, Any]] = field(default_factory=list)  # the report's first few

    def summary(self, run_id: str, status: str, raw_dir: str, error: str | None = None) -> RunSummary:
        finished = datetime.now(UTC)
        return replace(
            self.counts,
            run_id=run_id,
            status=status,
            finished_at=finished,
            raw_dir=raw_dir,
            duration_s=round((finished - self.counts.started_at).total_seconds(), 3),
            stage_seconds={k: round(v, 3) for k, v in self.stage_seconds.items()},
            winnow_version=__version__,
            rules_version=self.rules_version,
            error=error,
            rejection_reasons=dict(self.rejection_reasons.most_common()),
            top_rules=dict(self.rule_hits.most_common(10)),
            rejection_examples=self.rejection_examples[:REPORT_EXAMPLES],
            new_files=self.new_paths[:REPORT_EXAMPLES],
            changed_files=self.changed_paths[:REPORT_EXAMPLES],
        )


def plan_run(
    loader: Loader, raw_dir: str | Path, tally: RunTally, warehouse: Path | None = None
) -> tuple[Plan, dict[str, str]]:
    """Diff raw/ against the warehouse; also return the content hashes already loaded. The
    warehouse's own files are never input (a warehouse kept inside raw/)."""
    t0 = time.perf_counter()
    root = Path(raw_dir)
    if not root.is_dir():
        raise WinnowError(f"raw folder {root} does not exist or is not a folder", path=root, stage="discover")
    plan = discover(root, loader.manifest())
    if warehouse is not None:
        _leave_out_own_files(plan, root, warehouse)
    # An unchanged re-run needs no content hashes: skip reading one per article.
    known = loader.known_hashes() if plan.to_process else {}
    tally.counts.files_seen = plan.seen
    tally.counts.files_unchanged = len(plan.unchanged)
    tally.counts.files_deleted = len(plan.deleted)
    for entry in plan.to_process + [fe for fe, _ in plan.refused]:
        if entry.prior is None or entry.prior.status == "deleted":
            tally.counts.files_new += 1
            if len(tally.new_paths) < REPORT_EXAMPLES:  # the report's examples; the count is apart
                tally.new_paths.append(entry.path)
        else:
            tally.counts.files_changed += 1
            tally.changed_paths.append(entry.path)
    tally.stage_seconds["discover"] += time.perf_counter() - t0
    return plan, known


def _leave_out_own_files(plan: Plan, root: Path, warehouse: Path) -> None:
    if not os.path.realpath(warehouse).startswith(os.path.realpath(root) + os.sep):
        return

    def theirs(path: str) -> bool:
        return not is_own_file(root / path, warehouse)

    plan.to_process = [e for e in plan.to_process if theirs(e.path)]
    plan.unchanged = [e for e in plan.unchanged if theirs(e.path)]
    plan.refused = [(e, r) for e, r in plan.refused if theirs(e.path)]


def refused_batch(refused: list[tuple[FileEntry, Rejection]]) -> Batch:
    """Files refused at discovery (symlinks, unsupported types) as a batch of rejections."""
    from winnow.batch import Batch

    sources: list[dict[str, Any]] = []
    rejections: list[dict[str, Any]] = []
    for entry, rejection in refused:
        doc = Document(entry.path, doc_id=doc_id_for(entry.path), format=entry.format, rejections=[rejection])
        sources.append(doc.source_row(None, entry.size, entry.mtime_ns))
        rejections.extend(doc.rejection_rows(None))
    return Batch(
        articles=pl.DataFrame(schema=ARTICLE_FRAME),
        segments=pl.DataFrame(schema=SEGMENT_FRAME),
        rejections=pl.DataFrame(rejections, schema=REJECTION_FRAME),
        sources=pl.DataFrame(sources, schema=SOURCE_FRAME),
        files=len(refused),
    )


def load_batch(loader: Loader, batch: Batch, known: dict[str, str], tally: RunTally) -> None:
    """Validate, de-duplicate and load one processed batch inside the run's transaction."""
    from winnow.store.dedup import split_duplicates
    from winnow.validate import check_rejections, validate_articles

    t0 = time.perf_counter()
    if batch.validated:  # by its worker (winnow.prepare)
        unique, duplicates, rejections = *split_duplicates(batch.articles, known), batch.rejections
        t1 = t0
    else:
        valid, invalid = validate_articles(batch.articles, batch.sources)
        t1 = time.perf_counter()
        unique, duplicates = split_duplicates(valid, known)
        rejections = pl.concat([batch.rejections, invalid], how="vertical")
        check_rejections(rejections)
    keep = batch.kept["doc_id"].to_list()
    loader.load(
        unique,
        batch.segments,
        rejections,
        batch.sources,
        duplicates,
        batch.signatures,
        replace=batch.replace,
        keep=keep,
        terms=batch.terms,
    )
    loader.keep_records(batch.kept, batch.kept_files)
    loader.add_skipped(batch.skipped)
    loader.add_observations(batch.observations)
    loader.touch(batch.touched)
    # A file that vanished between discovery and reading is gone: mark it deleted now (its
    # rejection row keeps the reason), so the warehouse accounts for raw/ as it is.
    vanished = rejections.filter(pl.col("check") == "vanished")["path"].unique().to_list()
    loader.mark_deleted(vanished)
    tally.counts.files_deleted += len(vanished)
    hold("load")
    t2 = time.perf_counter()
    for stage, seconds in batch.timings.items():
        tally.stage_seconds[stage] += seconds
    tally.stage_seconds["validate"] += t1 - t0
    tally.stage_seconds["load"] += t2 - t1
    tally.counts.loaded += unique.height
    tally.counts.duplicates += len(duplicates)
    tally.counts.rejected += rejections["doc_id"].n_unique() if rejections.height else 0
    tally.rejection_reasons.update(rejections["check"].to_list())
    room = REPORT_EXAMPLES - len(tally.rejection_examples)
    if room > 0 and rejections.height:
        tally.rejection_examples.extend(rejections.select("path", "check", "reason").head(room).to_dicts())
    kept_segments = batch.segments.filter(pl.col("doc_id").is_in(unique["doc_id"].to_list()))
    tally.counts.segments_removed += kept_segments.filter(pl.col("category") != "metadata").height
    tally.rule_hits.update(kept_segments.filter(pl.col("category") != "metadata")["rule_id"].to_list())
    # Touched files (same bytes, new mtime) were counted as changed at discovery; they are not.
    if batch.touched:
        touched = {p for p, _, _ in batch.touched}
        moved = [p for p in tally.changed_paths if p in touched]
        tally.counts.files_changed -= len(moved)
        tally.counts.files_unchanged += len(moved)
        tally.changed_paths = [p for p in tally.changed_paths if p not in touched]


def finish_run(loader: Loader, plan: Plan, tally: RunTally, raw_dir: str) -> RunSummary:
    """Mark vanished files deleted, record the run, commit. Returns the run summary."""
    t0 = time.perf_counter()
    loader.flush_staged()
    t1 = time.perf_counter()
    loader.mark_deleted(plan.deleted)
    tally.stage_seconds["load"] += t1 - t0
    tally.stage_seconds["finish"] += time.perf_counter() - t1
    summary = tally.summary(loader.run_id, "completed", raw_dir)
    loader.record_run(summary)
    hold("commit")
    loader.commit()
    hold("committed")  # after the commit: a stop here must not record the run a second time
    return summary


def chunks(entries: list[FileEntry], size: int) -> list[list[FileEntry]]:
    return [entries[i : i + size] for i in range(0, len(entries), size)]


def plan_batches(
    loader: Loader,
    raw_dir: str | Path,
    plan: Plan,
    settings: Settings,
    load: Callable[[Batch], None],
) -> Iterator[list[Work]]:
    """The run's batches (winnow.read.parts): files, and archives cut into parts. A changed
    multi-record file carries its loaded records' hashes, so its unchanged records are kept; an
    archive is indexed when its turn comes, and what its index settles (kept and skipped records,
    a failed file or tail) is loaded at once, its old rows replaced, before its parts go out."""
    root = Path(raw_dir)

    def with_known(entry: FileEntry) -> FileEntry:
        if entry.format in RECORD_FORMATS and entry.prior is not None and entry.prior.status != "deleted":
            return replace(entry, known=tuple(loader.record_priors(entry.path).items()))
        return entry

    def expand(entry: FileEntry) -> list[ArchivePart]:
        archive = plan_archive(root, entry, settings, loader.record_priors)
        load(archive_batch(archive))
        return archive.parts

    yield from batches([with_known(e) for e in plan.to_process], settings.batch_size, expand)


def archive_batch(archive: ArchivePlan) -> Batch:
    """What an archive's index settles, as a batch: the path's old rows replaced (but for its
    unchanged records, which take its new hash), skipped records, a failed file or tail."""
    from winnow.batch import Batch

    entry = archive.entry
    if archive.same_bytes:
        return Batch(
            articles=pl.DataFrame(schema=ARTICLE_FRAME),
            segments=pl.DataFrame(schema=SEGMENT_FRAME),
            rejections=pl.DataFrame(schema=REJECTION_FRAME),
            sources=pl.DataFrame(schema=SOURCE_FRAME),
            touched=[(entry.path, entry.size, entry.mtime_ns)],
            files=1,
            replace=[],
        )
    sources: list[dict[str, Any]] = []
    rejections: list[dict[str, Any]] = []
    for ordinal, key, why in archive.rejected:
        doc = Document(entry.path, record=ordinal, format=entry.format, rejections=[why])
        doc.doc_id = doc_id_for(entry.path, key)
        sources.append(doc.source_row(archive.sha256, entry.size, entry.mtime_ns))
        rejections.extend(doc.rejection_rows(archive.sha256))
    return Batch(
        articles=pl.DataFrame(schema=ARTICLE_FRAME),
        segments=pl.DataFrame(schema=SEGMENT_FRAME),
        rejections=pl.DataFrame(rejections, schema=REJECTION_FRAME),
        sources=pl.DataFrame(sources, schema=SOURCE_FRAME),
        files=0 if archive.parts else 1,
        kept=pl.DataFrame(archive.kept, schema=KEPT_FRAME),
        kept_files=[(entry.path, archive.sha256, entry.size, entry.mtime_ns)],
        skipped=pl.DataFrame(archive.skipped, schema=SKIPPED_FRAME),
        replace=[entry.path],
    )
