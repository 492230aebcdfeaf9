"""Where a page dump's body ends: the listing cuts (story cards, dated entries) must not fire on an
article's own embedded posts and twice-printed photo captions."""

from __future__ import annotations

from winnow.read.pagedump import analyse, cut_at_section_end, read_if_page_dump
from winnow.records import Document

MENU = [f"   * Section {name}" for name in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
FOOTER = [f"   * Footer link {i}" for i in range(20)]


def paragraph(i: int, words: int = 30) -> str:
    filler = " ".join(f"word{j}" for j in range(words - 12))
    return f"   Paragraph {i} of the story tells the reader what happened next, {filler} in the end."


def page(middle: list[str]) -> list[str]:
    return [*MENU, "", "River town rebuilds after the flood", "", *middle, "", *FOOTER]


def kept(lines: list[str]) -> set[str]:
    doc = Document(source_path="page.txt")
    doc.lines = lines
    assert read_if_page_dump(doc)
    removed = {seg.text for seg in doc.removed}
    return {line.strip() for line in lines if line.strip() and line.strip() not in removed}


def cut_end(lines: list[str]) -> str:
    info = analyse(lines)
    first = next(k for k, line in enumerate(info) if line.prose)
    last = max(k for k, line in enumerate(info) if line.prose)
    return info[cut_at_section_end(info, first, last)[1]].text


EMBEDDED_POSTS = [
    paragraph(1),
    paragraph(2),
    "   The mayor put it in a post of her own:",
    "   We will rebuild the bridge first, then the school, and nobody will be left behind.",
    "   — Jane Roe (@janeroe) March 16, 2020",
    paragraph(3),
    "   Her deputy answered within the hour:",
    "   The money for the bridge is already in the budget and the work starts in May.",
    "   — John Doe (@johndoe) March 17, 2020",
    paragraph(4),
    paragraph(5),
]


def test_a_signed_embedded_post_is_not_a_list_of_dated_entries() -> None:
    # Two date lines with prose between them read as a comment list; these open with a dash, as
    # the signature under a quoted post does, and the article goes on after them.
    assert cut_end(page(EMBEDDED_POSTS)) == paragraph(5).strip()
    assert paragraph(5).strip() in kept(page(EMBEDDED_POSTS))


CAPTIONED = [
    paragraph(1),
    paragraph(2),
    "   Volunteers carry sandbags along the flooded high street",
    "   Volunteers carry sandbags along the flooded high street",
    paragraph(3, words=60),
    paragraph(4, words=60),
    "   The old bridge seen from the north bank in the morning",
    "   The old bridge seen from the north bank in the morning",
    paragraph(5, words=60),
]


def test_a_caption_printed_twice_among_paragraphs_is_not_a_story_card() -> None:
    # Image alt text then caption: the same heading-like line twice, as a story card prints its
    # headline; but long paragraphs follow it, where a card has a short teaser.
    assert cut_end(page(CAPTIONED)) == paragraph(5, words=60).strip()
    assert paragraph(5, words=60).strip() in kept(page(CAPTIONED))


def test_story_cards_with_short_teasers_still_end_the_body() -> None:
    cards = []
    for i in range(4):
        headline = f"   Other story number {i} about the valley floods"
        cards += [headline, "   KICKER", headline, f"   A short teaser for story {i} that ends here."]
    lines = page([paragraph(1), paragraph(2), paragraph(3), *cards])
    assert cut_end(lines) == paragraph(3).strip()


def test_a_fallback_reading_keeps_the_text_but_not_the_certain_chrome() -> None:
    # Two short articles' worth of prose between menus: the body span alone is too short to
    # validate, so the file is read as plain text; its menu entries still go, every sentence stays.
    block = [
        "   The council met on Tuesday evening and agreed the new budget for the coming year.",
        "   Residents who spoke at the meeting asked for more money for the bridge repairs.",
    ]
    nav = [f"   Menu entry {name}" for name in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    lines = [*nav, "", *block, "", *nav[:20], "", *block[::-1], "", *FOOTER]
    doc = Document(source_path="page.txt")
    doc.lines = lines
    assert not read_if_page_dump(doc, min_words=50)
    assert doc.reading == "plain_fallback"
    removed = {seg.text: seg for seg in doc.removed}
    assert not any(line.strip() in removed for line in block)  # never a sentence
    assert removed["Menu entry A"].rule_id == "page.chrome_line"
    assert removed["Menu entry A"].category == "navigation"


def notice(i: int) -> str:
    filler = " ".join(f"term{j}" for j in range(30))
    return f"   Notice {i}: this site stores small files on your device to measure visits, {filler} here."


def headed_page(header: list[str], notices: int = 4) -> list[str]:
    share = [f"   Share on network {i}" for i in range(40)]
    article = [paragraph(1), paragraph(2), paragraph(3)]
    return [*MENU, "", "River town rebuilds after the flood", *header, "", *article, "", *share, "",
            *(notice(i) for i in range(notices)), "", *FOOTER]


def test_the_headed_block_is_the_article_though_a_longer_one_follows() -> None:
    # The article sits under its byline and date; a longer cookie notice further down carries no
    # header line of its own. The longest block alone would be the notice.
    lines = headed_page(["   By Jane Roe", "   March 12, 2024"])
    body = kept(lines)
    assert all(paragraph(i).strip() in body for i in (1, 2, 3))
    assert not any(notice(i).strip() in body for i in range(4))


def test_without_a_header_line_the_longest_block_stands() -> None:
    body = kept(headed_page([]))
    assert notice(0).strip() in body and paragraph(1).strip() not in body


def removed_by(lines: list[str]) -> dict[str, str]:
    doc = Document(source_path="page.txt")
    doc.lines = lines
    assert read_if_page_dump(doc)
    return {seg.text: seg.rule_id for seg in doc.removed}


def test_a_labelled_teaser_between_two_paragraphs_is_not_article_text() -> None:
    # "Label: another story's headline" between two paragraphs links elsewhere; the same shape as
    # a numbered section heading ("Example 2: …") or a label over a sentence of the article stays.
    teaser = "Read also: Mountain village counts the cost of the spring storms"
    section = "Example 2: Rebuild the bridge before the school"
    said = "The mayor: we will rebuild the bridge first, then the school, and then the homes."
    middle = [f"   {teaser}", f"   {section}", f"   {said}"]
    lines = page([paragraph(1), middle[0], paragraph(2), middle[1], paragraph(3), middle[2], paragraph(4)])
    removed = removed_by(lines)
    assert removed.get(teaser) == "page.teaser"
    assert section not in removed and said not in removed
    assert all(paragraph(i).strip() not in removed for i in range(1, 5))


def test_a_labelled_line_at_the_edge_of_the_body_or_among_short_lines_stays() -> None:
    # Only between two paragraphs does the shape read as a teaser: a labelled line beside a short
    # line is a list or a fact box of the article's own.
    facts = ["   Opening hours: Tuesday to Sunday from ten in the morning", "   Entry free"]
    removed = removed_by(page([paragraph(1), *facts, paragraph(2), paragraph(3)]))
    assert facts[0].strip() not in removed


def bullet(i: int) -> str:
    return f"   * Point {i} of the plan says who pays for the new flood walls and when work on them starts."


def test_a_list_of_sentences_in_the_article_does_not_split_the_body() -> None:
    # Ten bulleted sentences cost as much as a menu when every short line pays the penalty, and the
    # paragraph after them was left out; a list of sentences in the article now costs nothing.
    plan = ["   The plan in brief:", *(bullet(i) for i in range(10))]
    lines = page([paragraph(1), paragraph(2), *plan, paragraph(3)])
    body = kept(lines)
    assert paragraph(3).strip() in body
    assert all(bullet(i).strip() in body for i in range(10))


def test_a_list_of_links_still_splits_the_body() -> None:
    links = [f"   * Other story {i} about the valley" for i in range(10)]
    body = kept(page([paragraph(1), paragraph(2), *links, paragraph(3)]))
    assert paragraph(1).strip() in body and paragraph(3).strip() not in body


def test_a_numbered_heading_over_a_paragraph_stays_and_a_numbered_link_list_goes() -> None:
    # "1. Choose the right pot" heads a section of a list article; numbered links run on item after
    # item with no paragraph under each (the last one, over the next paragraph, reads as a heading).
    sections = []
    for i in (1, 2, 3):
        sections += [f"   {i}. Choose the right pot", paragraph(10 + i)]
    links = [f"   {i}. Other story {i} about the valley" for i in (1, 2, 3)]
    middle = [paragraph(1), *sections, *links, paragraph(2), paragraph(3)]
    removed = removed_by(page(middle))
    assert "1. Choose the right pot" not in removed and "3. Choose the right pot" not in removed
    assert removed.get(links[0].strip()) == "page.furniture"
    assert removed.get(links[1].strip()) == "page.furniture"
