-- Daily random salts for cookieless visitor ids. Only today's and yesterday's are kept;
-- when two collectors race to create a day's salt, the earliest row wins for both.
CREATE TABLE IF NOT EXISTS salts
(
    day Date COMMENT 'UTC day the salt is for',
    salt String COMMENT 'Random secret mixed into cookieless visitor hashes; deleted after two days',
    created_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'When it was made: the earliest for a day wins'
)
ENGINE = MergeTree
ORDER BY day;
