-- Survey definitions are versioned: editing a question inserts version + 1, and answers
-- carry the version they answered.
CREATE TABLE IF NOT EXISTS surveys
(
    site_id String COMMENT 'Site the survey runs on',
    survey_id String COMMENT 'Survey id (short, URL-safe)',
    version UInt32 COMMENT 'Definition version, starting at 1',
    kind LowCardinality(String) COMMENT 'csat, nps, ces, helpful or text',
    status LowCardinality(String) DEFAULT 'active' COMMENT 'active, paused or archived',
    definition String COMMENT 'JSON: questions per language, targeting, trigger, sampling, frequency, dates',
    created_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'When this version was created',
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'Version of this row: the newest wins'
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (site_id, survey_id, version);

CREATE TABLE IF NOT EXISTS survey_responses
(
    site_id LowCardinality(String) COMMENT 'Site the survey ran on',
    timestamp DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)) COMMENT 'When it happened, UTC',
    response_id UUID COMMENT 'Unique id, used to drop duplicates of a replayed request',
    survey_id String COMMENT 'Survey id',
    survey_version UInt32 COMMENT 'Definition version that was shown',
    kind LowCardinality(String) COMMENT 'impression, dismiss or answer',
    channel LowCardinality(String) COMMENT 'widget (on the page) or link (e-mail / SMS)',
    visitor_id UInt64 COMMENT 'Visitor, as in events.visitor_id (0 for anonymous link answers)',
    session_id UInt64 COMMENT 'Visit, as in events.session_id',
    path String COMMENT 'Page the survey was shown on',
    locale LowCardinality(String) COMMENT 'Language the survey was shown in',
    device LowCardinality(String) COMMENT 'desktop, mobile or tablet',
    country LowCardinality(String) COMMENT 'ISO country code from the IP address',
    score Nullable(Int16) COMMENT 'The answer: 1-5 CSAT, 0-10 NPS, 1-7 CES, 1/0 helpful; NULL for text-only',
    comment String COMMENT 'Open-text answer, at most 2,000 characters'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (site_id, survey_id, timestamp)
SETTINGS non_replicated_deduplication_window = 10000;
