-- 011: every sentence of a checked article, with its check-worthiness score and, when it
-- became no claim, why (`claims check --show-skipped` prints them). One row per sentence
-- per run: a later run with another threshold keeps its own rows. Runs before 011 have none.
CREATE TABLE sentences (
    run_id           VARCHAR NOT NULL,   -- runs.id of the check
    document_id      VARCHAR NOT NULL,   -- documents.id of the article
    position         INTEGER NOT NULL,   -- 0-based order of the sentence in the article
    char_start       INTEGER NOT NULL,   -- offsets into documents.text
    char_end         INTEGER NOT NULL,
    text             VARCHAR NOT NULL,
    checkworthiness  DOUBLE,             -- the scorer's probability (NULL: too short to be scored)
    claim_id         VARCHAR,            -- claims.id when the sentence became a claim
    skipped          VARCHAR,            -- why it became no claim (NULL: it did)
    PRIMARY KEY (run_id, position)
);
