-- 004: run reports. What each run did, beyond counts, lives beside the counts in `runs`:
-- rejections per check (and examples with their reasons), the rules that removed most lines,
-- and the new and changed files. Runs skipped because another ingest held the writer lock get
-- status 'skipped' with the holder in `error`.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS rejection_reasons JSON;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS rejection_examples JSON;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS top_rules JSON;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS new_files JSON;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS changed_files JSON;
