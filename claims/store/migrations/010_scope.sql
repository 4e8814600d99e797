-- 010: each claim's scope, what its figure counts, where, when, whose figure it is and how
-- it is bounded (claims.models.Scope, read at extraction by claims.extract.scope), and
-- why a piece of evidence did not vote. Claims stored before 010 have NULLs in every
-- scope_* column (their scope is unknown: reverify judges them on claim_date alone);
-- evidence written before 010 has a NULL scope_note (whether it voted is unknown).
ALTER TABLE claims ADD COLUMN scope_thing VARCHAR;      -- what the figure counts ("North Korean troops")
ALTER TABLE claims ADD COLUMN scope_status VARCHAR;     -- states that pick a subset of the thing ("rejected", "killed"), comma-separated
ALTER TABLE claims ADD COLUMN scope_place VARCHAR;      -- where ("Russia's Kursk")
ALTER TABLE claims ADD COLUMN scope_start DATE;         -- first day of the claim's time (NULL: some time before scope_end)
ALTER TABLE claims ADD COLUMN scope_end DATE;           -- last day of the claim's time
ALTER TABLE claims ADD COLUMN scope_time_text VARCHAR;  -- the sentence's own time words (NULL: the article's date stands for them)
ALTER TABLE claims ADD COLUMN scope_holder VARCHAR;     -- whose figure it is ("the Pentagon")
ALTER TABLE claims ADD COLUMN scope_bound VARCHAR;      -- how the figure is bounded ("as many as")
ALTER TABLE evidence ADD COLUMN scope_note VARCHAR;     -- why the passage is context, not a vote (NULL: it voted)
