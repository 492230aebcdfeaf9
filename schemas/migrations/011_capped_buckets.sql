-- 011: an LSH bucket (the articles indexed under one band key) holds its first 50 articles, by
-- sig_key (winnow/store/neardup.py BUCKET_CAP; tests/test_neardup.py checks the two agree). A new
-- article is compared with those holders only: uncapped, a band of common text made every new
-- article meet every earlier one, and a cold ingest of 100,000 articles ran out of memory.
DELETE FROM near_dup_bands WHERE rowid IN (
    SELECT rowid FROM near_dup_bands
    QUALIFY row_number() OVER (PARTITION BY band_key ORDER BY sig_key) > 50
);
