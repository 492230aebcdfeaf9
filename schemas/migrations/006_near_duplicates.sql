-- 006: near-duplicates (syndicated copies). Signatures and their LSH band keys are the index
-- (winnow/store/neardup.py): a new article is compared with everything loaded before it without
-- reading any body again. Copies are loaded and only flagged; exact copies stay as before
-- (sources.status = 'duplicate', not loaded).
CREATE SEQUENCE IF NOT EXISTS near_dup_key;

CREATE TABLE IF NOT EXISTS near_dup_signatures (
    sig_key      BIGINT NOT NULL,            -- from near_dup_key; new each time an article is signed
    doc_id       VARCHAR NOT NULL,           -- articles.doc_id
    source_path  VARCHAR NOT NULL,           -- so a re-processed file's old signatures can be found
    shingles     INTEGER NOT NULL,           -- distinct word shingles of the clean body
    minhash      BLOB NOT NULL,              -- num_perm uint32 values, little-endian (rensa R-MinHash)
    run_id       VARCHAR NOT NULL
);

-- One row per article and LSH band: articles that share a key are compared.
CREATE TABLE IF NOT EXISTS near_dup_bands (
    band_key  UBIGINT NOT NULL,              -- hash of the band's number and its signature values
    sig_key   BIGINT NOT NULL
);

-- Each near-duplicate pair once: doc_id was loaded after (or with) of_doc_id.
CREATE TABLE IF NOT EXISTS near_duplicates (
    doc_id      VARCHAR NOT NULL,
    of_doc_id   VARCHAR NOT NULL,
    similarity  DOUBLE NOT NULL,             -- estimated share of the shorter body's shingles in the other
    jaccard     DOUBLE NOT NULL,             -- estimated Jaccard similarity of the two shingle sets
    run_id      VARCHAR NOT NULL
);

-- Articles in clusters of two or more; cluster_id is the smallest doc_id in the cluster.
CREATE TABLE IF NOT EXISTS near_dup_clusters (
    doc_id      VARCHAR NOT NULL,
    cluster_id  VARCHAR NOT NULL
);

-- The settings the index was built with; a run with other settings rebuilds it.
CREATE TABLE IF NOT EXISTS near_dup_state (
    scheme      VARCHAR NOT NULL,            -- what the signatures are (winnow.store.dedup.Scheme.key)
    bands       INTEGER NOT NULL,
    threshold   DOUBLE NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    run_id      VARCHAR NOT NULL
);

-- Articles in clusters of two or more, with the cluster's size and canonical member: earliest
-- published, else most words, else first seen (the start of its source's first run), else doc_id.
CREATE OR REPLACE VIEW near_duplicate_members AS
    WITH members AS (
        SELECT c.doc_id, c.cluster_id, a.published_at, a.word_count, r.started_at AS first_seen
        FROM near_dup_clusters c
        JOIN articles a ON a.doc_id = c.doc_id
        LEFT JOIN sources s ON s.doc_id = c.doc_id
        LEFT JOIN (SELECT run_id, min(started_at) AS started_at FROM runs GROUP BY run_id) r
            ON r.run_id = s.first_run
    )
    SELECT doc_id, cluster_id,
           count(*) OVER (PARTITION BY cluster_id) AS cluster_size,
           first_value(doc_id) OVER (
               PARTITION BY cluster_id
               ORDER BY published_at ASC NULLS LAST, word_count DESC, first_seen ASC NULLS LAST, doc_id
           ) AS canonical_doc_id
    FROM members;

-- Every article with its cluster: one with no copy is a cluster of one, with its own doc_id.
CREATE OR REPLACE VIEW article_clusters AS
    SELECT doc_id, cluster_id, cluster_size, canonical_doc_id FROM near_duplicate_members
    UNION ALL
    SELECT a.doc_id, a.doc_id, 1, a.doc_id FROM articles a
    WHERE NOT EXISTS (SELECT 1 FROM near_dup_clusters c WHERE c.doc_id = a.doc_id);

-- One row per cluster of two or more.
CREATE OR REPLACE VIEW near_duplicate_clusters AS
    SELECT cluster_id, any_value(canonical_doc_id) AS canonical_doc_id, count(*) AS articles,
           list(doc_id ORDER BY doc_id) AS doc_ids
    FROM near_duplicate_members GROUP BY cluster_id;
