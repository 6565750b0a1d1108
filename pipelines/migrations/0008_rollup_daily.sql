-- Daily rollup: rollup_hourly summed per UTC day, fed by a view on rollup_hourly's own inserts.
-- A 30-day top list then merges ~30 rows per value instead of ~720; the hours at either end of
-- a range that does not start and end at UTC midnight still come from rollup_hourly.
CREATE TABLE IF NOT EXISTS rollup_daily
(
    site_id LowCardinality(String) COMMENT 'Site',
    day Date COMMENT 'UTC day',
    dimension LowCardinality(String) COMMENT 'As in rollup_hourly',
    value String COMMENT 'As in rollup_hourly',
    visitors AggregateFunction(uniqCombined(14), UInt64) COMMENT 'uniqCombinedState(14)(visitor_id): read with uniqCombinedMerge(14)',
    visits AggregateFunction(uniqCombined(14), UInt64) COMMENT 'uniqCombinedState(14)(session_id): read with uniqCombinedMerge(14)',
    pageviews SimpleAggregateFunction(sum, UInt64) COMMENT 'Page views',
    events SimpleAggregateFunction(sum, UInt64) COMMENT 'Events of every type',
    engagement_ms SimpleAggregateFunction(sum, UInt64) COMMENT 'Visible time reported by engagement events, milliseconds',
    retention_days SimpleAggregateFunction(max, UInt16) COMMENT 'Longest retention of the events counted (0 = forever): the row expires with them'
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (site_id, dimension, day, value)
TTL day + toIntervalDay(retention_days + 1) WHERE retention_days > 0
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS rollup_daily_mv TO rollup_daily AS
SELECT
    site_id,
    toDate(hour) AS day,
    dimension,
    value,
    uniqCombinedMergeState(14)(visitors) AS visitors,
    uniqCombinedMergeState(14)(visits) AS visits,
    sum(pageviews) AS pageviews,
    sum(events) AS events,
    sum(engagement_ms) AS engagement_ms,
    max(retention_days) AS retention_days
FROM rollup_hourly
GROUP BY site_id, day, dimension, value;

-- Backfill (see 0005): rebuilt from rollup_hourly, before the collector starts.
TRUNCATE TABLE rollup_daily;

INSERT INTO rollup_daily
SELECT
    site_id,
    toDate(hour) AS day,
    dimension,
    value,
    uniqCombinedMergeState(14)(visitors) AS visitors,
    uniqCombinedMergeState(14)(visits) AS visits,
    sum(pageviews) AS pageviews,
    sum(events) AS events,
    sum(engagement_ms) AS engagement_ms,
    max(retention_days) AS retention_days
FROM rollup_hourly
GROUP BY site_id, day, dimension, value
SETTINGS max_bytes_before_external_group_by = 400000000;
