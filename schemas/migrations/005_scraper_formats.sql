-- 005 (issue 13): truncated teasers, fetch times, and records inside a file as their own sources.
ALTER TABLE articles ADD COLUMN truncated BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE articles ADD COLUMN full_chars INTEGER;   -- the full text's length, as the source states it
ALTER TABLE articles ADD COLUMN fetched_at TIMESTAMPTZ; -- when the page was fetched (WARC-Date), never the published time
-- A record inside a file (JSONL line, CSV row, feed entry, WARC record) is its own source: its own
-- hash says whether it changed (a re-run keeps unchanged records), its offset where it starts.
ALTER TABLE sources ADD COLUMN record_sha256 VARCHAR;
ALTER TABLE sources ADD COLUMN record_offset BIGINT;
-- Archive records that are not documents (warcinfo, request, metadata, revisit, images, non-2xx
-- responses): counted, with the reason, so every record of an archive is accounted for.
CREATE TABLE IF NOT EXISTS skipped_records (
    path          VARCHAR NOT NULL,
    record        INTEGER NOT NULL,   -- its place among the file's records
    sha256        VARCHAR,            -- the file's bytes when it was skipped
    record_offset BIGINT,
    record_type   VARCHAR NOT NULL,   -- WARC-Type
    content_type  VARCHAR,
    target_uri    VARCHAR,
    reason        VARCHAR NOT NULL,
    run_id        VARCHAR NOT NULL
);
