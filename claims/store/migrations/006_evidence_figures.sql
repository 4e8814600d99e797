-- 006: evidence keeps its figure parsed, as claims do, so that SQL reads the numbers the
-- pipeline compared instead of parsing text again (rows written before 006 have NULLs
-- here; the quantity_reports view then falls back to parsing passage_quantity).
ALTER TABLE evidence ADD COLUMN passage_quantity_value DOUBLE;      -- NULL for a range or a vague amount
ALTER TABLE evidence ADD COLUMN passage_quantity_low DOUBLE;        -- lowest value the expression allows
ALTER TABLE evidence ADD COLUMN passage_quantity_high DOUBLE;       -- highest value (NULL when open above)
ALTER TABLE evidence ADD COLUMN passage_quantity_unit VARCHAR;      -- what is counted
ALTER TABLE evidence ADD COLUMN passage_quantity_qualifier VARCHAR; -- about | at least | between | ...
ALTER TABLE evidence ADD COLUMN quantity_date DATE;                 -- when the figure was given
