-- 001: the first warehouse schema. Never edit a released migration: add a new file.
CREATE TABLE IF NOT EXISTS articles (
    doc_id               VARCHAR NOT NULL,   -- stable: hash of source path and record number
    source_path          VARCHAR NOT NULL,   -- relative to raw/
    record               INTEGER NOT NULL DEFAULT 0,
    title                VARCHAR,
    authors              VARCHAR[] NOT NULL,
    published_at         TIMESTAMPTZ,        -- UTC
    published_raw        VARCHAR,            -- the date string as found
    updated_at           TIMESTAMPTZ,
    updated_raw          VARCHAR,
    read_time_stated_min INTEGER,
    read_time_est_min    INTEGER,
    word_count           INTEGER NOT NULL,
    language             VARCHAR,
    language_prob        DOUBLE,
    publisher            VARCHAR,
    url                  VARCHAR,
    body                 VARCHAR NOT NULL USING COMPRESSION zstd,
    content_hash         VARCHAR NOT NULL,
    format               VARCHAR NOT NULL,
    encoding             VARCHAR,
    run_id               VARCHAR NOT NULL,
    ingested_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS sources (
    path          VARCHAR NOT NULL,          -- relative to raw/
    record        INTEGER NOT NULL DEFAULT 0,
    sha256        VARCHAR,
    bytes         BIGINT,
    mtime_ns      BIGINT,
    format        VARCHAR,
    status        VARCHAR NOT NULL CHECK (status IN ('loaded', 'duplicate', 'rejected', 'deleted')),
    doc_id        VARCHAR NOT NULL,
    duplicate_of  VARCHAR,                   -- doc_id of the article this one repeats
    first_run     VARCHAR NOT NULL,
    last_run      VARCHAR NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS removed_segments (
    doc_id    VARCHAR NOT NULL,
    position  INTEGER NOT NULL,              -- 1-based line number in the decoded source text
    text      VARCHAR NOT NULL,
    rule_id   VARCHAR NOT NULL,
    category  VARCHAR NOT NULL,
    run_id    VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS rejections (
    path      VARCHAR NOT NULL,
    record    INTEGER NOT NULL DEFAULT 0,
    sha256    VARCHAR,
    doc_id    VARCHAR,
    run_id    VARCHAR NOT NULL,
    stage     VARCHAR NOT NULL,
    "check"   VARCHAR NOT NULL,
    reason    VARCHAR NOT NULL,
    detail    JSON,
    rejected_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS runs (
    run_id          VARCHAR NOT NULL,        -- the Prefect flow-run id
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    status          VARCHAR NOT NULL,        -- completed | failed | skipped
    raw_dir         VARCHAR,
    files_seen      INTEGER DEFAULT 0,
    files_new       INTEGER DEFAULT 0,
    files_changed   INTEGER DEFAULT 0,
    files_unchanged INTEGER DEFAULT 0,
    files_deleted   INTEGER DEFAULT 0,
    loaded          INTEGER DEFAULT 0,
    duplicates      INTEGER DEFAULT 0,
    rejected        INTEGER DEFAULT 0,
    segments_removed INTEGER DEFAULT 0,
    duration_s      DOUBLE,
    stage_seconds   JSON,
    winnow_version  VARCHAR,
    rules_version   VARCHAR,
    error           VARCHAR
);

CREATE OR REPLACE VIEW article_authors AS
    SELECT a.doc_id, unnest(a.authors) AS author, a.title, a.published_at, a.publisher, a.language
    FROM articles a;

CREATE OR REPLACE VIEW articles_per_day AS
    SELECT CAST(published_at AS DATE) AS day, count(*) AS articles
    FROM articles WHERE published_at IS NOT NULL GROUP BY 1 ORDER BY 1;

CREATE OR REPLACE VIEW articles_per_language AS
    SELECT language, count(*) AS articles, avg(language_prob) AS mean_probability
    FROM articles GROUP BY 1 ORDER BY 2 DESC;

CREATE OR REPLACE VIEW articles_per_publisher AS
    SELECT coalesce(publisher, '(unknown)') AS publisher, count(*) AS articles
    FROM articles GROUP BY 1 ORDER BY 2 DESC;

CREATE OR REPLACE VIEW removed_by_rule AS
    SELECT rule_id, category, count(*) AS removals, count(DISTINCT doc_id) AS documents
    FROM removed_segments GROUP BY 1, 2 ORDER BY 3 DESC;

CREATE OR REPLACE VIEW current_rejections AS
    SELECT r.* FROM rejections r
    JOIN sources s ON s.path = r.path AND s.record = r.record AND s.sha256 IS NOT DISTINCT FROM r.sha256
    WHERE s.status = 'rejected';
