-- 005: work a rerun on unchanged inputs can skip.
-- document_passages: which passages a document's text was cut into, under which passage
-- settings (the "splitter" key: sentences, overlap, max characters, splitter version).
-- A document whose content_hash and splitter match is not cut again: its passages are read back.
CREATE TABLE document_passages (
    document_id   VARCHAR NOT NULL,
    content_hash  VARCHAR NOT NULL,    -- sha256 of the document text the passages were cut from
    splitter      VARCHAR NOT NULL,    -- e.g. 'sentences=3;overlap=1;max_chars=900;v1'
    passage_ids   VARCHAR[] NOT NULL,  -- passages.id in document order
    created_at    TIMESTAMP DEFAULT current_timestamp,
    PRIMARY KEY (document_id, content_hash, splitter)
);

-- stance_cache: stance probabilities computed once per (stance model, claim text, passage text).
CREATE TABLE stance_cache (
    model       VARCHAR NOT NULL,      -- stance model name
    pair_hash   VARCHAR NOT NULL,      -- sha256 of claim text, a NUL byte, passage text
    probs       FLOAT[] NOT NULL,      -- (support, refute, neutral)
    created_at  TIMESTAMP DEFAULT current_timestamp,
    PRIMARY KEY (model, pair_hash)
);
