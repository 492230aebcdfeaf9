"""Titles, bylines and dates where the layout gives less away than an unwrapped lynx dump: a dump
that indents nothing (w3m), a centred headline in a wrapped dump, a standfirst under the
headline, page chrome above a tidy file's headline, a text browser's image stand-ins, wire
datelines and dates under the body. Generic shapes only; every name here is made up."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.helpers import BODY
from winnow.extract.byline import byline_in, dateline_agency
from winnow.extract.dates import find_date, says_when
from winnow.extract.header import read_header
from winnow.extract.titles import is_chrome
from winnow.read.pagedump import read_if_page_dump
from winnow.read.pageheader import meta_text
from winnow.read.pagelines import analyse
from winnow.records import Document

MENU = [f"• Section {n}" for n in range(1, 25)]  # w3m's bullets, flush left


def flush_dump(head: list[str], width: int | None = None) -> Document:
    """A w3m-like dump: nothing indented, blocks between blank lines."""
    body = [line for p in BODY for line in ("", p)]
    doc = Document("page.txt")
    doc.lines = [*MENU, "", *head, *body, "", *MENU]
    doc.wrap_width = width
    assert read_if_page_dump(doc)
    return doc


# --- headlines without indentation ---------------------------------------------------------------


def test_a_headline_standing_alone_beats_a_caption_over_the_body() -> None:
    doc = flush_dump(
        ["A headline about the council", "", "Council members at the vote on Tuesday", "Photo: Daily Courier"]
    )
    assert doc.title == "A headline about the council"


def test_the_headline_over_its_standfirst() -> None:
    doc = flush_dump(
        [
            "A headline about the council vote",
            "",
            "Members of the council argued for hours over the cost of the bridge repairs and the schools",
        ]
    )
    assert doc.title == "A headline about the council vote"


def test_a_share_panel_between_headline_and_body_does_not_hide_the_headline() -> None:
    panel = [line for n in range(30) for line in ("□", f"    Share this with Friend {n}")]
    doc = flush_dump(["A headline about the council", "", *panel, ""])
    assert doc.title == "A headline about the council"


def test_a_centred_headline_in_a_wrapped_dump() -> None:
    headline = "A headline about the council and the bridge repairs"  # centred at 14 columns
    centred = " " * ((79 - len(headline)) // 2) + headline
    lines = [
        *(f"   * Section {n}" for n in range(1, 25)),
        "",
        "   News from the city hall and the region",
        "",
    ]
    lines += [centred, "", *(f"   {p}" for p in BODY), "", *(f"   * Section {n}" for n in range(1, 25))]
    doc = Document("page.txt")
    doc.lines, doc.wrap_width = lines, 79
    assert read_if_page_dump(doc)
    assert doc.title == headline


# --- page chrome is no headline ------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Suche nach: [                    ] [Suche]",  # a form field as w3m prints it
        "Start » Film » Geschichte",  # a breadcrumb trail
        "© Studio Example",
        "APA/Jane Doe",  # an agency's picture credit
        "Logo_Award_in_Finance",  # an image's file name
        "(Jane Doe / Daily Courier)",  # a caption's credit, wholly in brackets
        "(crédito: Jane Doe/Agência)",
        "Jane-Doe-headshot",
        "Logo Example Party",
        "#Example Blog » Feed Example Blog » Kommentar-Feed alternate alternate",  # lynx's feed links
        "A caption of the pictureA caption of the picture",  # alt text and title, glued
    ],
)
def test_chrome_shapes(line: str) -> None:
    assert is_chrome(line)


@pytest.mark.parametrize(
    "line",
    ["Bienenstich-Muffins", "#RieslingBirthday Posts gewinnen", "Parallels Desktop 15 for Mac", "Bora Bora"],
)
def test_headlines_are_not_chrome(line: str) -> None:
    assert not is_chrome(line)


def test_a_tidy_files_headline_below_a_consent_banner() -> None:
    doc = Document("a.txt")
    lines = [
        "Welcome to the Daily Courier's European Union experience",
        "[logo-compact.svg]",
        "A headline about the council",
        "By Jane Doe",
        "March 3, 2024",
        *BODY,
    ]
    consumed = read_header(doc, lines)
    assert doc.title == "A headline about the council"
    assert doc.authors == ["Jane Doe"]
    assert consumed == [2, 3, 4]  # the banner is left to the rule packs, not taken as metadata


# --- bylines -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[Image-from] Jane Doe", ["Jane Doe"]),  # w3m's image stand-in before the name
        ("Von [ef7] Jana Beispiel", ["Jana Beispiel"]),
        ("[Jana-Beispiel-]von Jana Beispiel13.12.2022 - 08:13 Uhr", ["Jana Beispiel"]),
        ("Por Juan Ejemplo04 de mayo 2022 a las 09:01 hrs.", ["Juan Ejemplo"]),  # the date glued on
    ],
)
def test_bylines_with_a_text_browsers_glue(line: str, expected: list[str]) -> None:
    assert byline_in(line, explicit=False) == expected


def test_a_byline_word_ending_a_kicker_announces_the_name_below() -> None:
    info = analyse(["Kultur Von", "Jana Beispiel", *BODY])
    assert meta_text(info, 0) == "Kultur Von Jana Beispiel"
    assert byline_in(meta_text(info, 0), explicit=True) == ["Jana Beispiel"]
    info = analyse(["Stand By", "the council", *BODY])  # no name below: no byline
    assert meta_text(info, 0) == "Stand By"


@pytest.mark.parametrize(
    ("line", "agency"),
    [
        ("WASHINGTON (Reuters) - The council approved the budget on Monday.", "Reuters"),
        ("BERLIN (dpa) – Der Rat hat am Montag den Haushalt beschlossen.", "dpa"),
        ("NEW YORK (Acme Holdings) - The council approved the budget.", None),  # not an agency
        ("The council (which met on Monday) - approved it.", None),
    ],
)
def test_a_wire_datelines_agency(line: str, agency: str | None) -> None:
    assert dateline_agency(line) == agency


def test_a_wire_story_without_a_byline_is_credited_to_the_agency() -> None:
    doc = Document("a.txt")
    read_header(doc, ["A headline about the council", f"WASHINGTON (Reuters) - {BODY[0]}", *BODY[1:]])
    assert doc.authors == ["Reuters"]


# --- dates ---------------------------------------------------------------------------------------


def test_a_date_glued_to_the_name_before_it() -> None:
    found = find_date("Por Juan Ejemplo04 de mayo 2022 a las 09:01 hrs.")
    assert found is not None and found[1] == datetime(2022, 5, 4, 9, 1)


def test_lines_that_say_when_the_article_was_published() -> None:
    assert says_when("Dieser Beitrag wurde am 04/02/2020 von Jana in Politik veröffentlicht.")
    assert says_when("Aktualisiert am 17.01.2021.")
    assert not says_when("Jana Beispiel on 3 May 2020 at 10:00")  # a comment's date


def test_a_labelled_date_under_the_body_when_none_is_at_the_top() -> None:
    body = [line for p in BODY * 4 for line in ("", p)]  # the footer out of reach of the headline
    doc = Document("page.txt")
    doc.lines = [
        *MENU,
        "",
        "A headline about the council",
        *body,
        "",
        "Aktualisiert am 17.01.2021",
        "",
        *MENU,
    ]
    assert read_if_page_dump(doc)
    assert doc.published_at == datetime(2021, 1, 17, tzinfo=UTC)
