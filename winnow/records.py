"""The one record type that travels the pipeline, the reasons a document can leave it, and the
summary a run ends with. Row builders derive from the column declaration (winnow.schemas.columns)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime
from typing import Any

from winnow.errors import InvalidRecord
from winnow.names import without_surrogates
from winnow.schemas.columns import ARTICLES, RUNS, names

_ARTICLE_ROW = names(ARTICLES, "row")
_RUN_JSON = {c.name for c in RUNS if c.sql == "JSON"}


def doc_id_for(source_path: str, record: int | str = 0) -> str:
    """Stable identity: the path under raw/ plus the record number inside the file."""
    return hashlib.sha256(f"{source_path}#{record}".encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of the source text taken out of the body, and why."""

    position: int  # 1-based line number in the decoded text
    text: str
    rule_id: str
    category: str


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a file (or one record of it) did not become an article."""

    stage: str  # one of winnow.schemas.columns.STAGES
    check: str  # short machine name: undecodable, empty_after_cleaning, too_large, ...
    reason: str  # one sentence for a person
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Document:
    """A source file (or record) on its way to becoming an article. Gains fields at each step:
    the reader sets identity, lines and whatever metadata the source declares; header extraction
    fills what is still missing from the visible lines; cleaning, language and the body follow."""

    source_path: str  # relative to raw/, POSIX separators
    record: int = 0  # index inside a multi-record file (JSONL); 0 otherwise
    doc_id: str = ""
    sha256: str = ""
    size: int = 0
    mtime_ns: int = 0
    format: str = "txt"
    encoding: str = ""
    lines: list[str] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)  # indices into lines that survive cleaning
    removed: list[Segment] = field(default_factory=list)
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    published_raw: str | None = None
    updated_at: datetime | None = None
    updated_raw: str | None = None
    read_time_stated_min: int | None = None
    read_time_est_min: int | None = None
    word_count: int = 0
    language: str | None = None
    language_prob: float | None = None
    publisher: str | None = None
    url: str | None = None
    body: str = ""
    content_hash: str = ""
    header_found: bool = False  # metadata came from the reader (markup, fields, page layout), not line 1
    declared_language: str | None = None  # what the source says of itself (<html lang>, a field)
    declared_body: str | None = None  # the text the source declares (JSON-LD articleBody)
    truncated: bool = False  # the text is a teaser of the article (NewsAPI's cut content, a summary)
    full_chars: int | None = None  # the full text's length, where the source states it
    fetched_at: datetime | None = None  # when the page was fetched (WARC-Date, date_download)
    record_sha256: str = ""  # the record's own hash, for the per-record skip (multi-record files)
    record_offset: int | None = None  # where the record starts in its file (WARC)
    unchanged: bool = False  # loaded before with the same record hash: kept, not processed again
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return bool(self.rejections)

    def reject(self, stage: str, check: str, reason: str, **detail: Any) -> Document:
        self.rejections.append(Rejection(stage, check, reason, dict(detail)))
        return self

    def set_published(self, raw: str, when: datetime | None) -> None:
        self.published_raw, self.published_at = raw, when

    def set_updated(self, raw: str, when: datetime | None) -> None:
        self.updated_raw, self.updated_at = raw, when

    def child(self, record: int, key: str | None = None) -> Document:
        """A record of this file (JSON, CSV, a feed, an archive): its own record number, and its
        identity from `key` (a feed entry's id, a WARC-Record-ID) or else from that number."""
        return Document(
            source_path=self.source_path,
            record=record,
            doc_id=doc_id_for(self.source_path, record if key is None else key),
            sha256=self.sha256,
            size=self.size,
            mtime_ns=self.mtime_ns,
            format=self.format,
            encoding=self.encoding,
        )

    def article_row(self) -> dict[str, Any]:
        """The `articles` row of a finished document (the columns a batch carries)."""
        row = {name: getattr(self, name) for name in _ARTICLE_ROW}
        row["authors"] = list(self.authors)
        return row

    def source_row(self, sha256: str | None, size: int, mtime_ns: int) -> dict[str, Any]:
        return {
            "path": self.source_path,
            "record": self.record,
            "sha256": sha256,
            "bytes": size,
            "mtime_ns": mtime_ns,
            "format": self.format,
            "doc_id": self.doc_id,
            "record_sha256": self.record_sha256 or None,
            "record_offset": self.record_offset,
        }

    def rejection_rows(self, sha256: str | None) -> list[dict[str, Any]]:
        return rejection_rows(self.source_path, self.record, sha256, self.doc_id, self.rejections)

    def segment_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "doc_id": self.doc_id,
                "position": s.position,
                "text": s.text,
                "rule_id": s.rule_id,
                "category": s.category,
            }
            for s in self.removed
        ]


def rejection_rows(
    path: str, record: int, sha: str | None, doc_id: str, rejections: Sequence[Rejection]
) -> list[dict[str, Any]]:
    """`rejections` rows (the columns a batch carries) for one document's rejections."""
    return [
        {
            "path": path,
            "record": record,
            "sha256": sha,
            "doc_id": doc_id,
            "stage": r.stage,
            "check": r.check,
            # An OS error's message quotes the file name, with surrogates for odd bytes: written out.
            "reason": without_surrogates(r.reason),
            "detail": json.dumps(_storable(r.detail), default=str),
        }
        for r in rejections
    ]


@dataclass
class RunSummary:
    """What one ingest run did: its `runs` row, the CLI's summary and the run report, all one record."""

    run_id: str
    status: str  # completed | failed | skipped
    started_at: datetime
    finished_at: datetime | None = None
    raw_dir: str = ""
    files_seen: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_unchanged: int = 0
    files_deleted: int = 0
    loaded: int = 0
    duplicates: int = 0
    rejected: int = 0
    segments_removed: int = 0
    duration_s: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    winnow_version: str = ""
    rules_version: str | None = None
    error: str | None = None
    rejection_reasons: dict[str, int] = field(default_factory=dict)  # count per check
    rejection_examples: list[dict[str, Any]] = field(default_factory=list)  # path, check, reason
    top_rules: dict[str, int] = field(default_factory=dict)  # lines removed per rule
    new_files: list[str] = field(default_factory=list)
    changed_files: list[str] = field(default_factory=list)

    def row(self) -> list[Any]:
        """The `runs` row, in the column declaration's order (JSON columns as JSON text)."""
        return [
            json.dumps(_storable(getattr(self, c.name)), default=str)
            if c.name in _RUN_JSON
            else _storable(getattr(self, c.name))
            for c in RUNS
        ]

    def to_json(self) -> str:
        return json.dumps({f.name: _storable(getattr(self, f.name)) for f in fields(self)}, default=str)

    @classmethod
    def from_json(cls, text: str) -> RunSummary:
        """A summary written by to_json(); InvalidRecord (with the reason) for anything else: every
        field must be one of ours and of its declared type, not merely present."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InvalidRecord(f"not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise InvalidRecord("not a JSON object")
        known = {f.name: f for f in fields(cls)}
        unknown = set(data) - set(known)
        if unknown:
            raise InvalidRecord(f"unknown fields {sorted(unknown)}")
        for required in ("run_id", "status", "started_at"):
            if not data.get(required):
                raise InvalidRecord(f"no {required}")
        if data["status"] not in ("completed", "failed", "skipped"):
            raise InvalidRecord(f"status {data['status']!r}")
        for name, value in data.items():
            if name in ("started_at", "finished_at"):
                continue
            if not _has_type(value, _FIELD_TYPES[name]):
                raise InvalidRecord(f"{name} is {type(value).__name__}, not {_FIELD_TYPES[name][0].__name__}")
        try:
            data["started_at"] = _aware(str(data["started_at"]))
            if data.get("finished_at"):
                data["finished_at"] = _aware(str(data["finished_at"]))
        except ValueError as exc:
            raise InvalidRecord(f"bad time: {exc}") from exc
        return cls(**data)


def _storable(value: Any) -> Any:
    """`value` with every string in it free of lone surrogates (winnow.names.without_surrogates)."""
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


def _aware(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return when


def _field_types() -> dict[str, tuple[type, ...]]:
    """The JSON types each RunSummary field may hold, read off its default (None: optional str)."""
    out: dict[str, tuple[type, ...]] = {}
    for f in fields(RunSummary):
        if f.default_factory is not MISSING:
            out[f.name] = (type(f.default_factory()),)
        elif f.default is None:
            out[f.name] = (str, type(None))
        elif f.default is not MISSING:
            out[f.name] = (int, float) if isinstance(f.default, float) else (type(f.default),)
        else:
            out[f.name] = (str,)  # run_id, status, started_at: required text
    return out


def _has_type(value: Any, types: tuple[type, ...]) -> bool:
    return isinstance(value, types) and not (isinstance(value, bool) and bool not in types)


_FIELD_TYPES = _field_types()
