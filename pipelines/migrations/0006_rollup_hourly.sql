-- Hourly rollup: per site, UTC hour, dimension and value, the visitors and visits (uniq
-- states) and sums that most dashboard panels need, so a 30-day view reads ~720 rows per value
-- instead of every event. One materialized view fans each event out to its dimensions with
-- ARRAY JOIN:
--   ''                       the total (value ''), every event
--   page, country, region, city, browser, os, device, screen ('1920x1080')
--                            every event, by its own value
--   entry_page, source, medium, search_engine, keyword, utm_campaign
--                            landing page views only (a page view whose medium is not
--                            'internal': the collector attributes only a visit's first page
--                            view), so visits there are visits that entered with that value;
--                            search_engine and keyword only for medium 'search', utm_campaign
--                            only when set.
-- pipelines/rollups.py decides when a query can read this instead of `events`.
CREATE TABLE IF NOT EXISTS rollup_hourly
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
SETTINGS non_replicated_deduplication_window = 10000;

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

-- Backfill (see 0005): rebuilt from `events`, before the collector starts.
TRUNCATE TABLE rollup_hourly;

INSERT INTO rollup_hourly
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
GROUP BY site_id, hour, dimension, value
SETTINGS max_bytes_before_external_group_by = 400000000;
