-- Small, rarely written tables. Each change inserts a new row version (ReplacingMergeTree
-- keeps the newest by updated_at); readers use FINAL and skip rows marked deleted.
CREATE TABLE IF NOT EXISTS sites
(
    site_id String COMMENT 'Site id: its main hostname, e.g. example.com',
    name String COMMENT 'Display name',
    hostnames Array(String) COMMENT 'Other hostnames allowed to send events for this site (globs like *.example.com)',
    timezone String DEFAULT 'UTC' COMMENT 'IANA time zone that reports use for days, weeks and months',
    cookieless Bool DEFAULT false COMMENT 'Identify visitors without storage on the device (daily-salted hash)',
    respect_dnt Bool DEFAULT false COMMENT 'Drop events from browsers that send Do Not Track or Global Privacy Control',
    ip_storage LowCardinality(String) DEFAULT 'none' COMMENT 'none, truncated (/24, /48) or full',
    retention_days UInt16 DEFAULT 0 COMMENT 'Days to keep events (0 = forever)',
    created_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'When the site was added',
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'Version of this row: the newest wins',
    deleted Bool DEFAULT false COMMENT 'Removed sites keep a tombstone row'
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY site_id;

CREATE TABLE IF NOT EXISTS users
(
    user_id UUID COMMENT 'User id',
    email String COMMENT 'Sign-in e-mail, lower case',
    name String COMMENT 'Display name',
    password_hash String COMMENT 'argon2id hash of the password',
    is_admin Bool DEFAULT false COMMENT 'Admins manage every site and user',
    locale LowCardinality(String) DEFAULT '' COMMENT 'Preferred UI language (en, vi, zh); empty: from the browser',
    password_changed_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'Sessions older than this are void',
    created_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'When the user was added',
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'Version of this row: the newest wins',
    deleted Bool DEFAULT false COMMENT 'Removed users keep a tombstone row'
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY user_id;

CREATE TABLE IF NOT EXISTS api_tokens
(
    token_hash String COMMENT 'SHA-256 of the token (the token itself is shown once and never stored)',
    token_prefix String COMMENT 'First characters of the token, to recognise it in lists',
    site_id String COMMENT 'Site the token may read',
    scope LowCardinality(String) DEFAULT 'stats:read' COMMENT 'stats:read (read-only stats API) or events:write (server-side tracking)',
    name String COMMENT 'What the token is for',
    created_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'When the token was created',
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'Version of this row: the newest wins',
    revoked Bool DEFAULT false COMMENT 'Revoked tokens are refused'
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY token_hash;
