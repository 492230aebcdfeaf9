-- 003: learned boilerplate. One row per (source, line, distinct article) observed; the count of
-- distinct articles per line is what decides removal, so it lives here and carries across runs.
CREATE TABLE IF NOT EXISTS learned_line_docs (
    source       VARCHAR NOT NULL,   -- URL host, or first folder under raw/, or '.' (winnow.learned)
    line_hash    VARCHAR NOT NULL,   -- hash of the normalised line
    fingerprint  VARCHAR NOT NULL,   -- the article's fingerprint: copies of one article count once
    text         VARCHAR NOT NULL,   -- the line as first seen
    run_id       VARCHAR NOT NULL,
    seen_at      TIMESTAMPTZ NOT NULL
);

CREATE OR REPLACE VIEW learned_lines AS
    SELECT source, line_hash, min(text) AS text, count(DISTINCT fingerprint) AS documents,
           min(seen_at) AS first_seen, max(seen_at) AS last_seen
    FROM learned_line_docs GROUP BY source, line_hash;
