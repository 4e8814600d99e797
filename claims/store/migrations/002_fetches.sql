-- 002: every HTTP attempt, and the validators that make a rerun's GET conditional.
CREATE TABLE fetches (
    run_id         VARCHAR,
    url            VARCHAR NOT NULL,      -- credentials (key=...) stripped
    host           VARCHAR,
    backend        VARCHAR,               -- url | feed | wikipedia | searxng | gdelt | factcheck | robots | input
    attempt        INTEGER,               -- 1 for the first try of one hop, 2.. for retries
    status         INTEGER,               -- HTTP status, NULL when no response came back
    error_class    VARCHAR,               -- NULL on success; timeout | connect_error | http_status | refused | robots_disallowed | content_type | redirect_loop | too_many_redirects | ...
    error          VARCHAR,
    bytes          BIGINT,                -- body bytes read (after a cut, the cut size)
    truncated      BOOLEAN DEFAULT false, -- the body passed http.max_body_bytes and was cut
    duration_ms    DOUBLE,
    from_cache     BOOLEAN DEFAULT false, -- 304: the stored copy was served, nothing downloaded
    etag           VARCHAR,
    last_modified  VARCHAR,
    content_type   VARCHAR,
    fetched_at     TIMESTAMP NOT NULL
);

CREATE TABLE http_cache (
    url            VARCHAR PRIMARY KEY,   -- the URL as requested (credentials stripped)
    etag           VARCHAR,
    last_modified  VARCHAR,
    content_type   VARCHAR,
    encoding       VARCHAR,
    text           VARCHAR,
    nbytes         BIGINT,
    fetched_at     TIMESTAMP NOT NULL
);
