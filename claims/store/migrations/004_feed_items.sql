-- 004: the articles that feed monitoring has seen, one row per canonical URL.
-- A run claims the rows it will verify in one short transaction (status 'running' with its
-- monitor_run_id and claimed_at), so overlapping runs never verify one article twice; a row
-- left 'running' by a killed run is claimed again once its lease has expired.
CREATE TABLE feed_items (
    canonical_url   VARCHAR PRIMARY KEY,   -- the entry's link, canonicalised (claims.sources.queries.canonical_url)
    feed_url        VARCHAR NOT NULL,      -- the feed it was first seen in
    entry_url       VARCHAR NOT NULL,      -- the link as the feed gave it
    title           VARCHAR,
    published_at    TIMESTAMP,
    content_hash    VARCHAR,               -- sha256 of the article text, once fetched
    status          VARCHAR NOT NULL,      -- running | completed | failed | duplicate | stored
    error           VARCHAR,               -- why the last attempt failed (status 'failed')
    attempts        INTEGER NOT NULL DEFAULT 0,
    document_id     VARCHAR,               -- documents.id of the article (or of the stored copy it duplicates)
    run_id          VARCHAR,               -- runs.id of the verification that wrote its verdicts
    monitor_run_id  VARCHAR,               -- runs.id of the monitor run that claimed it last
    first_seen      TIMESTAMP NOT NULL,
    claimed_at      TIMESTAMP,
    processed_at    TIMESTAMP
);
