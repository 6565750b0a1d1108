-- Who may see which site, and as what. Admins (users.is_admin) see every site without a row here.
-- Each change inserts a new row version (ReplacingMergeTree keeps the newest by updated_at);
-- readers use FINAL and skip rows marked deleted.
CREATE TABLE IF NOT EXISTS site_members
(
    site_id String COMMENT 'Site id (sites.site_id)',
    user_id UUID COMMENT 'User id (users.user_id)',
    role LowCardinality(String) COMMENT 'owner (reads everything, edits the site, its surveys and members) or viewer (reads)',
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'Version of this row: the newest wins',
    deleted Bool DEFAULT false COMMENT 'Removed memberships keep a tombstone row'
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (site_id, user_id);
