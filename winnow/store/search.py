"""Full-text search: an inverted index winnow keeps in its own DuckDB tables, ranked by BM25.

Why not DuckDB's `fts` extension: it cannot be installed offline for the DuckDB we use, and it
rebuilds its index whole (87 s and 6.1 GB at 100,000 articles). This index is incremental: the
loader writes each document's terms in the run's transaction (`index_articles`; staged on disk
until the end of the run, like the articles), a re-processed file's old terms are deleted first,
and BM25 is computed in SQL at query time (`search`).

Tokenising (one polars expression, used for documents and queries alike, so they always agree):
NFKD, accents dropped from Latin and Greek letters only (other scripts keep their marks, which are
part of their letters), NFC, lower case; words are runs of letters, digits and marks; scripts
written without spaces (Chinese, Japanese, Korean, Thai, Lao, Khmer, Myanmar) become overlapping
character bigrams. No stemming: languages differ, and exact terms keep the index small and honest.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import numpy as np
import polars as pl

from winnow.errors import WinnowError
from winnow.faults import hold
from winnow.store.scan import execute, python_tables
from winnow.store.search_query import WORD_CLASS, Clause, SearchQuery, phrase_pattern
from winnow.store.search_query import parse as parse_query

# BM25 parameters (the usual defaults) and how much a title term counts against a body term.
K1 = 1.2
B = 0.75
TITLE_WEIGHT = 2
MAX_TERM_CHARS = 64
_BIGRAM_SCRIPTS = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
_RUNS = rf"[{_BIGRAM_SCRIPTS}]+"
_WORDS = rf"[\p{{L}}\p{{N}}\p{{M}}--[{_BIGRAM_SCRIPTS}]]+"
INDEX_CHUNK = 5_000  # documents tokenised at once when back-filling: bounds memory


def fold(text: pl.Expr) -> pl.Expr:
    """Case- and accent-fold text the same way for documents and queries."""
    return (
        text.str.normalize("NFKD")
        .str.replace_all(r"([\p{Latin}\p{Greek}])\p{Mn}+", "$1")
        .str.normalize("NFC")
        .str.to_lowercase()
    )


def tokenize(frame: pl.DataFrame, text_col: str = "text", key: str = "doc_id") -> pl.DataFrame:
    """(key, text) rows -> (key, term) rows, one per token occurrence, in no particular order."""
    # Folded once, up front: both branches below read it (a lazy plan would fold twice).
    folded = frame.select(pl.col(key), fold(pl.col(text_col)).alias("folded")).lazy()
    # Words and runs of the bigram scripts are extracted apart: most texts hold no such run, and
    # telling the two kinds apart token by token cost more than the extraction itself.
    words = (
        folded.select(pl.col(key), pl.col("folded").str.extract_all(_WORDS).alias("term"))
        .explode("term")
        .filter(pl.col("term").str.len_chars().is_between(2, MAX_TERM_CHARS))
    )
    runs = (
        folded.filter(pl.col("folded").str.contains(_RUNS))
        .select(pl.col(key), pl.col("folded").str.extract_all(_RUNS).alias("term"))
        .explode("term")
        .drop_nulls("term")
    )
    single = runs.filter(pl.col("term").str.len_chars() == 1)
    multi = runs.filter(pl.col("term").str.len_chars() > 1)
    # Overlapping bigrams: the pairs starting at even offsets, then those starting at odd ones.
    even = multi.select(pl.col(key), pl.col("term").str.extract_all("..")).explode("term")
    odd = multi.select(pl.col(key), pl.col("term").str.slice(1).str.extract_all("..")).explode("term")
    return pl.concat(
        [words, single, even.drop_nulls("term"), odd.drop_nulls("term")], how="vertical"
    ).collect()


def query_terms(query: str) -> list[str]:
    """The distinct index terms of a query string, in the order they first appear."""
    terms = tokenize(pl.DataFrame({"doc_id": ["q"], "text": [query]}))["term"].to_list()
    return list(dict.fromkeys(terms))


def document_terms(articles: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Articles (doc_id, source_path, title, body) -> (search_docs rows, search_postings rows), each
    document named by `doc_ord`, its place in `articles`, and postings sorted by term then doc_ord.

    Pure CPU work with no warehouse in it, so the batch workers do it (winnow.prepare); the writer
    only draws the documents' keys (`with_keys`)."""
    title = pl.col("title").fill_null("")
    text = pl.concat_str([title] * TITLE_WEIGHT + [pl.col("body").fill_null("")], separator="\n")
    numbered = articles.with_row_index("doc_ord")
    postings = (
        tokenize(numbered.select("doc_ord", text.alias("text")), key="doc_ord")
        .group_by("doc_ord", "term")
        .agg(pl.len().cast(pl.Int32).alias("tf"))
    )
    lengths = postings.group_by("doc_ord").agg(pl.col("tf").sum().cast(pl.Int32).alias("length"))
    docs = (
        numbered.select("doc_ord", "doc_id", "source_path", "body")
        .join(lengths, on="doc_ord", how="left")
        .sort("doc_ord")
        .with_columns(pl.col("length").fill_null(0))
        .select("doc_ord", "doc_id", "source_path", "length", "body")
    )
    # Sorted by term: row groups then cover fewer terms, so zone maps skip more at query time.
    return docs, postings.sort("term", "doc_ord").select("term", "doc_ord", "tf")


def with_keys(
    con: duckdb.DuckDBPyConnection, docs: pl.DataFrame, postings: pl.DataFrame, only: list[str] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`document_terms` rows keyed from the search_doc_key sequence now (so they can wait on disk
    and be inserted later with no join), for the documents in `only` (doc_ids; default all)."""
    if only is not None and len(only) < docs.height:
        docs = docs.filter(pl.col("doc_id").is_in(only))
        postings = postings.filter(pl.col("doc_ord").is_in(docs["doc_ord"].implode()))
    drawn = con.execute("SELECT nextval('search_doc_key') AS k FROM range(?)", [docs.height]).fetchnumpy()
    keys = np.sort(np.asarray(drawn["k"], dtype=np.int64))  # increasing with doc_ord: postings stay sorted
    ords = docs["doc_ord"].to_numpy()
    by_ord = np.zeros(int(ords.max()) + 1 if ords.size else 0, dtype=np.int64)
    by_ord[ords] = keys
    docs = docs.with_columns(pl.Series("doc_key", keys, dtype=pl.Int64))
    postings = postings.select("term", pl.Series("doc_key", by_ord[postings["doc_ord"].to_numpy()]), "tf")
    return docs.select("doc_key", "doc_id", "source_path", "length", "body"), postings


def keyed_terms(con: duckdb.DuckDBPyConnection, articles: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`document_terms` and `with_keys` in one step (back-filling, batches made without terms)."""
    return with_keys(con, *document_terms(articles))


Stage = Callable[[str, pl.DataFrame], None]


def index_articles(
    con: duckdb.DuckDBPyConnection,
    articles: pl.DataFrame,
    paths: list[str],
    stage: Stage | None = None,
    keep: list[str] | None = None,
    terms: tuple[pl.DataFrame, pl.DataFrame] | None = None,
) -> None:
    """Index a loaded batch inside the caller's transaction.

    `paths` are the source files being (re)loaded: their previous documents' terms go first, so a
    changed or shrunken file leaves nothing stale behind, but for the unchanged records in `keep`
    (doc_ids a changed multi-record file kept, winnow.read.parts). With `stage`, the new rows go to
    stage(table, rows) to be inserted later in the same transaction (the loader spills them to
    disk: a transaction's appends stay in memory until commit); without, they are inserted now.
    Deleting only what the tables hold is enough because a run reads each path in one batch.
    `terms` (document_terms of a superset of `articles`, made in a worker) saves tokenising here.
    """
    gone = pl.DataFrame({"source_path": sorted(set(paths))}, schema={"source_path": pl.String})
    ids = pl.DataFrame({"doc_id": articles["doc_id"].to_list()}, schema={"doc_id": pl.String})
    kept = pl.DataFrame({"doc_id": keep or []}, schema={"doc_id": pl.String})
    with python_tables(
        _search_gone_paths=gone.to_arrow(), _search_new_ids=ids.to_arrow(), _search_kept_ids=kept.to_arrow()
    ):
        execute(
            con,
            "CREATE OR REPLACE TEMP TABLE _search_gone AS SELECT doc_key FROM search_docs "
            "WHERE (source_path IN (SELECT source_path FROM _search_gone_paths) "
            "AND doc_id NOT IN (SELECT doc_id FROM _search_kept_ids)) "
            "OR doc_id IN (SELECT doc_id FROM _search_new_ids)",
        )
    _delete_gone(con)
    if articles.height:
        if terms is None:
            docs, postings = keyed_terms(con, articles.select("doc_id", "source_path", "title", "body"))
        else:
            docs, postings = with_keys(con, *terms, only=articles["doc_id"].to_list())
        if stage is None:
            _insert(con, docs, postings)
        else:
            stage("search_docs", docs)
            stage("search_postings", postings)
    hold("index")  # crash-test point (winnow/faults.py); inert in normal use


def _delete_gone(con: duckdb.DuckDBPyConnection) -> None:
    """Remove the documents whose keys are in the temp table _search_gone, then drop it."""
    # New files (the common case) replace nothing: skip the deletes, which scan every posting.
    if con.execute("SELECT count(*) FROM _search_gone").fetchall()[0][0]:
        con.execute("DELETE FROM search_postings WHERE doc_key IN (SELECT doc_key FROM _search_gone)")
        con.execute("DELETE FROM search_docs WHERE doc_key IN (SELECT doc_key FROM _search_gone)")
    con.execute("DROP TABLE _search_gone")


def _insert(con: duckdb.DuckDBPyConnection, docs: pl.DataFrame, postings: pl.DataFrame) -> None:
    """Insert rows made by `keyed_terms` (postings keep their order: by term)."""
    with python_tables(_search_docs_new=docs.to_arrow(), _search_postings_new=postings.to_arrow()):
        execute(
            con,
            "INSERT INTO search_docs (doc_key, doc_id, source_path, length, body) "
            "SELECT doc_key, doc_id, source_path, length, body FROM _search_docs_new",
        )
        execute(
            con,
            "INSERT INTO search_postings (term, doc_key, tf) "
            "SELECT term, doc_key, tf FROM _search_postings_new",
        )


def sync_index(con: duckdb.DuckDBPyConnection) -> int:
    """Index articles the index lacks and drop entries of articles that are gone (autocommit
    connection; one transaction). Needed once after migrating a warehouse made before the index
    existed, and a safety net after any write that bypassed the loader. Returns documents added."""
    if not has_index(con):
        return 0
    missing = con.execute(
        "SELECT count(*) FROM articles a ANTI JOIN search_docs d ON d.doc_id = a.doc_id"
    ).fetchall()[0]
    orphans = con.execute(
        "SELECT count(*) FROM search_docs d ANTI JOIN articles a ON a.doc_id = d.doc_id"
    ).fetchall()[0]
    n_missing = int(missing[0]) if missing else 0
    if not n_missing and not (orphans and orphans[0]):
        return 0
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _search_gone AS "
            "SELECT doc_key FROM search_docs ANTI JOIN articles USING (doc_id)"
        )
        _delete_gone(con)
        ids = [
            r[0]
            for r in con.execute(
                "SELECT a.doc_id FROM articles a ANTI JOIN search_docs d ON d.doc_id = a.doc_id"
            ).fetchall()
        ]
        for start in range(0, len(ids), INDEX_CHUNK):
            chunk = pl.DataFrame({"doc_id": ids[start : start + INDEX_CHUNK]}, schema={"doc_id": pl.String})
            with python_tables(_search_chunk=chunk.to_arrow()):
                batch = pl.from_arrow(
                    execute(
                        con,
                        "SELECT doc_id, source_path, title, body FROM articles "
                        "WHERE doc_id IN (SELECT doc_id FROM _search_chunk)",
                    ).to_arrow_table()
                )
            assert isinstance(batch, pl.DataFrame)
            _insert(con, *keyed_terms(con, batch))
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return n_missing


def has_index(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_name IN ('search_docs', 'search_postings')"
    ).fetchall()[0]
    return bool(row and row[0] == 2)


@dataclass(frozen=True)
class Hit:
    doc_id: str
    score: float
    title: str | None
    authors: list[str]
    published_at: datetime | None
    publisher: str | None
    language: str | None
    source_path: str
    snippet: str
    matched: list[str]


class SearchUnavailable(WinnowError):
    """The warehouse has no search index (made by an older winnow and not yet migrated)."""


# Rank first, over the index alone; read the top documents' metadata and text afterwards. `matched`
# keeps the documents the query's words, phrases, ORs and exclusions allow (winnow.store.search_query).
_RANK_SQL = """
WITH stats AS (SELECT count(*) AS n, coalesce(avg(length), 1) AS avgdl FROM search_docs),
hits AS (SELECT term, doc_key, tf FROM search_postings WHERE term IN (SELECT term FROM _search_terms)),
idf AS (
    SELECT term, ln(1 + (any_value(stats.n) - count(*) + 0.5) / (count(*) + 0.5)) AS idf
    FROM hits, stats GROUP BY term
),
presence AS (SELECT doc_key, list(term) AS terms FROM hits GROUP BY doc_key),
matched AS (SELECT p.doc_key FROM presence p {phrase_join} WHERE {match}),
scored AS (
    SELECT h.doc_key,
           sum(idf.idf * h.tf * ({k1} + 1)
               / (h.tf + {k1} * (1 - {b} + {b} * d.length / stats.avgdl))) AS score
    FROM hits h JOIN idf USING (term) JOIN search_docs d USING (doc_key), stats
    WHERE h.term IN (SELECT term FROM _search_terms WHERE ranks)
      AND h.doc_key IN (SELECT doc_key FROM matched)
    GROUP BY h.doc_key
)
SELECT d.doc_id, s.score FROM {ranked} s JOIN search_docs d USING (doc_key)
{filters}
ORDER BY s.score DESC, d.doc_id
LIMIT ?
"""
_PHRASE_JOIN = "JOIN search_docs pd USING (doc_key) LEFT JOIN articles pa ON pa.doc_id = pd.doc_id"
_PHRASE_TEXT = "lower(strip_accents(coalesce(pa.title, '') || chr(10) || coalesce(pd.body, '')))"
# Without filters, take the top N before looking up doc ids; with them, filter every scored document.
_TOP = "(SELECT * FROM scored ORDER BY score DESC, doc_key LIMIT ?)"


def search(
    con: duckdb.DuckDBPyConnection,
    query: str,
    *,
    limit: int = 10,
    language: str | None = None,
    since: date | None = None,
    until: date | None = None,
    author: str | None = None,
    publisher: str | None = None,
) -> list[Hit]:
    """Rank articles by BM25 for `query`; filters narrow the candidates. Values are parameters."""
    if not has_index(con):
        raise SearchUnavailable(
            "this warehouse has no search index yet (it was made by an older winnow); open it once "
            "for writing, e.g. run `winnow ingest`, to migrate and index it"
        )
    parsed = parse_query(query, query_terms)
    terms = parsed.terms
    if not terms or limit <= 0:
        return []
    match, match_params, phrases = _match_condition(con, parsed)
    filters: list[str] = []
    params: list[object] = []
    if language:
        filters.append("a.language = ?")
        params.append(language)
    if since:
        filters.append("a.published_at >= CAST(? AS DATE)")
        params.append(since)
    if until:
        filters.append("a.published_at < CAST(? AS DATE) + INTERVAL 1 DAY")
        params.append(until)
    if author:
        filters.append("len(list_filter(a.authors, lambda x: contains(lower(x), lower(?)))) > 0")
        params.append(author)
    if publisher:
        filters.append("lower(a.publisher) = lower(?)")
        params.append(publisher)
    if filters:
        # Only fixed conditions with ? placeholders go into this text; the values travel as parameters.
        where = "WHERE d.doc_id IN (SELECT a.doc_id FROM articles a WHERE " + " AND ".join(filters) + ")"  # noqa: S608
        ranked_from, filtered, args = "scored", where, [*match_params, *params, limit]
    else:
        ranked_from, filtered, args = _TOP, "", [*match_params, limit, limit]
    join = _PHRASE_JOIN if phrases else ""
    sql = _RANK_SQL.format(k1=K1, b=B, ranked=ranked_from, filters=filtered, match=match, phrase_join=join)
    excluded = [t for t in parsed.excluded_terms if t not in terms]
    table = pl.DataFrame({"term": terms + excluded, "ranks": [True] * len(terms) + [False] * len(excluded)})
    con.register("_search_terms", table.to_arrow())
    try:
        ranked = con.execute(sql, args).fetchall()
    finally:
        con.unregister("_search_terms")
    if not ranked:
        return []
    ids = [r[0] for r in ranked]
    marks = ", ".join("?" * len(ids))  # a literal IN list of parameters lets DuckDB use the doc_id index
    meta = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT doc_id, title, authors, published_at, publisher, language, source_path "  # noqa: S608
            f"FROM articles WHERE doc_id IN ({marks})",
            ids,
        ).fetchall()
    }
    bodies = dict(
        con.execute(f"SELECT doc_id, body FROM search_docs WHERE doc_id IN ({marks})", ids).fetchall()  # noqa: S608
    )
    found = _terms_in(
        {d: f"{(meta.get(d) or [''])[0] or ''}\n{bodies.get(d) or ''}" for d in ids}, set(terms)
    )
    kept = [d for d, _ in ranked if d in meta]  # an indexed id that is no longer an article: skip
    cuts = dict(zip(kept, snippets([bodies.get(d) or "" for d in kept], terms), strict=True))
    hits = []
    for doc_id, score in ranked:
        if doc_id not in meta:
            continue
        title, authors, published_at, publisher_, language_, source_path = meta[doc_id]
        hits.append(
            Hit(
                doc_id=doc_id,
                score=float(score),
                title=title,
                authors=list(authors or []),
                published_at=published_at,
                publisher=publisher_,
                language=language_,
                source_path=source_path,
                matched=[t for t in terms if t in found.get(doc_id, set())],
                snippet=cuts[doc_id],
            )
        )
    return hits


def _match_condition(con: duckdb.DuckDBPyConnection, query: SearchQuery) -> tuple[str, list[object], bool]:
    """The `matched` condition over presence rows (p.terms: the query terms a document holds), its
    parameters, and whether it reads the documents' text (phrases)."""
    params: list[object] = []
    phrases = False

    def clause(c: Clause) -> str:
        nonlocal phrases
        params.append(list(c.terms))
        sql = "list_has_all(p.terms, ?::VARCHAR[])"
        if c.phrase:
            rows = con.execute(
                "SELECT regexp_extract_all(lower(strip_accents(?)), ?)", [c.phrase, WORD_CLASS]
            ).fetchall()
            words = rows[0][0] if rows else []
            if len(words) > 1:
                phrases = True
                params.append(phrase_pattern(words))
                sql += f" AND regexp_matches({_PHRASE_TEXT}, ?)"
        return f"({sql})"

    conditions = ["(" + " OR ".join(clause(c) for c in group) + ")" for group in query.groups]
    conditions += [f"NOT {clause(c)}" for c in query.excluded]
    return " AND ".join(conditions) or "true", params, phrases


def _terms_in(texts: dict[str, str], wanted: set[str]) -> dict[str, set[str]]:
    """Which of the wanted terms each text contains (one tokenising pass for all of them)."""
    if not texts:
        return {}
    toks = tokenize(pl.DataFrame({"doc_id": list(texts), "text": list(texts.values())}))
    found = toks.filter(pl.col("term").is_in(list(wanted))).unique()
    out: dict[str, set[str]] = {}
    for doc_id, term in found.iter_rows():
        out.setdefault(doc_id, set()).add(term)
    return out


_WORD = re.compile(r"\w+")


def snippet(body: str, terms: list[str], width: int = 240) -> str:
    """The snippet of one body (see `snippets`)."""
    return snippets([body], terms, width)[0]


def snippets(bodies: list[str], terms: list[str], width: int = 240) -> list[str]:
    """For each body, the paragraph that matches the most query terms, cut to about `width`
    characters around the first match, with matched words marked **like this**. All bodies are
    tokenised in one pass: a query's ten hits cost one polars call, not ten."""
    wanted = set(terms)
    paragraphs = [[p for p in body.split("\n\n") if p.strip()] or [body] for body in bodies]
    flat = [(i, j, p) for i, paras in enumerate(paragraphs) for j, p in enumerate(paras)]
    toks = tokenize(pl.DataFrame({"k": list(range(len(flat))), "text": [p for _, _, p in flat]}), key="k")
    counts = dict(
        toks.filter(pl.col("term").is_in(list(wanted)))
        .group_by("k")
        .agg(pl.col("term").n_unique())
        .iter_rows()
    )
    best = [0] * len(bodies)
    score = [0] * len(bodies)
    for k, (i, j, _) in enumerate(flat):
        if counts.get(k, 0) > score[i]:
            best[i], score[i] = j, counts[k]
    chosen = [paragraphs[i][best[i]].strip() for i in range(len(bodies))]
    words = [[(m.start(), m.end(), m.group()) for m in _WORD.finditer(para)] for para in chosen]
    folded = iter(
        pl.DataFrame({"w": [w for ws in words for _, _, w in ws]}, schema={"w": pl.String})
        .select(fold(pl.col("w")))["w"]
        .to_list()
    )
    out = []
    for para, ws in zip(chosen, words, strict=True):
        marks = [(s, e) for (s, e, _) in ws if _matches(next(folded), wanted)]
        out.append(_cut(para, marks, width))
    return out


def _matches(word: str, wanted: set[str]) -> bool:
    """A folded word matches a term, or holds a bigram term of an unspaced script."""
    if word in wanted:
        return True
    return any(len(t) > 1 and t in word and re.match(_IS_BIGRAM_SCRIPT_PY, t) for t in wanted)


def _cut(para: str, marks: list[tuple[int, int]], width: int) -> str:
    start = 0
    if marks and len(para) > width:
        start = max(0, marks[0][0] - width // 4)
        while start > 0 and not para[start - 1].isspace():
            start -= 1
    end = min(len(para), start + width)
    while end < len(para) and not para[end].isspace() and end - start < width + 30:
        end += 1
    out, pos = [], start
    for s, e in marks:
        if s < start or e > end:
            continue
        out.append(para[pos:s])
        out.append(f"**{para[s:e]}**")
        pos = e
    out.append(para[pos:end])
    text = "".join(out).replace("\n", " ")
    return ("…" if start > 0 else "") + text + ("…" if end < len(para) else "")


# Python's re has no \p{...}: the same scripts by code-point ranges, for highlighting only.
_IS_BIGRAM_SCRIPT_PY = (
    "[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\u0e00-\u0eff\u1780-\u17ff\u1000-\u109f]"
)


def index_stats(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Documents and postings in the index, and articles it lacks (should be 0)."""
    if not has_index(con):
        return {"available": False}
    row = con.execute(
        "SELECT (SELECT count(*) FROM search_docs), (SELECT count(*) FROM search_postings), "
        "(SELECT count(*) FROM articles a ANTI JOIN search_docs d ON d.doc_id = a.doc_id)"
    ).fetchall()[0]
    assert row is not None
    return {"available": True, "documents": row[0], "postings": row[1], "missing": row[2]}
