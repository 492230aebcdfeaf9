"""Work for the batch workers: files, and archives cut into parts of records.

Memory follows the batch, not the file: a WARC file is indexed once (winnow.read.warc's scan,
in the flow's process, streaming), then its records go to the workers in parts of at most
`batch_size` records; a batch is filled up to `batch_size` documents, counting a file as one and
a part as its records.

Per-record incremental skip. A record's identity is its doc_id (path + WARC-Record-ID, feed
entry id, or record number); its `record_sha256` says whether it changed (the WARC header block,
the JSONL line, the CSV row, the JSON object, the feed entry). When a multi-record file changed,
its records whose doc_id was loaded before with the same record_sha256 are kept as they are
(their sources rows move to the new file hash, ordinal and offset); only new and changed records
are processed, and records gone from the file are dropped with its other old rows. WARC records
are sorted out here, before any worker reads them; JSON, JSONL, CSV and feed records by their
reader, before their text is mapped or extracted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from winnow.budget import BudgetExceeded, time_budget
from winnow.names import real_name
from winnow.read.sources import FileEntry
from winnow.read.warc import ArchiveRecord, read_archive_records, record_documents, scan_archive
from winnow.records import Document, Rejection, doc_id_for
from winnow.settings import Settings

# Text formats of many records, whose unchanged records a re-run keeps (WARC archives are planned here).
RECORD_FORMATS = frozenset({"json", "jsonl", "csv", "tsv", "feed"})
# Problems that refuse an archive whole; after others (a corrupt or cut-off tail) the records
# before the problem still load.
WHOLE_FILE = frozenset({"too_many_records", "too_large", "warc_not_gzipped_per_record"})


@dataclass(frozen=True, slots=True)
class ArchivePart:
    """Records of one archive for one worker to read."""

    entry: FileEntry
    sha256: str  # the whole file's, from the scan
    records: tuple[ArchiveRecord, ...]
    last: bool  # the file's last part: the file counts as done when it is loaded

    @property
    def path(self) -> str:
        return self.entry.path


@dataclass
class ArchivePlan:
    """What the flow's process settles for one archive before its parts go out."""

    entry: FileEntry
    sha256: str
    parts: list[ArchivePart]
    kept: list[dict[str, Any]]  # sources updates for unchanged records
    skipped: list[dict[str, Any]]  # skipped_records rows
    rejected: list[tuple[int, str, Rejection]]  # (ordinal, key, why) for a file or tail that failed
    same_bytes: bool = False


Work = FileEntry | ArchivePart
Priors = Callable[[str], dict[str, str]]  # path -> {doc_id: record_sha256} of its loaded records


def plan_archive(root: Path, entry: FileEntry, settings: Settings, priors: Priors) -> ArchivePlan:
    scan = scan_archive(
        root / real_name(entry.path),
        settings.max_archive_bytes,
        settings.max_records_per_file,
        settings.max_record_bytes,
    )
    plan = ArchivePlan(entry, scan.sha256, [], [], [], [])
    if scan.problem is not None and scan.problem.check in WHOLE_FILE:
        plan.rejected.append((0, "0", scan.problem))  # over a limit: the file is refused whole
        return plan
    if (
        entry.prior
        and entry.prior.status != "deleted"
        and entry.prior.sha256 == scan.sha256
        and not scan.problem
    ):
        plan.same_bytes = True
        return plan
    known = priors(entry.path) if entry.prior else {}
    todo: list[ArchiveRecord] = []
    for rec in scan.records:
        if rec.skip:
            plan.skipped.append(
                {
                    "path": entry.path,
                    "record": rec.ordinal,
                    "sha256": scan.sha256,
                    "record_offset": rec.offset,
                    "record_type": rec.kind,
                    "content_type": rec.payload_type,
                    "target_uri": rec.target_uri,
                    "reason": rec.skip,
                }
            )
            continue
        did = doc_id_for(entry.path, rec.key)
        if known.get(did) == rec.digest:
            plan.kept.append({"doc_id": did, "record": rec.ordinal, "record_offset": rec.offset})
        else:
            todo.append(rec)
    if not todo and not plan.kept and scan.problem is None:
        kinds = Counter(r.skip for r in scan.records)
        plan.rejected.append(
            (
                0,
                "0",
                Rejection(
                    "parse",
                    "no_documents",
                    f"none of the archive's {len(scan.records)} records is a page or a text "
                    f"({', '.join(f'{n} {k}' for k, n in kinds.most_common(5))})",
                    {"skipped": dict(kinds)},
                ),
            )
        )
    if scan.problem is not None:
        tail = len(scan.records)
        plan.rejected.append((tail, "0" if tail == 0 else f"@tail{tail}", scan.problem))
    size = max(1, settings.batch_size)
    chunks = [tuple(todo[i : i + size]) for i in range(0, len(todo), size)]
    plan.parts = [
        ArchivePart(replace(entry, size=scan.size), scan.sha256, c, i == len(chunks) - 1)
        for i, c in enumerate(chunks)
    ]
    return plan


def batches(
    work: Sequence[FileEntry],
    size: int,
    expand: Callable[[FileEntry], list[ArchivePart]],
) -> Iterator[list[Work]]:
    """Batches of up to `size` documents; an archive is expanded into its parts when reached, so
    indexing the next archive overlaps the workers' reading of the one before."""
    batch: list[Work] = []
    weight = 0
    for entry in work:
        items: list[Work] = list(expand(entry)) if entry.format == "warc" else [entry]
        for item in items:
            cost = len(item.records) if isinstance(item, ArchivePart) else 1
            if batch and weight + cost > size:
                yield batch
                batch, weight = [], 0
            batch.append(item)
            weight += cost
    if batch:
        yield batch


def read_archive_part(root: Path, part: ArchivePart, settings: Settings) -> list[Document]:
    """The documents of a part's records, each read under its own time budget."""
    out: list[Document] = []
    for info, payload in read_archive_records(
        root / real_name(part.path), list(part.records), settings.max_record_bytes
    ):
        doc = Document(
            source_path=part.path,
            record=info.ordinal,
            size=part.entry.size,
            mtime_ns=part.entry.mtime_ns,
            format="warc",
            sha256=part.sha256,
            doc_id=doc_id_for(part.path, info.key),
            record_sha256=info.digest,
            record_offset=info.offset,
        )
        if isinstance(payload, Rejection):
            doc.rejections.append(payload)
            out.append(doc)
            continue
        try:
            with time_budget(settings.doc_time_budget_s) as deadline:
                deadline.at("parse")
                out.extend(record_documents(doc, info, payload, settings.max_line_chars))
        except BudgetExceeded as exc:
            doc.rejections = [Rejection(exc.stage, "time_budget", str(exc), {"seconds": exc.seconds})]
            out.append(doc)
    return out


def read_whole_archive(root: Path, entry: FileEntry, settings: Settings) -> tuple[list[Document], str | None]:
    """Every readable record of an archive at once (`winnow preview`, a lone file): its
    documents, and rejections for what failed. Skipped records are not documents."""
    plan = plan_archive(root, replace(entry, prior=None), settings, lambda _: {})
    docs: list[Document] = []
    for part in plan.parts:
        docs.extend(read_archive_part(root, part, settings))
    for ordinal, key, why in plan.rejected:
        doc = Document(entry.path, record=ordinal, size=entry.size, mtime_ns=entry.mtime_ns, format="warc")
        doc.doc_id, doc.sha256 = doc_id_for(entry.path, key), plan.sha256
        doc.rejections.append(why)
        docs.append(doc)
    return docs, plan.sha256
