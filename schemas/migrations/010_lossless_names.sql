-- File names of any bytes (winnow.names): a name is stored with each byte that is not UTF-8 as
-- \xNN and each backslash doubled, so the stored form reads back to exactly the name's bytes.
-- Names a warehouse already holds were valid UTF-8 (an odd byte failed the run before); only
-- their backslashes change, here, so the next run finds them unchanged instead of new.
UPDATE sources SET path = replace(path, '\', '\\') WHERE contains(path, '\');
UPDATE rejections SET path = replace(path, '\', '\\') WHERE contains(path, '\');
UPDATE articles SET source_path = replace(source_path, '\', '\\') WHERE contains(source_path, '\');
UPDATE search_docs SET source_path = replace(source_path, '\', '\\') WHERE contains(source_path, '\');
UPDATE skipped_records SET path = replace(path, '\', '\\') WHERE contains(path, '\');
UPDATE near_dup_signatures SET source_path = replace(source_path, '\', '\\') WHERE contains(source_path, '\');
