"""From ranked evidence to one verdict per claim.

Two steps, both plain functions so that the pipeline and the benchmark evaluations share
them:

1. :func:`assess_evidence` gives each retrieved passage a stance. For a claim with a
   quantity, the numeric relation decides (see :mod:`claims.score.numbers`); otherwise
   the learned stance model's probabilities do, when the pipeline supplies them.
2. :func:`decide` aggregates stances across *distinct sources*: one vote per outlet, and a
   text repeated by several outlets (a wire story) counts once. Votes are weighted by
   similarity and the configured reliability of the source. Sources that disagree give
   ``conflicting``; nothing relevant gives ``not_enough_evidence``.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Mapping, Sequence
from urllib.parse import urlsplit

import numpy as np

from claims.extract.quantities import scope_window
from claims.models import Claim, Document, Evidence, Passage, Verdict
from claims.score.calibration import load_calibration
from claims.score.numbers import _PLACE, format_quantity, judge_numbers

__all__ = ["assess_evidence", "decide", "best_evidence", "source_key", "VerdictPolicy"]

STANCE_ORDER = ("support", "refute", "neutral")


def _tuned(name: str, default: float) -> float:
    """A threshold tuned on development data by scripts/calibrate_verdicts.py (kept in
    claims/score/data/verdict_calibration.json with the confidence calibration)."""
    return float(load_calibration().policy.get(name, default))


@dataclass(frozen=True)
class VerdictPolicy:
    """The knobs of aggregation (built from Settings by the pipeline).

    ``min_stance_probability`` / ``min_refute_probability``: the stance model's probability
    a passage needs to count as support / refutation (the two differ: the model's refute
    probabilities run high on passages that merely differ from the claim).
    ``calibrate``: map the raw confidence to P(label correct) with the calibration fitted
    on development data. Their defaults are the tuned values.
    """

    tolerance: float = 0.05
    same_time_days: int = 3
    min_stance_probability: float = field(default_factory=lambda: _tuned("min_stance_probability", 0.5))
    conflict_share: float = field(default_factory=lambda: _tuned("conflict_share", 0.25))
    reliability: Mapping[str, float] | None = None
    exclude_after_claim_date: bool = False
    min_refute_probability: float | None = field(default_factory=lambda: _tuned("min_refute_probability", 0.5))
    calibrate: bool = True


def source_key(document: Document) -> str:
    """The identity of a source for counting votes: its outlet, else its host, else its id."""
    if document.outlet:
        return document.outlet.strip().lower()
    if document.url:
        host = urlsplit(document.url).hostname
        if host:
            return host.lower().removeprefix("www.")
    return document.id


def _reliability(document: Document, policy: VerdictPolicy) -> float:
    table = policy.reliability or {}
    for key in (document.outlet or "", source_key(document), document.source_kind):
        if key and key in table:
            return float(table[key])
        if key and key.lower() in table:
            return float(table[key.lower()])
    return 1.0


def assess_evidence(
    claim: Claim,
    hits: Sequence[tuple[Passage, Document, float]],
    policy: VerdictPolicy,
    stance_probs: np.ndarray | None = None,
) -> list[Evidence]:
    """A stance for each (passage, document, similarity) hit, in rank order."""
    evidence: list[Evidence] = []
    for rank, (passage, document, similarity) in enumerate(hits, start=1):
        if policy.exclude_after_claim_date and claim.claim_date and document.published_at:
            if document.published_at.date() > claim.claim_date:
                continue
        judgement = judge_numbers(
            claim.text, claim.quantity, passage.text,
            claim_date=claim.claim_date, passage_date=document.published_at,
            tolerance=policy.tolerance, same_time_days=policy.same_time_days,
        )
        stance, score = "neutral", 0.0
        if judgement.relation == "match":
            stance, score = "support", 0.95
        elif judgement.relation == "consistent":
            stance, score = "support", 0.6
        elif judgement.relation == "mismatch":
            stance, score = "refute", 0.9
        elif judgement.relation == "none" and stance_probs is not None:
            stance, score = _model_stance(stance_probs[rank - 1], policy)
        evidence.append(Evidence(
            claim_id=claim.id, passage=passage, document=document, similarity=float(similarity),
            rank=rank, stance=stance, stance_score=score,
            quantity_relation=judgement.relation, passage_quantity=judgement.quantity,
            quantity_date=judgement.stated_on,
        ))
    return evidence


def _model_stance(probs: np.ndarray, policy: VerdictPolicy) -> tuple[str, float]:
    """Support or refute when the model's probability clears its threshold (the likelier of
    the two when both do), else neutral."""
    refute_floor = policy.min_stance_probability if policy.min_refute_probability is None \
        else policy.min_refute_probability
    passed = [(float(probs[0]), "support")] if probs[0] >= policy.min_stance_probability else []
    if probs[1] >= refute_floor:
        passed.append((float(probs[1]), "refute"))
    if not passed:
        return "neutral", 0.0
    score, stance = max(passed)
    return stance, score


def _norm_text(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


@dataclass
class _Vote:
    source: str
    stance: str
    weight: float
    evidence: Evidence


def _votes(evidence: Sequence[Evidence], policy: VerdictPolicy) -> list[_Vote]:
    """One vote per distinct source; a passage text seen from an earlier source is a copy."""
    seen_texts: set[str] = set()
    by_source: dict[str, list[Evidence]] = defaultdict(list)
    ordered = sorted(evidence, key=lambda e: (e.document.published_at or datetime.max, e.rank))
    for e in ordered:
        key = _norm_text(e.passage.text)
        if key in seen_texts:
            continue  # the same text from another outlet: a republished wire story
        seen_texts.add(key)
        by_source[source_key(e.document)].append(e)
    votes = []
    for source, items in by_source.items():
        decisive = [e for e in items if e.stance != "neutral"]
        if not decisive:
            best = max(items, key=lambda e: e.similarity)
            votes.append(_Vote(source, "neutral", 0.0, best))
            continue
        # a source's strongest statement speaks for it
        best = max(decisive, key=lambda e: (e.stance_score, e.similarity))
        weight = best.stance_score * max(best.similarity, 0.0) * _reliability(best.document, policy)
        votes.append(_Vote(source, best.stance, weight, best))
    return votes


def _when(e: Evidence) -> date:
    d = e.quantity_date or e.document.published_at
    if isinstance(d, datetime):
        return d.date()
    return d or date.max


def _day(e: Evidence) -> str:
    """When the evidence's figure was given (its own date if the passage names one)."""
    d = e.quantity_date or e.document.published_at
    return f"{d.day} {d:%b}" if d else "undated"


def _place(e: Evidence) -> str:

    q = e.passage_quantity
    if q is None:
        return ""
    match = _PLACE.search(scope_window(e.passage.text, q))
    return match.group(1).strip().replace("’s", "").replace("'s", "") if match else ""


def _cite(votes: Sequence[_Vote]) -> str:
    parts = []
    for v in sorted(votes, key=lambda v: _when(v.evidence)):
        name = v.evidence.document.outlet or v.source
        parts.append(f"{name}, {_day(v.evidence)}")
    return "; ".join(parts)


def _figure_groups(votes: Sequence[_Vote]) -> list[str]:
    groups: dict[str, list[_Vote]] = defaultdict(list)
    for v in votes:
        if v.evidence.passage_quantity is not None:
            groups[format_quantity(v.evidence.passage_quantity)].append(v)
    out = []
    for figure, items in sorted(groups.items(), key=lambda kv: min(_when(x.evidence) for x in kv[1])):
        days = ", ".join(sorted({_day(x.evidence) for x in items}))
        places = sorted({p for p in (_place(x.evidence) for x in items) if p})
        where = f" in {'/'.join(places)}" if places else ""
        n = len(items)
        out.append(f"{n} report{'s' if n == 1 else ''} {figure}{where} ({days})")
    return out


def _rationale(claim: Claim, label: str, votes: Sequence[_Vote], evidence: Sequence[Evidence]) -> str:
    support = [v for v in votes if v.stance == "support"]
    refute = [v for v in votes if v.stance == "refute"]
    if not evidence:
        return "No passage in the gathered sources is similar enough to the claim."
    numeric = claim.quantity is not None and any(e.passage_quantity is not None for e in evidence)
    if numeric:
        figures = [v for v in votes if v.evidence.passage_quantity is not None]
        claim_fig = format_quantity(claim.quantity)  # type: ignore[arg-type]
        head = {
            "supported": f"Claim's {claim_fig} is backed",
            "refuted": f"Claim's {claim_fig} is contradicted",
            "conflicting": f"Sources disagree on {claim_fig}",
            "not_enough_evidence": f"No source reports {claim_fig} in the same scope",
        }[label]
        matching = [v for v in support if v.evidence.quantity_relation == "match"]
        lead = ""
        if matching:
            lead = f": {len(matching)} source{'s' if len(matching) > 1 else ''} report {claim_fig} ({_cite(matching)})"
        others = [v for v in figures if v not in matching]
        rest = "; ".join(_figure_groups(others))
        return head + lead + (f"; other figures: {rest}" if rest else "") + "."
    parts = []
    if support:
        parts.append(f"{len(support)} source{'s' if len(support) > 1 else ''} support ({_cite(support)})")
    if refute:
        parts.append(f"{len(refute)} source{'s' if len(refute) > 1 else ''} refute ({_cite(refute)})")
    if not parts:
        best = max(evidence, key=lambda e: e.similarity)
        return (f"{len(votes)} related source{'s' if len(votes) != 1 else ''} found "
                f"(best similarity {best.similarity:.2f}, {best.document.outlet or source_key(best.document)}), "
                "none clearly supports or refutes the claim.")
    return "; ".join(parts) + "."


def _contemporaneous(refute: Sequence[_Vote], support: Sequence[_Vote], days: int) -> list[_Vote]:
    """Refuting numeric votes that stand against a supporting one: dated within ``days`` of
    it, or undated. Used when the claim itself has no date, so that a figure reported
    a week later (a deployment that grew) does not count against the claim."""
    support_days = [v.evidence.document.published_at for v in support if v.evidence.document.published_at]
    kept = []
    for v in refute:
        d = v.evidence.document.published_at
        if d is None or not support_days or any(abs((d - s).days) <= days for s in support_days):
            kept.append(v)
    return kept


def decide(claim: Claim, evidence: Sequence[Evidence], policy: VerdictPolicy) -> Verdict:
    """The verdict for one claim from its assessed evidence."""
    votes = _votes(evidence, policy)
    support = [v for v in votes if v.stance == "support"]
    refute = [v for v in votes if v.stance == "refute"]
    if claim.quantity is not None and claim.claim_date is None and support:
        numeric_refute = [v for v in refute if v.evidence.quantity_relation == "mismatch"]
        kept = _contemporaneous(numeric_refute, support, policy.same_time_days)
        for v in numeric_refute:
            if v not in kept:
                v.stance = "neutral"
                v.evidence.quantity_relation = "other_scope"
                v.evidence.stance = "neutral"
        refute = [v for v in refute if v.stance == "refute"]
    s_w = sum(v.weight for v in support)
    r_w = sum(v.weight for v in refute)
    total = s_w + r_w
    if total <= 0:
        label = "not_enough_evidence"
        best = max((e.similarity for e in evidence), default=0.0)
        confidence = 0.55 + 0.35 * (1.0 - max(0.0, min(1.0, best)))
    else:
        minority = min(s_w, r_w) / total
        if support and refute and minority >= policy.conflict_share:
            label = "conflicting"
            confidence = 0.5 + 0.4 * (minority / 0.5)
        else:
            label = "supported" if s_w >= r_w else "refuted"
            share = max(s_w, r_w) / total
            confidence = 0.5 + 0.45 * share * (1.0 - math.exp(-1.5 * total))
    confidence = float(min(0.99, max(0.0, confidence)))
    if policy.calibrate:
        confidence = load_calibration().apply(label, confidence)
    return Verdict(
        claim_id=claim.id, label=label, confidence=confidence,  # type: ignore[arg-type]
        rationale=_rationale(claim, label, votes, evidence),
        evidence=list(evidence), n_support=len(support), n_refute=len(refute),
        n_neutral=len(votes) - len(support) - len(refute),
    )


def best_evidence(verdict: Verdict) -> Evidence | None:
    """The evidence that best speaks for the verdict: the strongest passage with the
    verdict's stance (a number that matches, for a supported numeric claim), else the most
    similar passage."""
    wanted = {"supported": "support", "refuted": "refute"}.get(verdict.label)
    pool = [e for e in verdict.evidence if wanted and e.stance == wanted]
    if not pool and verdict.label == "conflicting":
        pool = [e for e in verdict.evidence if e.stance != "neutral"]
    if not pool:
        pool = list(verdict.evidence)
    relation_rank = {"match": 2, "consistent": 1}
    return max(pool, key=lambda e: (relation_rank.get(e.quantity_relation or "", 0), e.stance_score, e.similarity),
               default=None)
