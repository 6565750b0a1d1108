-- One row per page view, engagement report, click or custom event.
-- Sort key starts with (site_id, day) so every report reads only its site's days;
-- SAMPLE BY visitor_id lets 100M-event views sample whole visitors.
CREATE TABLE IF NOT EXISTS events
(
    site_id LowCardinality(String) COMMENT 'Site the event belongs to (the site''s id, its main hostname)',
    timestamp DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)) COMMENT 'When it happened, UTC, milliseconds',
    event_id UUID COMMENT 'Unique id of the event, used to drop duplicates of a retried request',
    event_type LowCardinality(String) COMMENT 'pageview, engagement, click or custom',
    event_name LowCardinality(String) COMMENT 'pageview / engagement / click, or the custom event''s name (e.g. Outbound Link: Click, File Download, Signup)',
    visitor_id UInt64 COMMENT 'Visitor: hash of the tracker''s first-party id, or of IP + user agent + daily salt in cookieless mode',
    session_id UInt64 COMMENT 'Visit: a new one starts after 30 minutes of silence',
    hostname LowCardinality(String) COMMENT 'Hostname of the page',
    path String COMMENT 'URL path of the page, without query string',
    query String COMMENT 'URL query string, without the leading ?',
    title String COMMENT 'Document title',
    referrer String COMMENT 'Full external referrer URL (empty for direct and internal traffic)',
    referrer_source LowCardinality(String) COMMENT 'Named source: Google, Facebook, ChatGPT, newsletter (from utm_source) … or the referrer''s hostname',
    referrer_medium LowCardinality(String) COMMENT 'search, social, email, paid, ai, referral, internal or direct',
    search_term String COMMENT 'Search keywords from the search engine''s query parameter, when it passes them',
    utm_source LowCardinality(String) COMMENT 'utm_source of the landing URL',
    utm_medium LowCardinality(String) COMMENT 'utm_medium of the landing URL',
    utm_campaign String COMMENT 'utm_campaign of the landing URL',
    utm_term String COMMENT 'utm_term of the landing URL',
    utm_content String COMMENT 'utm_content of the landing URL',
    country LowCardinality(String) COMMENT 'ISO 3166-1 alpha-2 country code from the IP address (empty when unknown)',
    region LowCardinality(String) COMMENT 'Region / province name from the IP address',
    city String COMMENT 'City name from the IP address',
    browser LowCardinality(String) COMMENT 'Browser family, e.g. Chrome, Safari, Firefox',
    browser_version LowCardinality(String) COMMENT 'Browser major.minor version',
    os LowCardinality(String) COMMENT 'Operating system family, e.g. Windows, iOS, Android',
    os_version LowCardinality(String) COMMENT 'Operating system version',
    device LowCardinality(String) COMMENT 'desktop, mobile or tablet',
    screen_width UInt16 COMMENT 'Screen width in CSS pixels',
    screen_height UInt16 COMMENT 'Screen height in CSS pixels',
    language LowCardinality(String) COMMENT 'Browser language, e.g. en-US, vi, zh-CN',
    timezone LowCardinality(String) COMMENT 'Browser time zone, e.g. Asia/Ho_Chi_Minh',
    click_x Float32 COMMENT 'click: x position as a fraction (0-1) of the document width',
    click_y UInt32 COMMENT 'click: y position in pixels from the top of the document',
    click_selector String COMMENT 'click: stable CSS selector of the clicked element (at most 200 characters)',
    click_offset_x Float32 COMMENT 'click: x offset inside the clicked element, as a fraction of its width',
    click_offset_y Float32 COMMENT 'click: y offset inside the clicked element, as a fraction of its height',
    viewport_width UInt16 COMMENT 'click: viewport width in CSS pixels (decides the device class of a heatmap)',
    document_height UInt32 COMMENT 'click: document height in pixels',
    rage_click Bool COMMENT 'click: part of a rage click (3 or more clicks within 1 s and 30 px)',
    engagement_ms UInt32 COMMENT 'engagement: milliseconds the page was visible and focused since the last report',
    scroll_depth UInt8 COMMENT 'engagement: deepest scroll reached, percent of the document',
    props Map(String, String) COMMENT 'Custom properties sent with the event',
    client_ip String COMMENT 'Client IP, only when the site opts in (truncated to /24 or /48 unless it asks for full)',
    retention_days UInt16 COMMENT 'Days to keep this row (0 = forever), stamped from the site''s retention at ingest',
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'When the collector stored the row'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (site_id, toDate(timestamp), event_type, visitor_id, timestamp)
SAMPLE BY visitor_id
TTL toDateTime(timestamp) + toIntervalDay(retention_days) WHERE retention_days > 0
SETTINGS non_replicated_deduplication_window = 10000;
