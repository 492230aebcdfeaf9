"""Dry run of the document path on one file: nothing is written anywhere."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Any

import polars as pl

from winnow.batch import process_file
from winnow.clean.rules import rules_for
from winnow.names import stored_name
from winnow.read.sources import FileEntry, format_of, unsupported_format
from winnow.records import Document
from winnow.schemas.columns import ARTICLE_FRAME, SOURCE_FRAME
from winnow.settings import get_settings
from winnow.validate import validate_articles


def preview_file(path: Path, rules_dir: Path | None = None) -> dict[str, Any]:
    """The documents `path` becomes: each article row (or none), its rejections (the contract's
    included) and what the cleaner removed."""
    st = path.stat()
    name = stored_name(path.name)  # as `winnow ingest` would store it (winnow.names)
    fmt = format_of(name)
    timings: defaultdict[str, float] = defaultdict(float)
    if fmt is None:  # what `winnow ingest` refuses, preview refuses alike
        docs: list[Document] = [Document(name, format="unknown", rejections=[unsupported_format()])]
        sha = None
    else:
        entry = FileEntry(name, st.st_size, st.st_mtime_ns, fmt)
        docs, sha = process_file(path.parent, entry, rules_for(rules_dir), get_settings(), timings)
    out = []
    for doc in docs:
        item: dict[str, Any] = {"source_path": stored_name(str(path)), "record": doc.record}
        rejections = [asdict(r) for r in doc.rejections]
        if not doc.rejected:
            row = doc.article_row()
            frame = pl.DataFrame([row], schema=ARTICLE_FRAME)
            src = pl.DataFrame([doc.source_row(sha, doc.size, 0)], schema=SOURCE_FRAME)
            _, invalid = validate_articles(frame, src)
            rejections += invalid.select("stage", "check", "reason", "detail").to_dicts()
            item.update({k: v for k, v in row.items() if k not in ("source_path", "record")})
        item["rejections"] = rejections
        item["removed"] = [asdict(s) for s in doc.removed]
        item.setdefault("body", "")
        out.append(item)
    return {"path": stored_name(str(path)), "sha256": sha, "documents": out}
