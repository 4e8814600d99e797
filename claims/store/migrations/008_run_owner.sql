-- 008: which process runs a run, so that a run whose process is gone can be marked
-- `abandoned` at once by the next run on that machine, not only after the lease.
-- Rows written before 008 have NULLs here (they are marked after the lease, as before).
ALTER TABLE runs ADD COLUMN host VARCHAR;  -- the machine's host name
ALTER TABLE runs ADD COLUMN pid INTEGER;   -- the process id there
