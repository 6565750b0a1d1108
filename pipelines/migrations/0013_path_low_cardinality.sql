-- events.path becomes LowCardinality(String). Every page-filtered report scans the path of each
-- event in its range, and decoding millions of plain strings was most of their time: with 10M
-- events, a 30-day "page = /pricing" filter spent ~100 ms of CPU on it, ~14 ms with a
-- dictionary (bench/RESULTS.md, "Queries"). A site has far fewer distinct paths than events.
-- Queries are unchanged: the column still reads as a string. Rewrites one column: ~1 s per 10M
-- events here; the statement waits until every part is converted.
ALTER TABLE events MODIFY COLUMN path LowCardinality(String) COMMENT 'URL path of the page, without query string' SETTINGS mutations_sync = 2;
