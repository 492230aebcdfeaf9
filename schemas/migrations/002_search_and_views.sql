-- 002: the full-text index winnow keeps itself, and more views for the common questions.
--
-- The index is incremental: the loader writes a document's terms in the same transaction as the
-- article, and removes them when the article is replaced. BM25 is computed at query time from
-- these two tables (winnow/search.py), so nothing is ever rebuilt whole.
-- Postings refer to documents by a small integer key: joining and grouping on it is several times
-- cheaper than on the 16-character doc_id.
CREATE SEQUENCE IF NOT EXISTS search_doc_key;

CREATE TABLE IF NOT EXISTS search_docs (
    doc_key      BIGINT NOT NULL,            -- from search_doc_key; new for every (re)indexing
    doc_id       VARCHAR NOT NULL,           -- articles.doc_id
    source_path  VARCHAR NOT NULL,           -- so a re-processed file's old documents can be found
    length       INTEGER NOT NULL,           -- number of indexed terms (title counted twice)
    -- The body again, for snippets: articles.body is zstd-compressed, and reading 10 scattered
    -- bodies from it costs most of a second at 100,000 articles; from here, with the index below,
    -- a few milliseconds.
    body         VARCHAR
);
CREATE INDEX IF NOT EXISTS search_docs_doc_id ON search_docs (doc_id);

CREATE TABLE IF NOT EXISTS search_postings (
    term    VARCHAR NOT NULL,                -- folded token (see winnow/search.py)
    doc_key BIGINT NOT NULL,
    tf      INTEGER NOT NULL                 -- occurrences of term in the document
);

CREATE OR REPLACE VIEW articles_per_week AS
    SELECT CAST(date_trunc('week', published_at) AS DATE) AS week_starting, count(*) AS articles
    FROM articles WHERE published_at IS NOT NULL GROUP BY 1 ORDER BY 1;

CREATE OR REPLACE VIEW latest_run_rejections AS
    SELECT r.* FROM rejections r
    WHERE r.run_id = (SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1);

CREATE OR REPLACE VIEW rejections_by_check AS
    SELECT stage, "check", count(*) AS rejections, count(DISTINCT path) AS files
    FROM current_rejections GROUP BY 1, 2 ORDER BY 3 DESC;

CREATE OR REPLACE VIEW articles_per_author AS
    SELECT author, count(*) AS articles, min(published_at) AS first_published,
           max(published_at) AS last_published
    FROM article_authors GROUP BY 1 ORDER BY 2 DESC;
