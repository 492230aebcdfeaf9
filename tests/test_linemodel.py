"""The learned line scorer of page dumps (winnow.read.linemodel) and how pagedump uses it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from winnow.read.linemodel import MODEL_FILE, features, learned_lines, load_model
from winnow.read.pagedump import DumpBody, read_if_page_dump, refine_span
from winnow.read.pagelines import analyse
from winnow.records import Document

PARAGRAPH = (
    "The council met on Tuesday evening to discuss the new budget for the coming year, "
    "and the members agreed on most of the points that had been raised before. {n}"
)
MENU = [f"   * Section {i}" for i in range(20)]
SHARE = ["Share this:", "   * Facebook", "   * Twitter", "   * Email"]


def _dump() -> list[str]:
    body = [PARAGRAPH.format(n=f"Point {i} was settled.") for i in range(6)]
    return MENU + ["", "Budget agreed after a long night", ""] + body[:3] + SHARE + body[3:] + MENU


def test_the_model_file_fits_the_features() -> None:
    model = load_model()
    info = analyse(_dump())
    x = features(info, 0, len(info) - 1)
    assert x.shape == (len(info), len(model["weights"])) == (len(info), len(model["mean"]))
    assert 0 < model["threshold"] < 1 and 0 <= model["drop"] < model["threshold"]


def test_the_model_is_package_data_written_by_its_training_script() -> None:
    path = Path(__file__).parent.parent / "winnow" / "read" / MODEL_FILE
    data = json.loads(path.read_text("utf-8"))
    assert "bench/train_linemodel.py" in data["note"]
    assert (Path(__file__).parent.parent / "bench" / "train_linemodel.py").is_file()


def test_a_dump_keeps_its_paragraphs_and_loses_menus_and_the_share_bar() -> None:
    doc = Document(source_path="page.txt", format="txt")
    doc.lines = _dump()
    assert read_if_page_dump(doc, 50)
    removed = {s.text for s in doc.removed}
    assert all(f"Point {i} was settled." not in " ".join(removed) for i in range(6))
    assert "* Section 3" in removed and "* Twitter" in removed


def test_the_learned_span_only_moves_the_hand_set_edges() -> None:
    info = analyse(_dump())
    span, p = learned_lines(info, 0, len(info) - 1)
    assert span is not None and len(p) == len(info)
    # A hand-set span that the learned one does not touch stands as it is.
    first = len(info) - 2
    body = refine_span(info, first, len(info) - 1, 0)
    if span[1] < first:
        assert body == DumpBody(first, len(info) - 1, frozenset())


@pytest.mark.parametrize("min_words", [10_000])
def test_too_little_to_validate_keeps_the_hand_set_span(min_words: int) -> None:
    info = analyse(_dump())
    assert refine_span(info, 3, 20, min_words) == DumpBody(3, 20, frozenset())
