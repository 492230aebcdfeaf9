from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from winnow.extract.authors import parse_byline
from winnow.extract.dates import parse_datetime
from winnow.extract.header import parse_read_time, read_header
from winnow.records import Document

BYLINES = [
    ("Dalibor Rohac", ["Dalibor Rohac"]),
    ("By Jane Doe", ["Jane Doe"]),
    ("BY JANE DOE", ["JANE DOE"]),
    ("By Jane Doe and John Smith", ["Jane Doe", "John Smith"]),
    ("By Jane Doe & John Smith", ["Jane Doe", "John Smith"]),
    ("Alex Chen, Sam Rivera and Noor Haddad", ["Alex Chen", "Sam Rivera", "Noor Haddad"]),
    ("Alex Chen, Sam Rivera, and Noor Haddad", ["Alex Chen", "Sam Rivera", "Noor Haddad"]),
    ("By Ludwig van Beethoven", ["Ludwig van Beethoven"]),
    ("By Seán O’Brien-Murphy", ["Seán O’Brien-Murphy"]),
    ("By J. R. R. Tolkien", ["J. R. R. Tolkien"]),
    ("By Maria Gonzalez, Staff Writer", ["Maria Gonzalez"]),
    ("Story by Priya Raman", ["Priya Raman"]),
    ("Written by: Kim Ji-woo", ["Kim Ji-woo"]),
    ("Par Claire Dubois", ["Claire Dubois"]),
    ("By Reuters", ["Reuters"]),
    ("By The Associated Press", None),
    ("The president said on Tuesday that the talks would continue.", None),
    ("Tue, December 23, 2025 at 7:08 AM UTC", None),
    ("6 min read", None),
    ("hello world", None),
    ("", None),
]


@pytest.mark.parametrize(("line", "expected"), BYLINES)
def test_byline_forms(line: str, expected: list[str] | None) -> None:
    assert parse_byline(line) == expected


DATES = [
    ("Tue, December 23, 2025 at 7:08 AM UTC", datetime(2025, 12, 23, 7, 8, tzinfo=UTC)),
    ("Updated Dec 23, 2025, 2:08 AM EST", datetime(2025, 12, 23, 7, 8, tzinfo=UTC)),
    ("Published Dec. 3, 2025, 5:00 a.m. ET", datetime(2025, 12, 3, 10, 0, tzinfo=UTC)),
    ("Published June 3, 2025, 5:00 a.m. ET", datetime(2025, 6, 3, 9, 0, tzinfo=UTC)),
    ("2025-11-02T14:30:00Z", datetime(2025, 11, 2, 14, 30, tzinfo=UTC)),
    ("2025-11-02T14:30:00+02:00", datetime(2025, 11, 2, 12, 30, tzinfo=UTC)),
    ("2025-11-02 14:30", datetime(2025, 11, 2, 14, 30, tzinfo=UTC)),
    ("2025-11-02", datetime(2025, 11, 2, tzinfo=UTC)),
    ("Mon 14 Jul 2025 10.15 BST", datetime(2025, 7, 14, 9, 15, tzinfo=UTC)),
    ("23 December 2025", datetime(2025, 12, 23, tzinfo=UTC)),
    ("Nov 18, 2025", datetime(2025, 11, 18, tzinfo=UTC)),
    ("December 1, 2025 9:30 PM PST", datetime(2025, 12, 2, 5, 30, tzinfo=UTC)),
    ("Feb 30, 2024", None),
    ("", None),
    ("not a date at all", None),
]


@pytest.mark.parametrize(("raw", "expected"), DATES)
def test_date_forms(raw: str, expected: datetime | None) -> None:
    assert parse_datetime(raw) == expected


@pytest.mark.parametrize(
    ("line", "minutes"),
    [
        ("6 min read", 6),
        ("12 mins read", 12),
        ("3 minute read", 3),
        ("4-minute read", 4),
        ("Reading time: 7 minutes", 7),
        ("10 min", 10),
        ("6 min reading", 6),
        ("0 min read", None),
        ("about six minutes", None),
        ("6 minutes later, the police arrived", None),
    ],
)
def test_read_time_forms(line: str, minutes: int | None) -> None:
    assert parse_read_time(line) == minutes


def test_header_yahoo_style() -> None:
    lines = [
        "A Title Here",
        "Dalibor Rohac",
        "Tue, December 23, 2025 at 7:08 AM UTC",
        "6 min read",
        "Body paragraph that starts the article and goes on for a while.",
    ]
    h = Document("article.txt")
    consumed = read_header(h, lines)
    assert h.title == "A Title Here"
    assert h.authors == ["Dalibor Rohac"]
    assert h.published_at == datetime(2025, 12, 23, 7, 8, tzinfo=UTC)
    assert h.published_raw == "Tue, December 23, 2025 at 7:08 AM UTC"
    assert h.read_time_stated_min == 6
    assert consumed == [0, 1, 2, 3]


def test_header_combined_line_and_updated() -> None:
    lines = [
        "Title",
        "By Ann Lee | Published Jan 5, 2025 | 4 min read",
        "Updated Jan 6, 2025, 9:00 AM EST",
        "The body begins here and is plain prose.",
    ]
    h = Document("article.txt")
    consumed = read_header(h, lines)
    assert h.authors == ["Ann Lee"]
    assert h.published_at == datetime(2025, 1, 5, tzinfo=UTC)
    assert h.updated_at == datetime(2025, 1, 6, 14, 0, tzinfo=UTC)
    assert h.read_time_stated_min == 4
    assert consumed == [0, 1, 2]


def test_header_stops_at_body() -> None:
    lines = ["Title", "The first paragraph mentions Jane Doe but is a sentence.", "Jane Doe"]
    h = Document("article.txt")
    consumed = read_header(h, lines)
    assert h.authors == []
    assert consumed == [0]


@given(st.lists(st.text(max_size=200), max_size=15))
def test_header_never_raises_and_dates_are_sane(lines: list[str]) -> None:
    h = Document("article.txt")
    consumed = read_header(h, lines)
    for when in (h.published_at, h.updated_at):
        if when is not None:
            assert when.tzinfo is not None and when.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert all(0 <= i < len(lines) for i in consumed)


@given(st.text(max_size=300))
def test_parse_datetime_never_raises(raw: str) -> None:
    value = parse_datetime(raw)
    assert value is None or value.tzinfo is not None
