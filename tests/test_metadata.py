from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from winnow.extract.authors import parse_byline
from winnow.extract.dates import local_iso, parse_datetime, slash_dayfirst
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
    # Visible date lines, by shape: prefix, separators, time of day and zone where given.
    ("Published - April 16, 2025 09:19 pm IST", datetime(2025, 4, 16, 15, 49, tzinfo=UTC)),
    ("Feb. 13, 2024, 2:36 AM UTC", datetime(2024, 2, 13, 2, 36, tzinfo=UTC)),
    ("November 19, 2019 / 6:02 AM / Updated 4 hours ago", datetime(2019, 11, 19, 6, 2, tzinfo=UTC)),
    ("PUBLISHED: 00:01, Tue, Nov 19, 2019", datetime(2019, 11, 19, 0, 1, tzinfo=UTC)),
    ("Published 22 hours ago", None),
    ("Veröffentlicht am 8. Januar 2020 um 9:58 Uhr", datetime(2020, 1, 8, 9, 58, tzinfo=UTC)),
    ("01. Dez. 2022 | 14:08 Uhr", datetime(2022, 12, 1, 14, 8, tzinfo=UTC)),
    ("Stand: 07.11.2023, 07:30 Uhr MEZ", datetime(2023, 11, 7, 6, 30, tzinfo=UTC)),
    ("Erstellt am09.02.2022", datetime(2022, 2, 9, tzinfo=UTC)),
    ("lundi 9 décembre 2019 à 09h08", datetime(2019, 12, 9, 9, 8, tzinfo=UTC)),
    ("Miércoles 04 mayo de 2022 | 01:10", datetime(2022, 5, 4, 1, 10, tzinfo=UTC)),
    ("4 de mayo de 2022", datetime(2022, 5, 4, tzinfo=UTC)),
    ("mayo 11, 2022", datetime(2022, 5, 11, tzinfo=UTC)),
    ("11 maggio 2022 alle 14:30", datetime(2022, 5, 11, 14, 30, tzinfo=UTC)),
    ("11 de maio de 2022 às 14:30", datetime(2022, 5, 11, 14, 30, tzinfo=UTC)),
    ("11 mei 2022 om 14:30", datetime(2022, 5, 11, 14, 30, tzinfo=UTC)),
    ("Tue, 19 Nov 2019 13:03:00 +0000", datetime(2019, 11, 19, 13, 3, tzinfo=UTC)),
    ("19.11.2019 14:00 (UTC+2)", datetime(2019, 11, 19, 12, 0, tzinfo=UTC)),
    ("", None),
    ("not a date at all", None),
]


@pytest.mark.parametrize(("raw", "expected"), DATES)
def test_date_forms(raw: str, expected: datetime | None) -> None:
    assert parse_datetime(raw) == expected


def test_slashed_dates_follow_the_page() -> None:
    # 04/05/2022: the page decides, by an unambiguous date elsewhere or by its language.
    assert parse_datetime("04/05/2022", dayfirst=True) == datetime(2022, 5, 4, tzinfo=UTC)
    assert parse_datetime("04/05/2022") == datetime(2022, 4, 5, tzinfo=UTC)
    assert slash_dayfirst("Posted 04/05/2022. Comments: 17/05/2022")
    assert not slash_dayfirst("Posted 04/05/2022. Comments: 05/17/2022")
    assert slash_dayfirst("postado em 04/05/2022 e atualizado com novas informações sobre o caso")
    assert not slash_dayfirst("posted on 04/05/2022 and updated with the latest news of the case")


@pytest.mark.parametrize("raw", ["2006", "May 2006", "2006-05", "Published in 2019", "Winter 2021"])
def test_a_date_without_month_or_day_names_no_day(raw: str) -> None:
    # Once dateutil filled the missing parts from today: datePublished "2006" came out as this
    # run's month and day, so the same page gave another date each day it was ingested.
    assert parse_datetime(raw) is None


def test_a_whole_date_still_parses_through_dateutil() -> None:
    assert parse_datetime("Mon, 30 Jan 2017 10:00:00 GMT") == datetime(2017, 1, 30, 10, tzinfo=UTC)
    assert parse_datetime("2024-02-29") == datetime(2024, 2, 29, tzinfo=UTC)


def test_local_iso_keeps_the_stated_offset() -> None:
    raw = "Published - April 16, 2025 09:19 pm IST"
    assert local_iso(raw, parse_datetime(raw)) == "2025-04-16T21:19:00+05:30"
    assert local_iso("8. Januar 2020", parse_datetime("8. Januar 2020")) == "2020-01-08T00:00:00"


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
