"""Whole-page text dumps: the body, headline, byline and date found among the page chrome."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from pathlib import Path

from tests.conftest import CASES, SAMPLES, SHIPPED_SAMPLES
from winnow.batch import process_file
from winnow.clean.rules import default_rules
from winnow.read.pagedump import _both_scans, _span_score, analyse, body_span, headed_span, read_if_page_dump
from winnow.read.sources import FileEntry
from winnow.records import Document
from winnow.settings import get_settings

PAGE = CASES / "textdump" / "lynx-page.txt"
PARAGRAPHS = [
    "The new flood defences along the lower valley were finished on Monday, a full year ahead of schedule, "
    "after contractors worked through the winter to raise the embankments by almost a metre.",
    "The scheme protects more than three thousand homes and two hundred businesses that were flooded in "
    "2019, when the river burst its banks twice in a single month and closed the main road for weeks.",
    "Residents who spent months living upstairs or in rented flats after the last floods said they finally "
    "felt able to plan for the future, and several said they would now renovate their ground floors.",
    "The regional authority said the early finish saved about four million in costs, which will go towards "
    "a second phase of works upstream where the valley narrows near the old mill.",
]


def run(path: Path) -> Document:
    entry = FileEntry(path.name, path.stat().st_size, path.stat().st_mtime_ns, "txt")
    [doc], _ = process_file(path.parent, entry, default_rules(), get_settings(), defaultdict(float))
    return doc


def test_page_dump_body_and_header_are_found() -> None:
    doc = run(PAGE)
    assert not doc.rejected
    assert doc.body.split("\n\n") == PARAGRAPHS  # no menu, credit, ad, share bar, related, comments, footer
    assert doc.title == "Flood defences completed a year early on the lower valley"
    assert doc.authors == ["Miriam Achterberg"]
    assert doc.published_raw == "March 12, 2024 10:20 AM"
    assert doc.published_at == datetime.fromisoformat("2024-03-12T10:20:00+00:00")
    assert doc.language == "en"


def test_page_dump_removals_are_audited_with_categories() -> None:
    doc = run(PAGE)
    by_text = {s.text: s for s in doc.removed}
    assert by_text["* News"].category == "navigation"
    assert by_text["[IMG] Image credit: Valley Herald photo desk"].category in ("ui", "navigation")
    assert by_text["Advertisement"].rule_id == "ad.marker"
    assert by_text["12 Comments"].category == "navigation"
    assert by_text["Flood defences completed a year early on the lower valley"].category == "metadata"
    lines = PAGE.read_text("utf-8").split("\n")
    for seg in doc.removed:  # positions point at the source line
        assert lines[seg.position - 1].strip() == seg.text
    kept_or_removed = {s.position for s in doc.removed} | {i + 1 for i in doc.kept}
    assert kept_or_removed == {i + 1 for i, line in enumerate(lines) if line.strip()}


def test_tidy_articles_are_not_treated_as_dumps() -> None:
    tidy = sorted(SHIPPED_SAMPLES.glob("*.txt")) + sorted(SAMPLES.glob("*.txt"))
    assert tidy
    for path in tidy:
        doc = Document(source_path=path.name)
        doc.lines = path.read_text("utf-8").split("\n")
        assert not read_if_page_dump(doc), path.name
        assert doc.removed == [] and not doc.header_found


def test_body_span_prefers_the_long_prose_block() -> None:
    menu = [f"  * Section {i}" for i in range(30)]
    prose = [
        f"   This is sentence number {i} of the article, and it is long enough to count as prose."
        for i in range(5)
    ]
    info = analyse(menu + ["Headline Of The Story Here"] + prose + menu)
    span = body_span(info)
    assert span is not None
    first, last = span
    assert [info[i].text for i in (first, last)] == [prose[0].strip(), prose[-1].strip()]


def _max_subarray(scores: list[float]) -> tuple[int, int] | None:
    """The definition, by brute force: the span of highest total above zero; on a tie, the one whose
    end comes first, and for that end the latest start (a zero-sum run before it is not kept)."""
    best, span = 0.0, None
    for last in range(len(scores)):
        for first in range(last, -1, -1):
            total = sum(scores[first : last + 1])
            if total > best:
                best, span = total, (first, last)
    return span


def test_the_one_pass_scan_is_the_maximum_subarray_under_both_list_settings() -> None:
    # The page-dump reading scans each file once per list setting; every case page's span must be
    # the brute-force best span of the line scores, for either setting.
    pages = sorted((CASES / "textdump").glob("*.txt"))
    assert len(pages) >= 3
    for path in pages:
        info = analyse(path.read_text("utf-8").split("\n"))
        strict, forgiving = _both_scans(info)
        for lists, blocks in ((False, strict), (True, forgiving)):
            expected = _max_subarray([_span_score(line, lists) for line in info])
            assert body_span(info, lists) == expected, path.name
            top = max(blocks, key=lambda block: block[0]) if blocks else None
            assert (None if top is None else (top[1], top[2])) == expected, path.name
            assert headed_span(info, lists) is not None or expected is None


def test_no_prose_means_no_span() -> None:
    assert body_span(analyse(["* Home", "* News", "", "Menu"])) is None


def test_the_body_ends_where_story_cards_begin() -> None:
    doc = run(CASES / "textdump" / "story-cards.txt")
    paragraphs = doc.body.split("\n\n")
    assert doc.title == "Orchard growers turn to owls to keep voles away"
    assert doc.published_at is not None and doc.published_at.date().isoformat() == "2024-03-03"
    assert len(paragraphs) == 3 and paragraphs[0].startswith("Fruit growers in the northern valleys")
    assert paragraphs[-1].startswith("The regional growers' association")
    assert not any("reservoirs" in p or "trams" in p for p in paragraphs)


def test_a_flat_scrape_without_layout_is_read_too() -> None:
    # No indentation, no bullets: a plain text scraper's output. Shape alone finds the article.
    doc = run(CASES / "textdump" / "plain-scrape.txt")
    paragraphs = doc.body.split("\n\n")
    assert len(paragraphs) == 4 and paragraphs[0].startswith("Every new home built in the city")
    assert doc.title == "City council approves a tree for every new home"
    assert doc.authors == ["Daniel Osei", "Hana Kimura"]
    assert doc.published_at == datetime.fromisoformat("2024-02-14T16:45:00+00:00")


def test_sentence_bullets_inside_the_body_are_article_text() -> None:
    menu = [f"     * Section number {i}" for i in range(20)]
    prose = "   The council published its plan on Monday, and it sets out how the new rules will work."
    items = ["     * Every new home gets a street tree within twenty metres of its door.", "     * Share"]
    doc = Document(source_path="page.txt")
    doc.lines = menu + ["Council plan", prose, *items, prose.replace("Monday", "Tuesday")] + menu
    assert read_if_page_dump(doc)
    removed = {s.text for s in doc.removed}
    assert items[0].strip() not in removed  # a sentence in a list is kept
    assert "* Share" in removed and "* Section number 3" in removed
