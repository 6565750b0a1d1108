-- Visits: one row per (UTC day, visitor, session) once merged, with aggregate states, because a
-- visit's events arrive over many inserts. Readers merge the rows of a session with
-- GROUP BY session_id (a visit crossing UTC midnight has a row on each day) and count the visit
-- in the period where its first event falls. Entry and exit come from argMin / argMax over the
-- events, page views first (entry) or last (exit), of each value's cityHash64: fixed-size states
-- merge many times faster than strings; readers compare with cityHash64('value') or look the
-- paths up by hash. Visitor attributes (country … screen) are the same on every event of a
-- visit: any() of them.
CREATE TABLE IF NOT EXISTS sessions
(
    site_id LowCardinality(String) COMMENT 'Site',
    day Date COMMENT 'UTC day of the events merged into this row',
    visitor_id UInt64 COMMENT 'Visitor, as in events.visitor_id',
    session_id UInt64 COMMENT 'Visit, as in events.session_id',
    start SimpleAggregateFunction(min, DateTime64(3, 'UTC')) COMMENT 'First event of the visit (on this day)',
    end SimpleAggregateFunction(max, DateTime64(3, 'UTC')) COMMENT 'Last event of the visit (on this day)',
    events SimpleAggregateFunction(sum, UInt64) COMMENT 'Events of every type',
    pageviews SimpleAggregateFunction(sum, UInt64) COMMENT 'Page views',
    interactions SimpleAggregateFunction(sum, UInt64) COMMENT 'Clicks and custom events (a visit with one is not a bounce)',
    engagement_ms SimpleAggregateFunction(sum, UInt64) COMMENT 'Visible time reported by engagement events, milliseconds',
    entry_page AggregateFunction(argMin, UInt64, Int64) COMMENT 'Path of the first page view, as cityHash64: argMinMerge(entry_page) = cityHash64(''…'')',
    entry_source AggregateFunction(argMin, UInt64, Int64) COMMENT 'Source of the first page view, as cityHash64: argMinMerge(entry_source) = cityHash64(''…'')',
    entry_medium AggregateFunction(argMin, UInt64, Int64) COMMENT 'Medium of the first page view, as cityHash64: argMinMerge(entry_medium) = cityHash64(''…'')',
    entry_keyword AggregateFunction(argMin, UInt64, Int64) COMMENT 'Search term of the first page view, as cityHash64: argMinMerge(entry_keyword) = cityHash64(''…'')',
    entry_utm_source AggregateFunction(argMin, UInt64, Int64) COMMENT 'utm_source of the first page view, as cityHash64: argMinMerge(entry_utm_source) = cityHash64(''…'')',
    entry_utm_medium AggregateFunction(argMin, UInt64, Int64) COMMENT 'utm_medium of the first page view, as cityHash64: argMinMerge(entry_utm_medium) = cityHash64(''…'')',
    entry_utm_campaign AggregateFunction(argMin, UInt64, Int64) COMMENT 'utm_campaign of the first page view, as cityHash64: argMinMerge(entry_utm_campaign) = cityHash64(''…'')',
    entry_utm_term AggregateFunction(argMin, UInt64, Int64) COMMENT 'utm_term of the first page view, as cityHash64: argMinMerge(entry_utm_term) = cityHash64(''…'')',
    entry_utm_content AggregateFunction(argMin, UInt64, Int64) COMMENT 'utm_content of the first page view, as cityHash64: argMinMerge(entry_utm_content) = cityHash64(''…'')',
    exit_page AggregateFunction(argMax, UInt64, Int64) COMMENT 'Path of the last page view, as cityHash64: argMaxMerge(exit_page)',
    country SimpleAggregateFunction(any, LowCardinality(String)) COMMENT 'Country of the visit',
    region SimpleAggregateFunction(any, LowCardinality(String)) COMMENT 'Region of the visit',
    city SimpleAggregateFunction(any, String) COMMENT 'City of the visit',
    browser SimpleAggregateFunction(any, LowCardinality(String)) COMMENT 'Browser family',
    os SimpleAggregateFunction(any, LowCardinality(String)) COMMENT 'Operating system family',
    device SimpleAggregateFunction(any, LowCardinality(String)) COMMENT 'desktop, mobile or tablet',
    screen SimpleAggregateFunction(any, String) COMMENT 'Screen size, e.g. 1920x1080',
    retention_days SimpleAggregateFunction(max, UInt16) COMMENT 'Longest retention of the events counted (0 = forever): the row expires with them'
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (site_id, day, visitor_id, session_id)
SAMPLE BY visitor_id
TTL day + toIntervalDay(retention_days + 1) WHERE retention_days > 0
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS sessions_mv TO sessions AS
SELECT
    site_id,
    toDate(timestamp) AS day,
    visitor_id,
    session_id,
    min(timestamp) AS start,
    max(timestamp) AS end,
    count() AS events,
    countIf(event_type = 'pageview') AS pageviews,
    countIf(event_type IN ('click', 'custom')) AS interactions,
    sumIf(engagement_ms, event_type = 'engagement') AS engagement_ms,
    argMinState(cityHash64(path), toUnixTimestamp64Milli(timestamp) + if(event_type = 'pageview', 0, 1000000000000000)) AS entry_page,
    argMinState(cityHash64(referrer_source), toUnixTimestamp64Milli(timestamp) + if(event_type = 'pageview', 0, 1000000000000000)) AS entry_source,
    argMinState(cityHash64(referrer_medium), toUnixTimestamp64Milli(timestamp) + if(event_type = 'pageview', 0, 1000000000000000)) AS entry_medium,
    argMinState(cityHash64(search_term), toUnixTimestamp64Milli(timestamp) + if(event_type = 'pageview', 0, 1000000000000000)) AS entry_keyword,
    argMinState(cityHash64(utm_source), toUnixTimestamp64Milli(timestamp) + if(event_type = 'pageview', 0, 1000000000000000)) AS entry_utm_source,
    argMinState(cityHash64(utm_medium), toUnixTimestamp64Milli(timestamp) + if(event_type = 'pageview', 0, 1000000000000000)) AS entry_utm_medium,
    argMinState(cityHash64(utm_campaign), toUnixTimestamp64Milli(timestamp) + if(event_type = 'pageview', 0, 1000000000000000)) AS entry_utm_campaign,
    argMinState(cityHash64(utm_term), toUnixTimestamp64Milli(timestamp) + if(event_type = 'pageview', 0, 1000000000000000)) AS entry_utm_term,
    argMinState(cityHash64(utm_content), toUnixTimestamp64Milli(timestamp) + if(event_type = 'pageview', 0, 1000000000000000)) AS entry_utm_content,
    argMaxState(cityHash64(path), toUnixTimestamp64Milli(timestamp) - if(event_type = 'pageview', 0, 1000000000000000)) AS exit_page,
    any(country) AS country,
    any(region) AS region,
    any(city) AS city,
    any(browser) AS browser,
    any(os) AS os,
    any(device) AS device,
    any(concat(toString(screen_width), 'x', toString(screen_height))) AS screen,
    max(retention_days) AS retention_days
FROM events
GROUP BY site_id, day, visitor_id, session_id;

-- Backfill (see 0005): rebuilt from `events`, before the collector starts.
TRUNCATE TABLE sessions;

INSERT INTO sessions
SELECT
    site_id,
    toDate(timestamp) AS day,
    visitor_id,
    session_id,
    min(timestamp) AS start,
    max(timestamp) AS end,
    count() AS events,
    countIf(event_type = 'pageview') AS pageviews,
    countIf(event_type IN ('click', 'custom')) AS interactions,
    sumIf(engagement_ms, event_type = 'engagement') AS engagement_ms,
    argMinState(cityHash64(path), toUnixTimestamp64Milli(timestamp) + if(event_type = 'pageview', 0, 1000000000000000)) AS entry_page,
    argMinState(cityHash64(referrer_source), toUnixTimestamp64Milli(timestamp) + if(event_type = 'pageview', 0, 1000000000000000)) AS entry_source,
    argMinState(cityHash64(referrer_medium), toUnixTimestamp64Milli(timestamp) + if(event_type = 'pageview', 0, 1000000000000000)) AS entry_medium,
    argMinState(cityHash64(search_term), toUnixTimestamp64Milli(timestamp) + if(event_type = 'pageview', 0, 1000000000000000)) AS entry_keyword,
    argMinState(cityHash64(utm_source), toUnixTimestamp64Milli(timestamp) + if(event_type = 'pageview', 0, 1000000000000000)) AS entry_utm_source,
    argMinState(cityHash64(utm_medium), toUnixTimestamp64Milli(timestamp) + if(event_type = 'pageview', 0, 1000000000000000)) AS entry_utm_medium,
    argMinState(cityHash64(utm_campaign), toUnixTimestamp64Milli(timestamp) + if(event_type = 'pageview', 0, 1000000000000000)) AS entry_utm_campaign,
    argMinState(cityHash64(utm_term), toUnixTimestamp64Milli(timestamp) + if(event_type = 'pageview', 0, 1000000000000000)) AS entry_utm_term,
    argMinState(cityHash64(utm_content), toUnixTimestamp64Milli(timestamp) + if(event_type = 'pageview', 0, 1000000000000000)) AS entry_utm_content,
    argMaxState(cityHash64(path), toUnixTimestamp64Milli(timestamp) - if(event_type = 'pageview', 0, 1000000000000000)) AS exit_page,
    any(country) AS country,
    any(region) AS region,
    any(city) AS city,
    any(browser) AS browser,
    any(os) AS os,
    any(device) AS device,
    any(concat(toString(screen_width), 'x', toString(screen_height))) AS screen,
    max(retention_days) AS retention_days
FROM events
GROUP BY site_id, day, visitor_id, session_id
SETTINGS max_bytes_before_external_group_by = 400000000;
