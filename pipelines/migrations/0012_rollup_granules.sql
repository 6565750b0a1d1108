-- Finer granules for the rollups. A rollup row carries two uniq states of up to ~10 KB, and
-- ClickHouse decodes whole granules: with the default 8192-row granules, a 3-value list
-- (devices) decoded thousands of neighbouring rows' states (other dimensions). 256-row granules
-- let a panel decode little more than its own rows (bench/RESULTS.md, "Queries").
--
-- index_granularity cannot be changed in place, so each table is copied into a new one, swapped
-- in with EXCHANGE TABLES and the old one dropped. Every step can run again: a run cut short
-- (before or after the swap) starts over from whichever table then holds the data. Migrations run
-- before the collector starts, and the views are dropped first, so no insert races the copy.
-- The copy streams in small blocks (states take much more memory decoded than stored) and has no
-- time limit: with 100M events the hourly rollup has ~15M rows, and a 65,536-row insert block of
-- decoded states outgrew the 1 GB query memory limit, so blocks are 16,384 rows. That was the only
-- change: a store that applied the earlier text holds the same tables.
-- earlier checksum: 2cb206684c4a8eaa6154346ccf895a2fa6b2e771c82138c63ce2ce9f1d32adf8
DROP VIEW IF EXISTS rollup_daily_mv;

DROP VIEW IF EXISTS rollup_hourly_mv;

DROP TABLE IF EXISTS rollup_hourly_next;

CREATE TABLE IF NOT EXISTS rollup_hourly_next
(
    site_id LowCardinality(String) COMMENT 'Site',
    hour DateTime('UTC') COMMENT 'Start of the UTC hour',
    dimension LowCardinality(String) COMMENT 'What value holds: '''' (the total), page, country, …, entry_page, source, …',
    value String COMMENT 'The dimension''s value ('''' for the total row and for unknown values)',
    visitors AggregateFunction(uniqCombined(14), UInt64) COMMENT 'uniqCombinedState(14)(visitor_id): read with uniqCombinedMerge(14)',
    visits AggregateFunction(uniqCombined(14), UInt64) COMMENT 'uniqCombinedState(14)(session_id): read with uniqCombinedMerge(14)',
    pageviews SimpleAggregateFunction(sum, UInt64) COMMENT 'Page views',
    events SimpleAggregateFunction(sum, UInt64) COMMENT 'Events of every type',
    engagement_ms SimpleAggregateFunction(sum, UInt64) COMMENT 'Visible time reported by engagement events, milliseconds',
    retention_days SimpleAggregateFunction(max, UInt16) COMMENT 'Longest retention of the events counted (0 = forever): the row expires with them'
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (site_id, dimension, hour, value)
TTL hour + toIntervalDay(retention_days) + toIntervalHour(1) WHERE retention_days > 0
SETTINGS index_granularity = 256, non_replicated_deduplication_window = 10000;

INSERT INTO rollup_hourly_next SELECT * FROM rollup_hourly
SETTINGS max_execution_time = 0, insert_deduplicate = 0, max_threads = 1, max_block_size = 4096,
    min_insert_block_size_rows = 16384, min_insert_block_size_bytes = 0;

EXCHANGE TABLES rollup_hourly AND rollup_hourly_next;

DROP TABLE IF EXISTS rollup_hourly_next;

DROP TABLE IF EXISTS rollup_daily_next;

CREATE TABLE IF NOT EXISTS rollup_daily_next
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
SETTINGS index_granularity = 256, non_replicated_deduplication_window = 10000;

INSERT INTO rollup_daily_next SELECT * FROM rollup_daily
SETTINGS max_execution_time = 0, insert_deduplicate = 0, max_threads = 1, max_block_size = 4096,
    min_insert_block_size_rows = 16384, min_insert_block_size_bytes = 0;

EXCHANGE TABLES rollup_daily AND rollup_daily_next;

DROP TABLE IF EXISTS rollup_daily_next;

-- The views again, as in 0006 and 0008 (a view on an Atomic database follows its target table's
-- UUID, not its name, so they are created after the swap).
CREATE MATERIALIZED VIEW IF NOT EXISTS rollup_hourly_mv TO rollup_hourly AS
SELECT
    site_id,
    toStartOfHour(timestamp) AS hour,
    dim.1 AS dimension,
    dim.2 AS value,
    uniqCombinedState(14)(visitor_id) AS visitors,
    uniqCombinedState(14)(session_id) AS visits,
    countIf(event_type = 'pageview') AS pageviews,
    count() AS events,
    sumIf(engagement_ms, event_type = 'engagement') AS engagement_ms,
    max(retention_days) AS retention_days
FROM events
ARRAY JOIN arrayConcat(
    [('', ''), ('page', path), ('country', toString(country)), ('region', toString(region)), ('city', city),
     ('browser', toString(browser)), ('os', toString(os)), ('device', toString(device)),
     ('screen', concat(toString(screen_width), 'x', toString(screen_height)))],
    if(event_type = 'pageview' AND referrer_medium != 'internal',
       arrayConcat(
           [('entry_page', path), ('source', toString(referrer_source)), ('medium', toString(referrer_medium))],
           if(referrer_medium = 'search', [('search_engine', toString(referrer_source)), ('keyword', search_term)], []),
           if(utm_campaign != '', [('utm_campaign', utm_campaign)], [])),
       [])) AS dim
GROUP BY site_id, hour, dimension, value;

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
