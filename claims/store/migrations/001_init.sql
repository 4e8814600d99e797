-- 001: the core tables. Ids are content hashes, so every write can be an upsert.
CREATE TABLE documents (
    id            VARCHAR PRIMARY KEY,   -- hash of the canonical URL, else of the text
    url           VARCHAR,
    title         VARCHAR,
    outlet        VARCHAR,
    author        VARCHAR,
    published_at  TIMESTAMP,
    fetched_at    TIMESTAMP DEFAULT current_timestamp,
    source_kind   VARCHAR,               -- input | corpus | url | feed | wikipedia | ...
    content_hash  VARCHAR,
    text          VARCHAR NOT NULL
);

CREATE TABLE claims (
    id                 VARCHAR PRIMARY KEY,   -- hash(document_id, char_start, char_end)
    document_id        VARCHAR NOT NULL,
    text               VARCHAR NOT NULL,
    char_start         INTEGER,
    char_end           INTEGER,
    checkworthiness    DOUBLE,
    claim_type         VARCHAR,
    quantity_value     DOUBLE,
    quantity_low       DOUBLE,
    quantity_high      DOUBLE,
    quantity_unit      VARCHAR,
    quantity_qualifier VARCHAR,
    quantity_text      VARCHAR,
    attribution        VARCHAR,
    claim_date         DATE,
    entities           VARCHAR[],
    cluster_id         VARCHAR,
    embedding          FLOAT[],              -- claim embedding (for claim matching)
    model              VARCHAR,
    created_at         TIMESTAMP DEFAULT current_timestamp
);

CREATE TABLE passages (
    id           VARCHAR PRIMARY KEY,   -- hash(document_id, text)
    document_id  VARCHAR NOT NULL,
    position     INTEGER,
    char_start   INTEGER,
    char_end     INTEGER,
    text         VARCHAR NOT NULL,
    embedding    FLOAT[],
    model        VARCHAR
);

CREATE TABLE runs (
    id           VARCHAR PRIMARY KEY,
    flow_run_id  VARCHAR,
    flow_name    VARCHAR,
    input        VARCHAR,
    parameters   JSON,
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    status       VARCHAR NOT NULL,      -- running | completed | failed
    error        VARCHAR,
    stats        JSON
);

CREATE TABLE evidence (
    run_id            VARCHAR NOT NULL,
    claim_id          VARCHAR NOT NULL,
    passage_id        VARCHAR NOT NULL,
    document_id       VARCHAR NOT NULL,
    rank              INTEGER,
    similarity        DOUBLE,
    stance            VARCHAR,           -- support | refute | neutral
    stance_score      DOUBLE,
    quantity_relation VARCHAR,           -- match | mismatch | other_scope | none
    passage_quantity  VARCHAR,
    PRIMARY KEY (run_id, claim_id, passage_id)
);

CREATE TABLE verdicts (
    run_id      VARCHAR NOT NULL,
    claim_id    VARCHAR NOT NULL,
    label       VARCHAR NOT NULL,        -- supported | refuted | conflicting | not_enough_evidence
    confidence  DOUBLE NOT NULL,
    rationale   VARCHAR,
    n_support   INTEGER,
    n_refute    INTEGER,
    n_neutral   INTEGER,
    model       VARCHAR,
    created_at  TIMESTAMP DEFAULT current_timestamp,
    PRIMARY KEY (run_id, claim_id)
);
