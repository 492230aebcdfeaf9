"""Property tests over hostile input, beyond the per-module ones in test_decode, test_clean and
test_metadata: text in every encoding, truncated bytes, date-shaped strings built to be wrong,
and the whole per-file path on arbitrary bytes."""

from __future__ import annotations

import codecs
import tempfile
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from winnow.batch import process_file
from winnow.clean.lines import clean_lines
from winnow.clean.rules import default_rules, normalise_line
from winnow.extract.dates import parse_datetime
from winnow.extract.header import read_header
from winnow.read.decode import decode, normalise_text
from winnow.read.sources import FileEntry
from winnow.records import Document
from winnow.settings import get_settings

RULES = default_rules()
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=1500)


@given(
    TEXT,
    st.sampled_from(
        [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]
    ),
)
def test_text_behind_a_bom_decodes_to_itself_normalised(text: str, bom_codec: tuple[bytes, str]) -> None:
    bom, codec = bom_codec
    result = decode(bom + text.encode(codec))
    if result.text is None:
        assert result.problem in ("empty", "binary") and result.detail
    else:
        assert result.text == normalise_text(text)


@given(TEXT, st.sampled_from(["utf-8", "utf-16-le", "cp1252", "latin-1", "utf-32"]), st.integers(0, 7))
def test_any_encoding_cut_anywhere_never_raises(text: str, codec: str, cut: int) -> None:
    data = text.encode(codec, "replace")
    result = decode(data[: max(0, len(data) - cut)])
    assert (result.text is None) == (result.problem is not None)
    if result.text is not None:
        assert not set("\r\x00\u200b\ufeff") & set(result.text)
        assert result.text == normalise_text(result.text)  # decoding output is a fixed point


@given(st.lists(TEXT.map(lambda t: t.replace("\n", " ")), max_size=30))
def test_cleaning_partitions_lines_and_is_idempotent(lines: list[str]) -> None:
    kept, removed = clean_lines(lines, RULES.rules)
    removed_at = {s.position - 1 for s in removed}
    # Blank for the cleaner: nothing left once decoration (|, •, —, …) is trimmed.
    blank = {i for i, line in enumerate(lines) if not normalise_line(line)}
    assert set(kept).isdisjoint(removed_at)
    assert set(kept) | removed_at | blank == set(range(len(lines)))
    assert all(seg.text == lines[seg.position - 1].strip() for seg in removed)
    again = [lines[i] for i in kept]
    kept2, removed2 = clean_lines(again, RULES.rules)
    assert removed2 == [] and kept2 == list(range(len(again)))


MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
KNOWN = {"UTC": 0, "GMT": 0, "EST": -5, "PDT": -7, "CET": 1, "JST": 9, "AEDT": 11}


@given(
    st.integers(1990, 2100),
    st.integers(1, 12),
    st.integers(1, 31),
    st.integers(0, 23),
    st.integers(0, 59),
    st.sampled_from(sorted(KNOWN)),
)
def test_dates_are_exact_utc_or_none_never_shifted(
    year: int, month: int, day: int, hour: int, minute: int, zone: str
) -> None:
    raw = f"{MONTHS[month - 1]} {day}, {year} at {hour:02d}:{minute:02d} {zone}"
    value = parse_datetime(raw)
    try:
        local = datetime(year, month, day, hour, minute)
    except ValueError:  # February 30 and friends name no instant
        assert value is None, raw
        return
    assert value == (local - timedelta(hours=KNOWN[zone])).replace(tzinfo=UTC), raw
    assert value is not None and value.tzinfo is UTC


@given(
    st.lists(TEXT.map(lambda t: t.replace("\n", " ")[:120]), max_size=6),
    st.integers(0, 9999),
    st.integers(0, 40),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ+-:0123456789", max_size=8),
)
def test_header_dates_are_none_or_utc_in_range(lines: list[str], year: int, day: int, zone: str) -> None:
    date_line = f"Updated March {day}, {year:04d}, 10:15 AM {zone}"
    header = Document("article.txt")
    read_header(header, ["A Headline", "By Jane Doe", date_line, *lines])
    for when in (header.published_at, header.updated_at):
        assert when is None or (when.tzinfo is not None and when.utcoffset() == timedelta(0))
        assert when is None or datetime(1, 1, 2, tzinfo=UTC) <= when <= datetime(9999, 12, 31, tzinfo=UTC)


_FOLDER = Path(tempfile.mkdtemp(prefix="winnow-prop-"))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000) | TEXT.map(lambda t: t.encode("utf-8")))
def test_the_whole_file_path_never_raises_and_always_says_why(data: bytes) -> None:
    path = _FOLDER / "doc.txt"
    path.write_bytes(data)
    entry = FileEntry("doc.txt", len(data), 0, "txt")
    docs, sha = process_file(_FOLDER, entry, RULES, get_settings(), defaultdict(float))
    assert docs and sha
    for doc in docs:
        if doc.rejected:
            assert all(r.check and r.reason for r in doc.rejections)
            assert all(r.check != "crashed" for r in doc.rejections), doc.rejections
        else:
            assert doc.body.strip() and doc.content_hash
