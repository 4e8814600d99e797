-- 007: what each piece of evidence does with its claim, and which passage decided a verdict.
-- Rows written before 007 have NULLs here (their role is unknown; views fall back to the
-- most similar passage as the best source).
ALTER TABLE evidence ADD COLUMN role VARCHAR;        -- asserts | reports_claim | disputes | mentions
ALTER TABLE evidence ADD COLUMN origin VARCHAR;      -- who the passage attributes the claim's content to (NULL: its own voice)
ALTER TABLE evidence ADD COLUMN role_cue VARCHAR;    -- the words that decided the role
ALTER TABLE evidence ADD COLUMN vote_weight DOUBLE;  -- what this evidence's vote weighed in the verdict (0: no vote)
ALTER TABLE verdicts ADD COLUMN best_passage_id VARCHAR;  -- the passage whose vote most decided the label
