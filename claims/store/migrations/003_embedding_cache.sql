-- 003: embeddings computed once per (model, text), keyed by the SHA-256 of the text.
-- A passage, claim or query text already embedded by this model is never embedded again,
-- whichever document it came from.
CREATE TABLE embedding_cache (
    model       VARCHAR NOT NULL,     -- embedder name (and backend when not torch)
    text_hash   VARCHAR NOT NULL,     -- sha256 hex of the exact text
    embedding   FLOAT[] NOT NULL,     -- L2-normalised vector
    created_at  TIMESTAMP DEFAULT current_timestamp,
    PRIMARY KEY (model, text_hash)
);
