-- Exports, reports and the newest-first lists read records in
-- (created_at, id) order over one or more kinds: with this index PostgreSQL
-- walks it in order instead of sorting every record with its sealed
-- content (which spilled some 45 MB to disk for 100,000 tips).
CREATE INDEX submissions_created_id ON submissions (created_at, id);
