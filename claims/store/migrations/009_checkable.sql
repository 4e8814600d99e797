-- 009: each claim's checkable text, the proposition a fact-checker would check (wrapper and
-- attribution removed, references resolved, the article date attached); judging reads it,
-- while `text` and the offsets stay the sentence as written. Claims stored before 009 have
-- NULL here (judged on their sentence, as before).
ALTER TABLE claims ADD COLUMN checkable VARCHAR;
