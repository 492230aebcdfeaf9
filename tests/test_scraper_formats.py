"""Known scrapers' output, shaped as each tool writes it (tests/cases/scrapers/), field by field."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from winnow.schemas.columns import ARTICLE_FRAME

from tests.conftest import CASES
from winnow.batch import process_file
from winnow.clean.rules import default_rules
from winnow.read.sources import FileEntry, format_of
from winnow.records import Document, doc_id_for
from winnow.settings import get_settings
from winnow.validate import validate_articles

SCRAPERS = CASES / "scrapers"


def process(path: Path, **overrides: float) -> list[Document]:
    settings = dataclasses.replace(get_settings(), **overrides)
    fmt = format_of(path.name)
    assert fmt is not None, path
    entry = FileEntry(path.name, path.stat().st_size, path.stat().st_mtime_ns, fmt)
    docs, _ = process_file(path.parent, entry, default_rules(), settings, defaultdict(float))
    return docs


def checks(doc: Document) -> list[str]:
    """Every check the document fails, through validation too."""
    if doc.rejected:
        return [r.check for r in doc.rejections]
    frame = pl.DataFrame([doc.article_row()], schema=ARTICLE_FRAME)
    sources = pl.DataFrame(
        {"doc_id": [doc.doc_id], "sha256": [None]}, schema={"doc_id": pl.String, "sha256": pl.String}
    )
    _, invalid = validate_articles(frame, sources)
    return invalid["check"].to_list()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_newsapi_response_every_record_an_article_or_a_reason() -> None:
    docs = process(SCRAPERS / "newsapi-everything.json")
    assert [d.record for d in docs] == [0, 1, 2, 3]
    typhoon, laptops, royal, removed = docs
    # content cut at ~200 characters: marker stripped, flagged with the full length it states
    assert typhoon.truncated and typhoon.full_chars == len("\n".join(typhoon.lines)) + 2622
    assert "[+" not in typhoon.body and not typhoon.body.endswith("…")
    assert typhoon.published_at == utc(2024, 7, 24, 8, 15) and typhoon.published_raw == "2024-07-24T08:15:00Z"
    assert typhoon.publisher == "CNN" and typhoon.authors == ["Helen Regan", "Adam Renton"]
    assert (
        typhoon.url == "https://www.cnn.com/2024/07/24/asia/typhoon-landfall-northern-coast-intl/index.html"
    )
    assert typhoon.title == "Typhoon makes landfall on the northern coast as thousands evacuate"
    assert checks(typhoon) == []  # a teaser is not rejected for being short
    # no content: the description is the teaser
    assert laptops.truncated and laptops.full_chars is None
    assert laptops.body.startswith("We spent four weeks") and laptops.authors == ["Joseph Foley"]
    assert laptops.publisher == "Tom's Guide" and checks(laptops) == []
    assert royal.authors == ["Max Foster", "Tara John", "Sarah Dean"] and royal.full_chars is not None
    assert checks(removed) == ["removed_at_source"]


def test_newsapi_error_response_is_one_clear_rejection() -> None:
    [doc] = process(SCRAPERS / "newsapi-error.json")
    assert checks(doc) == ["api_error"] and "apiKeyInvalid" in doc.rejections[0].reason


def test_newsapi_empty_result_is_a_rejection(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text(json.dumps({"status": "ok", "totalResults": 0, "articles": []}), "utf-8")
    [doc] = process(path)
    assert checks(doc) == ["empty_file"] and "'articles' list is empty" in doc.rejections[0].reason


def test_news_please_record() -> None:
    [doc] = process(SCRAPERS / "news-please.json")
    assert checks(doc) == []
    assert doc.title.startswith("Moscow to Kiev") and doc.body.startswith("Russia has called on Ukraine")
    assert doc.published_at == utc(2017, 7, 17, 17, 3) and doc.fetched_at == utc(2017, 7, 17, 18, 20, 11)
    assert doc.publisher == "rt.com" and doc.declared_language == "en" and not doc.truncated
    assert doc.url == "https://www.rt.com/news/203203-ukraine-russia-troops-border/"


def test_news_please_library_dict_writes_none_as_a_string(tmp_path: Path) -> None:
    """NewsArticle.get_serializable_dict() writes str(None) for a missing date."""
    record = json.loads((SCRAPERS / "news-please.json").read_text("utf-8"))
    record.update(date_publish="None", date_modify="None", date_download="None")
    path = tmp_path / "np.json"
    path.write_text(json.dumps(record), "utf-8")
    [doc] = process(path)
    assert doc.published_raw is None and doc.updated_raw is None and doc.fetched_at is None


def test_trafilatura_json_record() -> None:
    [doc] = process(SCRAPERS / "trafilatura.json")
    assert checks(doc) == []
    assert doc.title == "Flood defences finished a year early" and doc.authors == ["Miriam Achterberg"]
    assert doc.url == "https://courier.example/news/2024/03/flood-defences-finished"  # its "source"
    assert doc.publisher == "The Valley Courier"  # its "source-hostname"
    assert doc.published_raw == "2024-03-11"
    # the headline repeated as the text's first line is metadata, not body
    assert not doc.body.startswith("Flood defences") and any(s.rule_id == "record.title" for s in doc.removed)


def test_trafilatura_own_output_reads_back(tmp_path: Path) -> None:
    """trafilatura's JSON made by trafilatura itself, from a page in the repository."""
    import trafilatura

    page = (CASES / "html" / "harbour-bridge.html").read_bytes()
    out = trafilatura.extract(page, output_format="json", with_metadata=True)
    assert out is not None
    (tmp_path / "harbour.json").write_text(out, "utf-8")
    [doc] = process(tmp_path / "harbour.json")
    made = json.loads(out)
    assert doc.title == made["title"] and doc.url == made["source"]
    assert doc.publisher == made["source-hostname"]
    assert doc.authors == [a.strip() for a in made["author"].split(";")]


def test_newspaper4k_cli_json_and_csv_agree() -> None:
    [from_json] = process(SCRAPERS / "newspaper4k.json")
    from_csv = process(SCRAPERS / "newspaper4k.csv")
    assert len(from_csv) == 2 and [checks(d) for d in from_csv] == [[], []]
    for doc in (from_json, from_csv[0]):
        assert checks(doc) == []
        assert doc.title == "Why we moved our build to a monorepo"
        assert doc.authors == ["Priya Raman", "Tomás O’Neill"]  # the CSV's "['A', 'B']" too
        assert doc.url == "https://blog.example.com/2024/05/monorepo"  # canonical_link
        assert doc.publisher == "Example Tech Blog" and doc.published_at == utc(2024, 5, 2, 13, 0)
    assert from_json.body == from_csv[0].body
    assert from_csv[1].authors == ["Li Wei"]


def test_json_ld_graph_news_article() -> None:
    [doc] = process(
        SCRAPERS / "harbour-bridge.jsonld"
    )  # the WebSite, Organization and breadcrumbs are not records
    assert checks(doc) == []
    assert doc.title == "Harbour bridge reopens after two years of repairs"
    assert doc.authors == ["Priya Raman", "Tomás O’Neill"] and doc.publisher == "The Coastal Courier"
    assert doc.url == "https://www.coastalcourier.example/news/2024/03/harbour-bridge-reopens"
    assert doc.published_at == utc(2024, 3, 5, 8, 15) and doc.updated_at == utc(2024, 3, 5, 11, 40)
    assert doc.declared_language == "en-GB" and not doc.truncated


def test_json_ld_paywalled_article_is_a_teaser(tmp_path: Path) -> None:
    article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Inside the budget talks",
        "description": "How a week of talks ended with a deal nobody expected.",
        "isAccessibleForFree": False,
        "datePublished": "2024-06-01T08:00:00Z",
        "author": {"@type": "Person", "name": "Sam Ortiz"},
    }
    (tmp_path / "paywalled.json").write_text(json.dumps(article), "utf-8")
    [doc] = process(tmp_path / "paywalled.json")
    assert doc.truncated and checks(doc) == [] and doc.authors == ["Sam Ortiz"]


def test_scraper_csv_one_record_per_row() -> None:
    docs = process(SCRAPERS / "scraped_articles.csv")
    assert [d.record for d in docs] == [0, 1, 2]
    assert [checks(d) for d in docs] == [[], ["no_text_field"], []]
    assert docs[0].authors == ["Jane Doe"] and docs[0].published_at == utc(2024, 3, 1, 10)
    assert docs[2].published_at == datetime.fromtimestamp(1709546400, UTC)  # epoch seconds in a cell
    assert len({d.doc_id for d in docs}) == 3 and docs[0].doc_id == doc_id_for("scraped_articles.csv", 0)


def test_csv_without_a_text_column_is_one_rejection() -> None:
    [doc] = process(SCRAPERS / "headlines.csv")
    assert checks(doc) == ["no_text_column"] and "headline, link, published" in doc.rejections[0].reason


def test_tsv_with_its_own_column_names() -> None:
    [doc] = process(SCRAPERS / "articles.tsv")
    assert checks(doc) == []
    assert doc.authors == ["Marta Vidal"] and doc.published_at == utc(2024, 4, 2, 19)
    assert doc.url == "https://example.org/news/night-trains"


def test_semicolon_csv_from_a_spreadsheet(tmp_path: Path) -> None:
    body = "Der Stadtrat hat am Dienstag neue Radwege beschlossen. " * 12
    (tmp_path / "export.csv").write_text(
        f"Titel;Autor;Datum;Text\nRadwege;Jana Roth;2024-03-01;{body}\n", "utf-8"
    )
    [doc] = process(tmp_path / "export.csv")
    assert checks(doc) == [] and doc.authors == ["Jana Roth"] and doc.body.startswith("Der Stadtrat")


def test_rss_full_content_and_summary_only_entries() -> None:
    full, teaser = process(SCRAPERS / "valley-courier.rss")
    assert checks(full) == [] and not full.truncated
    assert full.title == "Flood defences finished a year early" and full.authors == ["Miriam Achterberg"]
    assert full.published_at == utc(2024, 3, 11, 7, 30) and full.publisher == "The Valley Courier"
    assert full.body.count("\n\n") == 3  # one line per paragraph of content:encoded
    assert teaser.truncated and checks(teaser) == [] and teaser.authors == ["Sam Ortiz"]
    # identity from the guid, not the position: a feed fetched again lists new entries first
    assert full.doc_id == doc_id_for("valley-courier.rss", "entry:https://courier.example/?p=10231")


def test_atom_entries() -> None:
    full, teaser = process(SCRAPERS / "engineering-blog.atom")
    assert checks(full) == [] and full.authors == ["Priya Raman", "Tomás O’Neill"]
    assert full.published_at == utc(2024, 5, 2, 13) and full.updated_at == utc(2024, 5, 2, 18, 30, 2)
    assert (
        teaser.truncated and teaser.body == "What a year of pages taught us about alerts that wake people up."
    )


def test_xml_that_is_not_a_feed(tmp_path: Path) -> None:
    (tmp_path / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://example.org/a</loc></url></urlset>",
        "utf-8",
    )
    [doc] = process(tmp_path / "sitemap.xml")
    assert checks(doc) == ["not_a_feed"]


def test_truncated_but_empty_is_still_rejected(tmp_path: Path) -> None:
    record = {"title": "Only a title", "content": "… [+1200 chars]", "url": "https://example.org/x"}
    (tmp_path / "empty.json").write_text(json.dumps(record), "utf-8")
    [doc] = process(tmp_path / "empty.json")
    assert checks(doc) == ["no_text_field"]


def test_a_short_full_text_is_still_too_short(tmp_path: Path) -> None:
    (tmp_path / "short.json").write_text(
        json.dumps({"title": "T", "text": "Just a few words here."}), "utf-8"
    )
    [doc] = process(tmp_path / "short.json")
    assert not doc.truncated
    assert {"word_count.greater_than_or_equal_to", "body.str_length"} <= set(checks(doc))


@pytest.mark.parametrize("name", ["a.jsonl", "a.csv"])
def test_record_count_and_size_limits(tmp_path: Path, name: str) -> None:
    text = "The committee met on Tuesday to discuss the proposal for the parks. " * 10
    rows = [{"title": f"T{i}", "text": text} for i in range(4)]
    path = tmp_path / name
    if name.endswith(".jsonl"):
        path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", "utf-8")
    else:
        path.write_text("title,text\n" + "".join(f"{r['title']},{r['text']}\n" for r in rows), "utf-8")
    [doc] = process(path, max_records_per_file=3)
    assert checks(doc) == ["too_many_records"] and doc.rejections[0].detail["limit"] == 3
    docs = process(path, max_record_bytes=100)
    assert [checks(d) for d in docs] == [["record_too_large"]] * 4


def test_preview_reads_exactly_what_ingest_reads(tmp_path: Path) -> None:
    from winnow.preview import preview_file
    from winnow.read.sources import discover

    shutil.copy(SCRAPERS / "scraped_articles.csv", tmp_path / "scraped_articles.csv")
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.7\n" + b"The committee met on Tuesday. " * 40)
    plan = discover(tmp_path, {})
    assert [e.path for e in plan.to_process] == ["scraped_articles.csv"]
    assert [(fe.path, r.check) for fe, r in plan.refused] == [("report.pdf", "unsupported_format")]
    table = preview_file(tmp_path / "scraped_articles.csv")["documents"]
    assert [d["record"] for d in table] == [0, 1, 2] and table[0]["title"].startswith("Council approves")
    [pdf] = preview_file(tmp_path / "report.pdf")["documents"]
    assert [r["check"] for r in pdf["rejections"]] == ["unsupported_format"]


def test_each_record_has_its_own_time_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A slow record (a whole page in an `html` field) is stopped alone; the file's others load."""
    import time

    import winnow.read.structured as structured

    real = structured.html_to_text

    def slow_for_one(markup: str) -> str:
        if "slow page" in markup:
            time.sleep(3)
        return real(markup)

    monkeypatch.setattr(structured, "html_to_text", slow_for_one)
    text = "The committee met on Tuesday to discuss the proposal for the city's parks. " * 10
    records = [
        {"title": "Fast", "text": text},
        {"title": "Slow", "html": f"<p>slow page</p><p>{text}</p>"},
        {"title": "Also fast", "html": f"<p>{text}</p>"},
    ]
    path = tmp_path / "pages.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    docs = process(path, doc_time_budget_s=1)
    assert [checks(d) for d in docs] == [[], ["time_budget"], []]
