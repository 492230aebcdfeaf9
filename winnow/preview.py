"""Dry run of the document path on one file: nothing is written anywhere."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Any

from winnow.config import get_settings
from winnow.pipeline import article_row, process_file
from winnow.rules import default_rules
from winnow.sources import FileEntry, format_of
from winnow.validation import validate_articles


def preview_file(path: Path) -> dict[str, Any]:
    import polars as pl

    from winnow.pipeline import ARTICLE_SCHEMA, SOURCE_SCHEMA

    st = path.stat()
    entry = FileEntry(path.name, st.st_size, st.st_mtime_ns, format_of(path.name) or "txt")
    timings: defaultdict[str, float] = defaultdict(float)
    docs, sha = process_file(path.parent, entry, default_rules(), get_settings(), timings)
    out = []
    for doc in docs:
        item: dict[str, Any] = {"source_path": str(path), "record": doc.record}
        rejections = [asdict(r) for r in doc.rejections]
        if not doc.rejected:
            row = article_row(doc)
            frame = pl.DataFrame([row], schema=ARTICLE_SCHEMA)
            src = pl.DataFrame(
                [
                    {
                        "path": doc.source_path,
                        "record": doc.record,
                        "sha256": sha,
                        "bytes": doc.size,
                        "mtime_ns": 0,
                        "format": doc.format,
                        "doc_id": doc.doc_id,
                    }
                ],
                schema=SOURCE_SCHEMA,
            )
            _, invalid = validate_articles(frame, src)
            rejections += invalid.select("stage", "check", "reason", "detail").to_dicts()
            item.update({k: v for k, v in row.items() if k not in ("source_path", "record")})
        item["rejections"] = rejections
        item["removed"] = [asdict(s) for s in doc.removed]
        item.setdefault("body", "")
        out.append(item)
    return {"path": str(path), "sha256": sha, "documents": out}
