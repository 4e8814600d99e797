-- Which claims are refuted or conflicting, and why? (a commented query, as a desk writes one)
select claim, label, confidence, rationale
from latest_verdicts
where label in ('refuted', 'conflicting')  -- the ones a reader should see first
order by confidence desc;
