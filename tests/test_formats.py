"""Readers for every input format, on files written for these tests (tests/cases/)."""

from __future__ import annotations

import dataclasses
import gzip
import shutil
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import CASES
from winnow.batch import doc_id_for, process_file
from winnow.clean.rules import default_rules
from winnow.extract.authors import normalise_authors
from winnow.read.sources import FORMATS, FileEntry, format_of
from winnow.records import Document
from winnow.settings import get_settings


def process(path: Path, name: str | None = None, **overrides: int) -> list[Document]:
    settings = dataclasses.replace(get_settings(), **overrides)
    name = name or path.name
    entry = FileEntry(name, path.stat().st_size, path.stat().st_mtime_ns, format_of(name) or "txt")
    docs, _ = process_file(path.parent, entry, default_rules(), settings, defaultdict(float))
    return docs


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.html", "html"),
        ("a.HTM", "html"),
        ("a.md", "md"),
        ("a.json", "json"),
        ("a.jsonl", "jsonl"),
        ("a.txt.gz", "txt"),
        ("a.jsonl.gz", "jsonl"),
        ("a.html.gz", "html"),
        ("a.pdf", None),
    ],
)
def test_format_of(name: str, fmt: str | None) -> None:
    assert format_of(name) == fmt
    assert {"html", "md", "json", "jsonl", "txt"} <= set(FORMATS.values())


def test_html_metadata_beats_the_extractor() -> None:
    [doc] = process(CASES / "html" / "harbour-bridge.html")
    assert not doc.rejected, doc.rejections
    assert doc.title == "Harbour bridge reopens after two years of repairs"
    # JSON-LD (with a trailing comma) wins over meta; the Organization is not an author;
    # the stale <meta charset=iso-8859-1> does not turn ’ into mojibake.
    assert doc.authors == ["Priya Raman", "Tomás O’Neill"]
    assert doc.published_raw == "2024-03-05T09:15:00+01:00"
    assert doc.published_at == datetime(2024, 3, 5, 8, 15, tzinfo=UTC)
    assert doc.updated_at == datetime(2024, 3, 5, 10, 40, tzinfo=UTC)
    assert doc.url == "https://www.coastalcourier.example/news/2024/03/harbour-bridge-reopens"
    assert doc.publisher == "The Coastal Courier"
    assert doc.language == "en"
    assert "Advertisement" not in doc.body.split("\n\n")  # winnow's rules run over trafilatura's text
    assert doc.body.startswith("The harbour bridge reopened")
    assert "Home" not in doc.body and "All rights reserved" not in doc.body
    assert any(s.rule_id == "ad.marker" for s in doc.removed)


def test_html_placeholder_date_falls_through_to_meta() -> None:
    [doc] = process(CASES / "html" / "placeholder-date.html")
    assert not doc.rejected
    assert doc.published_raw == "2023-10-12T14:30:00-03:00"
    assert doc.published_at == datetime(2023, 10, 12, 17, 30, tzinfo=UTC)
    assert doc.title == "Feira de ciências reúne escolas da região"
    assert doc.authors == ["Ana Beatriz Souza"]
    assert doc.language == "pt"


def test_html_without_text_is_rejected_with_a_reason(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text(
        "<html><head><title>x</title></head><body><div><script>var a = 1;</script></div></body></html>",
        "utf-8",
    )
    [doc] = process(page)
    assert [r.check for r in doc.rejections] == ["no_main_text"]


def test_markdown_front_matter_and_markup() -> None:
    [doc] = process(CASES / "md" / "front-matter.md")
    assert doc.title == "Night trains return to the northern line"
    assert doc.authors == ["Lena Fischer", "Marco Bianchi"]
    assert doc.published_at == datetime(2024, 11, 2, 20, 5, tzinfo=UTC)
    assert doc.url == "https://rails.example/night-trains"
    paragraphs = doc.body.split("\n\n")
    assert paragraphs[0].startswith("After a gap of nine years, sleeper services are running")
    assert "three departures a week in each direction" in paragraphs[0]
    assert not any("](" in p or p.startswith(("#", ">", "- ", "!")) for p in paragraphs)
    assert "Departures: Monday, Wednesday and Friday evenings" in paragraphs
    assert "Night trains return to the northern line" not in paragraphs  # the heading is the title


def test_markdown_heading_is_the_title_and_byline_is_read() -> None:
    [doc] = process(CASES / "md" / "plain-heading.md")
    assert doc.title == "Library extends opening hours during exams"
    assert doc.authors == ["Sam Okafor"]
    assert doc.published_at is not None and doc.published_at.date().isoformat() == "2024-03-04"
    assert doc.body.startswith("The central library will stay open")


def test_json_records_each_become_a_document() -> None:
    docs = process(CASES / "json" / "articles.json")
    assert [d.record for d in docs] == [0, 1, 2]
    assert [d.doc_id for d in docs] == [doc_id_for("articles.json", i) for i in range(3)]
    first, second, third = docs
    assert first.title == "Council approves new cycle lanes"
    assert first.authors == ["Dana Whitfield", "Luis Ortega"]
    assert first.published_at == datetime(2024, 6, 1, 12, 30, tzinfo=UTC)
    assert first.url == "https://news.example/a/1" and first.publisher == "News Example"
    assert first.body.split("\n\n")[1].startswith("Construction starts in the autumn")
    assert second.authors == ["Keiko Tanaka"]
    assert second.published_at == datetime.fromtimestamp(1717400000, UTC)
    assert second.body.startswith("The harbour museum has won") and "<p>" not in second.body
    assert [r.check for r in third.rejections] == ["no_text_field"]


def test_jsonl_bad_line_is_quarantined_alone() -> None:
    docs = process(CASES / "json" / "feed.jsonl")
    assert [d.record for d in docs] == [0, 1, 2]
    good = [d for d in docs if not d.rejected]
    assert [d.title for d in good] == [
        "Bakery chain opens its fiftieth shop",
        "River cleanup draws hundreds of volunteers",
    ]
    assert good[1].authors == ["Ivan Petrov", "Mei Lin"]
    [bad] = [d for d in docs if d.rejected]
    assert bad.rejections[0].check == "bad_json_line" and "line 2" in bad.rejections[0].reason
    assert len({d.doc_id for d in docs}) == 3


def test_gzip_of_every_format_reads_like_the_plain_file(tmp_path: Path) -> None:
    for case in ("html/harbour-bridge.html", "md/front-matter.md", "json/feed.jsonl"):
        source = CASES / case
        packed = tmp_path / (source.name + ".gz")
        packed.write_bytes(gzip.compress(source.read_bytes()))
        plain = process(source)
        unpacked = process(packed)
        assert [(d.title, d.body, d.authors) for d in unpacked] == [
            (d.title, d.body, d.authors) for d in plain
        ]


def test_gzip_bomb_is_refused_with_a_reason(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.txt.gz"
    bomb.write_bytes(gzip.compress(b"\0" * 5_000_000, compresslevel=9))
    assert bomb.stat().st_size < 10_000
    [doc] = process(bomb, max_decompressed_bytes=1_000_000)
    [rejection] = doc.rejections
    assert rejection.check == "decompressed_too_large"
    assert "gzip bomb" in rejection.reason and rejection.detail["limit"] == 1_000_000


def test_corrupt_gzip_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.txt.gz"
    broken.write_bytes(gzip.compress(b"hello world " * 100)[:-20])
    [doc] = process(broken)
    assert [r.check for r in doc.rejections] == ["corrupt_gzip"]


@pytest.mark.parametrize(
    ("raw", "publisher", "expected"),
    [
        (["By STEVE PEOPLES, AP National Political Writer"], None, ["STEVE PEOPLES"]),
        (["Tanza Loudenback, Business Insider"], "Business Insider", ["Tanza Loudenback"]),
        (["Jane Doe and John Roe"], None, ["Jane Doe", "John Roe"]),
        (["Reuters"], None, ["Reuters"]),
        (["HNN Staff"], None, ["HNN Staff"]),
        (["https://www.facebook.com/someone"], None, []),
        (["Ana Lima", "ana lima"], None, ["Ana Lima"]),
    ],
)
def test_normalise_authors(raw: list[str], publisher: str | None, expected: list[str]) -> None:
    assert normalise_authors(raw, publisher=publisher) == expected


def test_gzip_copy_in_a_subfolder_keeps_its_path(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    shutil.copy(CASES / "md" / "plain-heading.md", folder / "plain-heading.md")
    [doc] = process(folder / "plain-heading.md", name="plain-heading.md")
    assert doc.source_path == "plain-heading.md"


def test_hostile_nesting_is_a_reason_not_a_crash(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    feed = tmp_path / "deep.jsonl"
    feed.write_text(deep + "\n", "utf-8")
    [doc] = process(feed)
    assert [r.check for r in doc.rejections] == ["bad_json_line"]
    page = tmp_path / "deep.html"
    html = (CASES / "html" / "harbour-bridge.html").read_text("utf-8")
    page.write_text(
        html.replace("</head>", f'<script type="application/ld+json">{deep}</script></head>'), "utf-8"
    )
    [doc] = process(page)
    assert not doc.rejected and doc.title == "Harbour bridge reopens after two years of repairs"


@pytest.mark.parametrize(
    ("name", "content", "check"),
    [
        ("empty.json", "[]", "empty_file"),
        ("wrapped.json", '{"items": []}', "empty_file"),  # NewsAPI's "articles": [] too
        ("blank.jsonl", "\n\n", "empty"),
        ("bad.json", "{nope", "bad_json"),
    ],
)
def test_json_without_records_is_rejected_not_skipped(
    tmp_path: Path, name: str, content: str, check: str
) -> None:
    path = tmp_path / name
    path.write_text(content, "utf-8")
    [doc] = process(path)
    assert [r.check for r in doc.rejections] == [check]
