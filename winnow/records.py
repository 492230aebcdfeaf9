"""The one record type that travels the pipeline, and the reasons a document can leave it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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

    stage: str  # discover | read | decode | parse | clean | metadata | validate | load
    check: str  # short machine name: undecodable, empty_after_cleaning, too_large, ...
    reason: str  # one sentence for a person
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Document:
    """A source file (or record) on its way to becoming an article. Gains fields at each step."""

    source_path: str  # relative to raw/, POSIX separators
    record: int = 0  # index inside a multi-record file (JSONL); 0 otherwise
    doc_id: str = ""
    sha256: str = ""
    size: int = 0
    mtime_ns: int = 0
    format: str = "txt"
    text: str = ""  # decoded text
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
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return bool(self.rejections)

    def reject(self, stage: str, check: str, reason: str, **detail: Any) -> Document:
        self.rejections.append(Rejection(stage, check, reason, dict(detail)))
        return self
