"""Titles, bylines and dates from visible text, as generic shapes: a tidy copy-paste header
(winnow.extract.header), a whole-page dump's header (winnow.read.pageheader), and the line-level
readers under them (winnow.extract.byline, winnow.extract.titles)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.helpers import BODY
from winnow.extract.byline import byline_in, lowercase_words
from winnow.extract.dates import local_iso
from winnow.extract.header import read_header
from winnow.extract.titles import is_chrome, reads_as_body, split_site, strip_label
from winnow.read.pagedump import read_if_page_dump
from winnow.records import Document


def header(lines: list[str]) -> tuple[Document, list[int]]:
    doc = Document("a.txt")
    consumed = read_header(doc, lines)
    return doc, consumed


# --- bylines -------------------------------------------------------------------------------------

BYLINES = [
    ("By Jane Doe  Daily Courier", ["Jane Doe"]),  # name + outlet after two spaces
    ("By Jane Doe | Daily Courier", ["Jane Doe"]),
    ("Von Jana Beispiel", ["Jana Beispiel"]),
    ("Par Claire Exemple le 14.09.2020 à 11h46", ["Claire Exemple"]),
    ("Por Juan Ejemplo 5 mayo, 2022, 6:12 pm", ["Juan Ejemplo"]),
    ("Di Mario Esempio", ["Mario Esempio"]),
    ("Door Jan de Voorbeeld", ["Jan de Voorbeeld"]),
    ("Posted on September 21, 2020 by Ada Sample", ["Ada Sample"]),
    ("Veröffentlicht am 12. Juni 2017 von janedoe", ["janedoe"]),  # a user name after 'von'
    ("29. Juni 2017, 23:39 · von Tobi", ["Tobi"]),
    ("Posted by T. V. Sample at 2:33 PM", ["T. V. Sample"]),
    ("Author: Petra Muster", ["Petra Muster"]),
    ("Von R. R. am 07.08.2013 um 09:07 Uhr", ["R. R."]),  # a closing initial keeps its period
    ("By Evan SampleStaff Writer", ["Evan Sample"]),  # a role glued to the name
    ("Jane Doe@janedoe", ["Jane Doe"]),  # a social handle after the name
    ("Reuters November 18, 2019 11:03 PM", ["Reuters"]),  # an agency is an author as given
    ("04.02.2022 | 13:10 Uhr | Uta Muster", ["Uta Muster"]),
    ("Jane Doe, 21. Jan. 2015", ["Jane Doe"]),
    # not bylines
    ("Photo by John Smith", None),
    ("Photograph: Tim Example/Getty Images", None),
    ("Image: Jane Doe", None),
    ("Pro-Kopf-Konsum von 11,1 Litern pro Jahr", None),
    ("The report was written by the staff on Monday.", None),
    ("by the way", None),
    ("November 19, 2019 | London", None),
]


@pytest.mark.parametrize(("line", "expected"), BYLINES)
def test_byline_shapes(line: str, expected: list[str] | None) -> None:
    assert byline_in(line, explicit=False) == expected


def test_a_bare_name_made_of_words_the_page_prints_in_lower_case_is_chrome() -> None:
    lowercase = lowercase_words(["Click here to learn more about our offers."])
    assert byline_in("Learn More", explicit=False, lowercase=lowercase) is None
    assert byline_in("Jane Doe", explicit=False, lowercase=lowercase) == ["Jane Doe"]
    assert byline_in("Jane Doe", explicit=True) is None  # explicit: only a line that says 'by'


def test_by_alone_on_a_line_then_the_name() -> None:
    doc, consumed = header(["A headline about the council", "By", "Jane Doe", "March 3, 2024", *BODY])
    assert doc.title == "A headline about the council"
    assert doc.authors == ["Jane Doe"]
    assert doc.published_at == datetime(2024, 3, 3, tzinfo=UTC)
    assert consumed == [0, 1, 2, 3]


def test_a_photographer_credit_is_not_the_author() -> None:
    doc, _ = header(["A headline about the council", "Photo by John Smith", *BODY])
    assert doc.authors == []


# --- dates ---------------------------------------------------------------------------------------


def test_updated_alone_on_a_line_before_the_date() -> None:
    doc, consumed = header(["A headline about the council", "Updated", "Feb. 13, 2024, 2:36 AM UTC", *BODY])
    assert doc.updated_at == datetime(2024, 2, 13, 2, 36, tzinfo=UTC)
    assert doc.published_at == doc.updated_at  # the only time the page gives
    assert consumed == [0, 1, 2]


def test_published_with_a_dash_and_an_indian_zone() -> None:
    doc, _ = header(["A headline about the council", "Published - April 16, 2025 09:19 pm IST", *BODY])
    assert doc.published_at == datetime(2025, 4, 16, 15, 49, tzinfo=UTC)
    assert local_iso(doc.published_raw, doc.published_at) == "2025-04-16T21:19:00+05:30"


# --- titles --------------------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["Title", "Headline", "Article Title", "TITLE"])
def test_scraper_labels_are_stripped(label: str) -> None:
    assert strip_label(f"{label}: A headline about the council") == "A headline about the council"
    doc, _ = header([f"{label}: A headline about the council", *BODY])
    assert doc.title == "A headline about the council"


@pytest.mark.parametrize(
    ("title", "head", "site"),
    [
        ("A headline about the council | AP News", "A headline about the council", "AP News"),
        ("A headline about the council | Fox News", "A headline about the council", "Fox News"),
        ("A headline about the council - CNN", "A headline about the council", "CNN"),
        ("A headline about the council - example.com", "A headline about the council", "example.com"),
        ("Dune review - Part Two", "Dune review - Part Two", None),  # a dash inside the headline
        ("The king is dead - long live the king", "The king is dead - long live the king", None),
    ],
)
def test_a_trailing_site_name_is_split_off(title: str, head: str, site: str | None) -> None:
    assert split_site(title) == (head, site)


def test_the_site_name_becomes_the_publisher_where_none_is_known() -> None:
    doc, _ = header(["A headline about the council | Fox News", *BODY])
    assert (doc.title, doc.publisher) == ("A headline about the council", "Fox News")
    doc = Document("a.txt", publisher="Courier Group")
    read_header(doc, ["A headline about the council | Fox News", *BODY])
    assert doc.publisher == "Courier Group"


@pytest.mark.parametrize(
    "line",
    [
        "Video Ad Feedback",
        "Share this story",
        "https://example.com/news/1",
        "[IMG_2041-900x400]",
        "□ Got a tip?",
    ],
)
def test_page_chrome_is_not_a_title(line: str) -> None:
    assert is_chrome(line)
    doc, _ = header([line, "A headline about the council", *BODY])
    assert doc.title == "A headline about the council"


def test_a_file_that_starts_with_the_article_keeps_its_first_sentence() -> None:
    assert reads_as_body(BODY[0], BODY[1])
    assert not reads_as_body("A headline about the council", BODY[0])
    assert not reads_as_body("Is the bridge worth saving?", BODY[0])
    doc, consumed = header(BODY)
    assert doc.title is None
    assert consumed == []


# --- a whole-page dump ---------------------------------------------------------------------------

MENU = [f"   * Section {n}" for n in range(1, 25)]


def dump(head: list[str]) -> Document:
    lines = [*MENU, "", *head, "", *(f"   {p}" for p in BODY), "", *MENU]
    doc = Document("page.txt")
    doc.lines = lines
    assert read_if_page_dump(doc)
    return doc


def test_dump_header_by_alone_and_updated_alone() -> None:
    doc = dump(
        [
            "A headline about the council",
            "   By",
            "   Jane Doe",
            "   Updated",
            "   Feb. 13, 2024, 2:36 AM UTC",
        ]
    )
    assert doc.title == "A headline about the council"
    assert doc.authors == ["Jane Doe"]
    assert doc.updated_at == datetime(2024, 2, 13, 2, 36, tzinfo=UTC)


def test_dump_header_byline_with_outlet_and_foreign_date() -> None:
    doc = dump(
        ["Ein Titel über den Rat", "   Von Jana Beispiel  Tagesblatt", "   8. Januar 2020 um 9:58 Uhr"]
    )
    assert doc.authors == ["Jana Beispiel"]
    assert doc.published_at == datetime(2020, 1, 8, 9, 58, tzinfo=UTC)


def test_dump_header_headline_with_a_byline_beats_a_video_caption() -> None:
    doc = dump(
        [
            "A headline about the council",
            "   By Jane Doe | Daily Courier",
            "   close",
            "   Council news of the day Video",
            "Council news of the day",
        ]
    )
    assert doc.title == "A headline about the council"
    assert doc.authors == ["Jane Doe"]


def test_dump_header_photo_credit_is_not_the_author() -> None:
    doc = dump(["A headline about the council", "   Photograph: John Smith/Getty Images", "   March 3, 2024"])
    assert doc.authors == []
    assert doc.published_at == datetime(2024, 3, 3, tzinfo=UTC)
