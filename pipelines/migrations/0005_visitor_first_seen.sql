-- When each visitor was first seen, over all time: decides new vs returning visitors.
-- Fed by a materialized view on every insert into `events` (never by the client), kept as a
-- minState so late or replayed batches can only move it earlier; merges keep one row per
-- visitor. The migration backfills it from the events already stored.
CREATE TABLE IF NOT EXISTS visitor_first_seen
(
    site_id LowCardinality(String) COMMENT 'Site the visitor was seen on',
    visitor_id UInt64 COMMENT 'Visitor, as in events.visitor_id',
    first_seen AggregateFunction(min, DateTime64(3, 'UTC')) COMMENT 'minState of the visitor''s event timestamps: read with minMerge(first_seen) … GROUP BY visitor_id',
    last_seen SimpleAggregateFunction(max, DateTime64(3, 'UTC')) COMMENT 'The visitor''s latest event: with retention_days, when the row expires',
    retention_days SimpleAggregateFunction(max, UInt16) COMMENT 'Longest retention of the visitor''s events (0 = forever): the row expires with the last of them'
)
ENGINE = AggregatingMergeTree
ORDER BY (site_id, visitor_id)
SAMPLE BY visitor_id
TTL toDateTime(last_seen) + toIntervalDay(retention_days) WHERE retention_days > 0
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS visitor_first_seen_mv TO visitor_first_seen AS
SELECT site_id, visitor_id, minState(timestamp) AS first_seen, max(timestamp) AS last_seen, max(retention_days) AS retention_days
FROM events
GROUP BY site_id, visitor_id;

-- Backfill. Migrations run before the collector starts, so no insert races this; a run cut
-- short starts again from an empty table.
TRUNCATE TABLE visitor_first_seen;

INSERT INTO visitor_first_seen
SELECT site_id, visitor_id, minState(timestamp) AS first_seen, max(timestamp) AS last_seen, max(retention_days) AS retention_days
FROM events
GROUP BY site_id, visitor_id
SETTINGS max_bytes_before_external_group_by = 400000000;
