"""Reflow: hard-wrapped text back to logical lines, unwrapped text left alone."""

from __future__ import annotations

import textwrap
from collections import defaultdict
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import CASES
from winnow.batch import process_file
from winnow.clean.rules import default_rules
from winnow.read.reflow import reflow
from winnow.read.sources import FileEntry
from winnow.records import Document
from winnow.settings import get_settings

PARAS = [
    "The company, which is expected to lay off thousands of employees beginning this week as it "
    "faces ballooning losses, confirmed on Monday that it had been contacted by the office of the "
    "attorney general, who declined to comment on the inquiry.",
    "Neumann bought properties that he then leased back to the company, borrowed against his own "
    "stake in it, and had also planned to charge it almost six million dollars to use a trademark.",
    "The company shelved its plans for an initial public offering on September 30 after investors "
    "grew wary of its losses, its business model, and its corporate governance, people said.",
    "He said the firm needs a more efficient and more customer-centric organization to grow, and "
    "that the cuts would fall on functions that do not support the core business of the company.",
]
MENU = ["     * Home", "     * World news and the latest stories", "     * Business", "     * Contact us"]


def _lynx(paragraphs: list[str], width: int = 76) -> list[str]:
    lines: list[str] = list(MENU) + [""]
    for para in paragraphs:
        lines += textwrap.wrap(para, width, initial_indent="   ", subsequent_indent="   ") + [""]
    return lines


def test_wrapped_paragraphs_are_rejoined_and_remember_their_first_line() -> None:
    lines = _lynx(PARAS)
    flowed = reflow(lines)
    assert flowed.width is not None and 70 <= flowed.width <= 76
    joined = [line.strip() for line in flowed.lines if line.strip()]
    assert joined == [m.strip() for m in MENU] + PARAS
    for text, origin in zip(flowed.lines, flowed.origins, strict=True):
        if text.strip():
            assert lines[origin].strip() and text.startswith(lines[origin].rstrip())


def test_unwrapped_text_is_left_exactly_as_it_is() -> None:
    lines = ["A Title Of Some Length", "", *PARAS, "", *MENU]
    flowed = reflow(lines)
    assert flowed.width is None and flowed.lines == lines and flowed.origins == list(range(len(lines)))


def test_wrapped_list_items_join_their_continuation_but_not_the_next_item() -> None:
    items = [
        "a list item long enough that the wrapper has to carry it over onto a second line of its own",
        "another list item that is also long enough to be wrapped over two lines by the text browser",
    ]
    lines = _lynx(PARAS[:2])
    for item in items:
        lines += textwrap.wrap(item, 76, initial_indent="     * ", subsequent_indent="       ")
    lines += [""] + _lynx(PARAS[2:])[len(MENU) + 1 :]
    flowed = [line.strip() for line in reflow(lines).lines if line.strip()]
    assert "* " + items[0] in flowed and "* " + items[1] in flowed
    assert PARAS[3] in flowed


def test_cjk_lines_are_joined_without_a_space() -> None:
    para = "東京都の人口は約千四百万人で、日本の首都として政治や経済の中心になっている。" * 6
    lines: list[str] = []
    for _ in range(4):
        lines += [para[i : i + 36] for i in range(0, len(para), 36)] + [""]
    flowed = reflow(lines)
    assert flowed.width is not None
    assert [line for line in flowed.lines if line] == [para] * 4


# --- through the pipeline ------------------------------------------------------------------------

PAGE = CASES / "textdump" / "lynx-page.txt"


def wrap_lines(lines: list[str], width: int) -> list[str]:
    """Hard-wrap every line at `width` the way lynx does: continuation lines keep the indent (of
    the text after a list bullet, for a list item)."""
    out: list[str] = []
    for line in lines:
        body = line.lstrip()
        indent = line[: len(line) - len(body)]
        bullet = body[:2] if body[:2] in ("* ", "+ ", "o ") else ""
        out += textwrap.wrap(
            body,
            width,
            initial_indent=indent,
            subsequent_indent=indent + " " * len(bullet),
            break_long_words=False,
            break_on_hyphens=False,
        ) or [""]
    return out


def run(path: Path) -> Document:
    entry = FileEntry(path.name, path.stat().st_size, path.stat().st_mtime_ns, "txt")
    [doc], _ = process_file(path.parent, entry, default_rules(), get_settings(), defaultdict(float))
    return doc


def test_a_wrapped_page_dump_gives_the_body_of_the_unwrapped_one(tmp_path: Path) -> None:
    original = run(PAGE)
    lines = wrap_lines(PAGE.read_text("utf-8").split("\n"), 60)
    (tmp_path / "page.txt").write_text("\n".join(lines), "utf-8")
    doc = run(tmp_path / "page.txt")
    assert not doc.rejected and doc.reading == "page_dump" and doc.wrap_width is not None
    assert doc.body == original.body and doc.title == original.title
    for seg in doc.removed:  # positions name the original line each removed piece starts on
        assert seg.text.startswith(lines[seg.position - 1].strip())


def test_a_dump_whose_body_is_too_short_to_validate_falls_back_to_rule_only_cleaning(tmp_path: Path) -> None:
    menu = [f"   * Section number {i}" for i in range(30)]
    story = [f"   {para}" for para in PARAS]
    lines = menu[:15] + ["", story[0], ""] + menu[15:] + ["", story[1], "", *menu[:10], "", story[2]]
    (tmp_path / "page.txt").write_text("\n".join(lines), "utf-8")
    doc = run(tmp_path / "page.txt")
    assert not doc.rejected, doc.rejections
    assert doc.reading == "plain_fallback"
    assert all(para in doc.body for para in PARAS[:3])


def _cells_per_character(text: str) -> int:
    """The display width as a loop over every character: the reference for reflow._cells."""
    import unicodedata

    cols = 0
    for ch in text:
        if not unicodedata.combining(ch):
            cols += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return cols


# Latin with curly quotes and a dash, combining accents, CJK and full-width forms, an emoji, a
# zero-width space; and any text at all.
MIXED = st.sampled_from("ab ,.\u201c\u201d\u2014é\u0301\u4e2d\u6587\uff21\u3000\U0001f600\u200b")


@given(st.text(alphabet=MIXED, max_size=60) | st.text(max_size=60))
def test_cells_counts_like_a_loop_over_every_character(text: str) -> None:
    from winnow.read.reflow import _cells

    assert _cells(text) == _cells_per_character(text)
