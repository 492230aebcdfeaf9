-- 007 (issue 12): how a plain-text file was read. `reading`: page_dump (the article found among a
-- whole page's chrome), plain (a tidy article: rule packs only), plain_fallback (read as a page dump,
-- that reading would have discarded most of the article's prose, so rule packs only); null for
-- other formats. `wrap_width`: the hard-wrap width found and undone (null: not wrapped).
ALTER TABLE articles ADD COLUMN reading VARCHAR;
ALTER TABLE articles ADD COLUMN wrap_width INTEGER;
