"""From ranked evidence to one verdict per claim.

Two steps, both plain functions so that the pipeline and the benchmark evaluations share
them:

1. :func:`assess_evidence` gives each retrieved passage a *role* (:mod:`claims.score.roles`:
   asserts, reports the claim, disputes, mentions) and a stance. For a claim with a
   figure, the passage's figures of the same counted thing are compared
   (:mod:`claims.score.numbers`) and only a figure the passage *asserts* (in its own voice,
   or citing an origin other than the claimant) can back the claim: a figure it only
   reports as the claim is an echo, and a figure it disputes or corrects refutes the claim.
   A fact-check's rating (:mod:`claims.sources.ratings`) is that source's vote. Otherwise
   the learned stance model's probabilities decide, and a passage that only restates the
   claim cannot support it.
2. :func:`decide` aggregates stances across *independent voices*: one vote per origin
   (outlets that attribute a figure to the same agency or person are one corroboration),
   else per outlet, and a text repeated by several outlets (a wire story) counts once.
   Votes are weighted by stance strength, similarity and the configured reliability of
   the source. ``supported`` and ``refuted`` are said only on decisive evidence (the
   winning side's weight at least ``support_threshold`` / ``refute_threshold``),
   ``conflicting`` when credible votes disagree, otherwise ``not_enough_evidence``. The
   confidence is the calibrated probability that the label is right
   (:mod:`claims.score.calibration`), for every label.

The verdict also names its *best* evidence: the passage whose vote most decided the label
(for ``not_enough_evidence``, the closest passage). The check table, the
``latest_verdicts`` view, the report and the ClaimReview export all show that one.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import cast
from urllib.parse import urlsplit

import numpy as np

from claims.extract.checkable import without_date
from claims.extract.quantities import scope_window
from claims.extract.quotes import cue_note, whole_quote
from claims.extract.scope import _MONTH_WORDS
from claims.extract.sentences import split_sentences
from claims.models import (
    Claim,
    Document,
    Evidence,
    Passage,
    Quantity,
    Scope,
    Stance,
    Verdict,
    VerdictLabel,
)
from claims.score.calibration import VerdictModel, load_calibration
from claims.score.checks import (
    active,
    describes_subject,
    is_opinion,
    opposition,
    quote_finding,
    tally_finding,
    unsaid_superlative,
)
from claims.score.numbers import (
    NumericJudgement,
    country_stems,
    figure_judgements,
    figure_place,
    figure_span,
    format_quantity,
    place_terms,
    same_place,
)
from claims.score.relevance import (
    contradicts,
    relevance,
    reports_speech,
    silence_contradicted,
)
from claims.score.roles import _TITLE_WORDS, Role, _is_country_word, origin_key, passage_role
from claims.sources.ratings import rated_claim, rating_label

__all__ = [
    "FEATURE_SIGNS",
    "VERDICT_FEATURES",
    "VerdictPolicy",
    "assess_evidence",
    "best_evidence",
    "best_source_text",
    "claim_features",
    "decide",
    "decisive_figures",
    "source_key",
    "source_name",
    "vote_features",
]


def _tuned(name: str, default: float) -> float:
    """A threshold tuned on development data by scripts/calibrate_verdicts.py (kept in
    claims/score/data/verdict_calibration.json with the confidence calibration)."""
    return float(load_calibration().policy.get(name, default))


def _three(probs: Sequence[float] | np.ndarray) -> tuple[float, float, float]:
    """A stance model's row of (support, refute, neutral) probabilities as plain floats."""
    support, refute, neutral = (float(x) for x in probs)
    return support, refute, neutral


@dataclass(frozen=True)
class VerdictPolicy:
    """The knobs of aggregation (built from Settings by the pipeline).

    ``min_stance_probability`` / ``min_refute_probability``: the stance model's probability
    a passage needs to count as support / refutation. ``support_threshold`` /
    ``refute_threshold``: the weight of votes a side needs before the verdict takes it
    (below it the claim is ``not_enough_evidence``: selective verdicts).
    ``conflict_share``: the minority side's share of the vote weight that makes a claim
    ``conflicting``. ``calibrate``: map the raw confidence to P(label correct) with the
    calibration fitted on development data. ``min_figure_outlets``: a claim's figure
    asserted (or contradicted) in its scope by at least this many outlets decides the label
    by the figures alone. ``aggregator``: ``votes`` decides by the vote
    weights and the thresholds above; ``model`` by the learned verdict model
    (:class:`~claims.score.calibration.VerdictModel` over :func:`verdict_features`), when
    the packaged calibration has one. ``verifier_refute`` / ``verifier_veto`` /
    ``verifier_support``: the verifier's probability (when one is set) that refutes a claim
    on a passage on its topic, takes back the stance model's support, or supports without
    it (the ``verifier`` check). Their defaults are the tuned values.
    """

    tolerance: float = 0.05
    same_time_days: int = 3
    min_stance_probability: float = field(default_factory=lambda: _tuned("min_stance_probability", 0.5))
    conflict_share: float = field(default_factory=lambda: _tuned("conflict_share", 0.25))
    reliability: Mapping[str, float] | None = None
    exclude_after_claim_date: bool = False
    min_refute_probability: float | None = field(default_factory=lambda: _tuned("min_refute_probability", 0.5))
    support_threshold: float = field(default_factory=lambda: _tuned("support_threshold", 0.0))
    refute_threshold: float = field(default_factory=lambda: _tuned("refute_threshold", 0.0))
    calibrate: bool = True
    min_figure_outlets: int = field(default_factory=lambda: int(_tuned("min_figure_outlets", 2)))
    aggregator: str = field(default_factory=lambda: "model" if load_calibration().model is not None else "votes")
    model: VerdictModel | None = field(default_factory=lambda: load_calibration().model)
    # the named checks switched off (claims.score.checks.CHECKS; claims eval desk --ablate)
    disabled_checks: frozenset[str] = frozenset()
    # the verifier's probabilities a finding needs (the ``verifier`` check): to refute a claim
    # on its topic, to take back a stance model's support, to support without the model
    # (measured on the desk dev halves with the packaged verifier: docs/models.md)
    verifier_refute: float = 0.9
    verifier_veto: float = 0.9
    verifier_support: float = 0.9


def source_key(document: Document) -> str:
    """The identity of a source for counting votes: its outlet, else its host, else its id."""
    if document.outlet:
        return document.outlet.strip().lower()
    if document.url:
        host = urlsplit(document.url).hostname
        if host:
            return host.lower().removeprefix("www.")
    return document.id


def source_name(document: Document) -> str:
    """A source's display name, as the views' ``claims_source_name`` macro writes it: the
    outlet, else the URL's host, else the title."""
    if document.outlet and document.outlet.strip():
        return document.outlet.strip()
    host = urlsplit(document.url).hostname if document.url else None
    if host:
        return host.removeprefix("www.")
    if document.title and document.title.strip():
        return document.title.strip()
    return "unknown source"


def best_source_text(evidence: Evidence | None) -> str:
    """"Example Wire (2024-10-31)": the best evidence as the check table and the
    ``latest_verdicts.best_source`` column both show it."""
    if evidence is None:
        return ""
    d = evidence.document.published_at
    return source_name(evidence.document) + (f" ({d:%Y-%m-%d})" if d else "")


def _reliability(document: Document, policy: VerdictPolicy) -> float:
    table = policy.reliability or {}
    for key in (document.outlet or "", source_key(document), document.source_kind):
        if key and key in table:
            return float(table[key])
        if key and key.lower() in table:
            return float(table[key.lower()])
    return 1.0


# -- one passage -------------------------------------------------------------------------

# A passage on the claim's topic refutes it by the stance model alone only when the model is
# this sure; below it, only with a word against the claim (a negation of its content, a
# debunking word). A sentence that states most of what a clause of the claim says (this share
# of its content words) in the passage's own voice supports it, whatever the model says.
STRONG_REFUTE = 0.7
DISPUTE_COVERAGE = 0.5  # the share of a claim clause's content words a disputing sentence must share
# two of every three content words of a claim clause, for a sentence to support it in words
# (chosen on the dev halves of six desk sets: 0.5 let "The court also quashed his conviction"
# be borne out by "The appellant was convicted of fraud"; 0.75 lost more than it saved)
ENTAILED_COVERAGE = 0.66

_ROLE_RANK = {"disputes": 0, "asserts": 0, "reports_claim": 1, "mentions": 2}
_RELATION_RANK = {"match": 0, "consistent": 1, "mismatch": 2, "other_scope": 3}
_NUMERIC_STANCE = {"match": ("support", 0.95), "consistent": ("support", 0.6), "mismatch": ("refute", 0.9)}
_RATING_STANCE = {"supported": ("support", 0.95), "refuted": ("refute", 0.95), "conflicting": ("mixed", 0.95)}


def _figure(claim: Claim, passage: Passage, document: Document, policy: VerdictPolicy,
            claimant: str | None) -> tuple[NumericJudgement | None, Role]:
    """The passage figure that speaks to the claim's figure, with its role: a figure the
    passage asserts (or disputes) before one it only reports, then the closest relation."""
    return _figure_of(claim.text, checked_figure(claim, policy), claim.claim_date, passage.text,
                      document.published_at, policy.tolerance, policy.same_time_days, claimant, claim.scope,
                      policy.disabled_checks, f"{document.title or ''}\n{document.text}")


def _opinion(document: Document) -> bool:
    return is_opinion(document.url, document.title, document.text[:200])


def checked_figure(claim: Claim, policy: VerdictPolicy) -> Quantity | None:
    """The claim's figure as the verdict checks it: none when the number only describes the
    claim's subject ("of Estrevia's five largest cities": the ``descriptor`` check)."""
    q = claim.quantity
    if q is not None and claim.scope is not None and active("descriptor", policy.disabled_checks) \
            and describes_subject(claim.text, q):
        return None
    return q


@functools.lru_cache(maxsize=65536)
def _figure_of(claim_text: str, claim_q: Quantity | None, claim_date: date | None, passage_text: str,
               published: datetime | None, tolerance: float, same_time_days: int,
               claimant: str | None, scope: Scope | None = None,
               disabled: frozenset[str] = frozenset(), context: str = "") -> tuple[NumericJudgement | None, Role]:
    """:func:`_figure` on plain values (remembered: a rerun or a threshold search judges the
    same pairs again, and roles and figures do not depend on the thresholds)."""
    found = figure_judgements(claim_text, claim_q, passage_text, claim_date=claim_date, passage_date=published,
                              tolerance=tolerance, same_time_days=same_time_days, claim_scope=scope,
                              disabled=disabled, context=context if scope is not None else "")
    if not found:
        return None, passage_role(claim_text, passage_text, claimant=claimant, gathered_for_claim=scope is None)
    ranked = []
    for judgement in found:
        role = passage_role(claim_text, passage_text, passage_figure=judgement.quantity, claimant=claimant,
                            gathered_for_claim=scope is None)
        ranked.append((_ROLE_RANK[role.role], _RELATION_RANK[judgement.relation], judgement, role))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return ranked[0][2], ranked[0][3]


def assess_evidence(
    claim: Claim,
    hits: Sequence[tuple[Passage, Document, float]],
    policy: VerdictPolicy,
    stance_probs: np.ndarray | None = None,
    claimant: str | None = None,
    verifier_probs: np.ndarray | None = None,
) -> list[Evidence]:
    """A role and a stance for each (passage, document, similarity) hit, in rank order.

    ``claimant``: who made the claim (default: ``claim.claimant``, known for fact-check
    data, not for claims extracted from an article, which speak in the article's voice);
    what the claimant is reported to have said is the claim itself, not evidence for it.
    """
    claimant = claimant if claimant is not None else claim.claimant
    evidence: list[Evidence] = []
    for rank, (passage, document, similarity) in enumerate(hits, start=1):
        if (policy.exclude_after_claim_date and claim.claim_date and document.published_at
                and document.published_at.date() > claim.claim_date):
            continue
        judgement, role = _figure(claim, passage, document, policy, claimant)
        relation = judgement.relation if judgement is not None else "none"
        checked = verifier_probs[rank - 1] if verifier_probs is not None else None
        stance, score = "neutral", 0.0
        note = judgement.reason if judgement is not None and relation == "other_scope" else ""
        # a fact-check's rating statement (only trusted in a document that came with one:
        # the fact-check API or a page's ClaimReview JSON-LD) is that fact-checker's vote,
        # on the claim it reviews: only when that claim is the one judged here
        rated = rated_claim(passage.text) if document.rating else None
        label = rating_label(rated[1]) if rated is not None else None
        if label is not None and rated is not None and not relevance(claim.text, rated[0], similarity).relevant:
            label, note = None, "rates another claim"
        if label is not None and rated is not None:
            stance, score = _RATING_STANCE[label]
            role = Role("disputes" if label == "refuted" else "asserts", origin=document.outlet,
                        cue=f'rated "{rated[1]}"')
        elif relation in ("match", "consistent") and role.role == "reports_claim" and claim.scope is not None \
                and reports_speech(claim.text):
            # "A post claims that the vaccine killed 27 people": a source reporting that the post
            # said 27 confirms the claim, which is about what was said
            stance, score = "support", 0.8
        elif relation in _NUMERIC_STANCE:
            doubt = _unverified_in(document.text) if role.role == "asserts" and claim.scope else None
            if doubt:  # "the claim could not be independently verified": the source does not vouch for it
                role = Role("mentions", origin=role.origin, cue=doubt)
            if role.role == "disputes" and claim.scope is not None and (
                    relation == "mismatch" or (relation == "consistent" and _bound_against_point(checked_figure(claim, policy), judgement))):
                # "a post said 112,000 ballots were cast; that is false": the denial is of
                # another figure than the claim's, which it does not contradict; nor is a
                # denial near "more than 12 hours" about a claim of 31 hours
                role, note = Role("mentions", origin=role.origin, cue=role.cue), "denies another figure"
            if role.role == "disputes":
                model_refute = float(stance_probs[rank - 1][1]) if stance_probs is not None else 0.0
                stance, score = "refute", max(0.85, model_refute)
            elif role.role == "asserts":
                stance, score = _NUMERIC_STANCE[relation]
        elif relation == "other_scope" and role.role == "disputes" and claim.scope is None:
            # a claim known only by its text: a passage denying it refutes it, whatever figure it gives
            model_refute = float(stance_probs[rank - 1][1]) if stance_probs is not None else 0.0
            stance, score = "refute", max(0.85, model_refute)
        elif relation == "none":
            stance, score, role, note = _text_stance(claim, passage, similarity, role, claimant, policy,
                                                     stance_probs[rank - 1] if stance_probs is not None else None,
                                                     checked)
        if stance == "support" and claim.scope is not None and active("superlatives", policy.disabled_checks):
            unsaid = unsaid_superlative(claim.text, passage.text)
            if unsaid:  # "38 million marks, the largest ever spent": the sum is confirmed, not the record
                stance, score, note = "neutral", 0.0, f'the passage does not say "{unsaid}"'
        if stance != "neutral" and claim.scope is not None and active("opinion", policy.disabled_checks) \
                and _opinion(document):
            stance, score, note = "neutral", 0.0, "an opinion piece: its author's view, not evidence"
        evidence.append(Evidence(
            claim_id=claim.id, passage=passage, document=document, similarity=float(similarity),
            rank=rank, stance=cast(Stance, stance), stance_score=score,
            quantity_relation=relation, passage_quantity=judgement.quantity if judgement else None,
            quantity_date=judgement.stated_on if judgement else None,
            role=role.role, origin=role.origin, role_cue=role.cue,
            model_probs=_three(stance_probs[rank - 1]) if stance_probs is not None else None,
            verifier_probs=_three(checked) if checked is not None else None,
            scope_note=note,
        ))
    return evidence


def _bound_against_point(claim_q: Quantity | None, judgement: NumericJudgement | None) -> bool:
    """Whether the passage gives only a bound or a range ("more than 12 hours") where the
    claim states one figure (31 hours): consistent, but not the claim's figure."""
    passage_q = judgement.quantity if judgement is not None else None
    if claim_q is None or passage_q is None:
        return False
    point = claim_q.low is not None and claim_q.low == claim_q.high
    return point and passage_q.low != passage_q.high


_DOUBTED = re.compile(r"\b(?:the|that|this|her|his|their|its)\s+(?:claim|figure|number|estimate|total|count|tally|"
                      r"account|assertion|statement)s?\b[^.]{0,80}?\b(?:could|can)\s*(?:not|n't)\s+(?:be\s+)?"
                      r"(?:independently\s+)?(?:verif|confirm|corroborat)\w*|"
                      r"\b(?:could|can)\s*(?:not|n't)\s+(?:independently\s+)?(?:verify|confirm|corroborate)\s+(?:the|that|"
                      r"this|these|those|its|their|her|his)\b[^.]{0,40}?\b(?:claim|figure|number|estimate|total|count|"
                      r"account|report|price)s?\b|"
                      r"\bdid\s+not\s+say\s+where\s+the\s+(?:figure|number|estimate)\s+came\s+from", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def _unverified_in(text: str) -> str | None:
    """The words of a document saying that the figure it attributes could not be verified."""
    m = _DOUBTED.search(text)
    return m.group(0) if m else None


def _text_stance(claim: Claim, passage: Passage, similarity: float, role: Role, claimant: str | None,
                 policy: VerdictPolicy, probs: np.ndarray | None,
                 checked: np.ndarray | None = None) -> tuple[str, float, Role, str]:
    """(stance, score, role, scope note) of a passage without a figure to compare: off topic
    passages are context; on topic, a contradiction in words or a sure stance model refutes,
    and a sentence stating the claim's content in the passage's own voice supports."""
    if claim.scope is None:
        # a claim known only by its text and date (a benchmark file, a user's labelled claims)
        # comes with evidence gathered for it: every passage is on its topic, and the stance
        # model with the role rules decides, as the learned verdict model was fitted on
        if role.role == "disputes":
            return "refute", max(0.85, float(probs[1]) if probs is not None else 0.0), role, ""
        if probs is None:
            return "neutral", 0.0, role, ""
        stance, score = _model_stance(probs, policy)
        if stance == "support" and role.role == "reports_claim":
            stance, score = "neutral", 0.0  # restating the claim is not confirming it
        return stance, score, role, ""
    silent = silence_contradicted(claim.text, passage.text)
    if silent:
        return "refute", 0.85, Role("disputes", cue=f"{silent} (the claim says it kept silent)"), ""
    quoted = quote_finding(claim.text, passage.text) if active("quotes", policy.disabled_checks) else None
    if quoted is not None:  # the claim's quote in the passage, given to its speaker or to another
        if quoted[0] == "refute":
            return "refute", 0.85, Role("disputes", origin=role.origin, cue=quoted[1]), ""
        if role.role in ("asserts", "mentions"):
            return "support", 0.85, Role("asserts", origin=role.origin, cue=quoted[1]), ""
    topic = relevance(claim.text, passage.text, similarity)
    if not topic.relevant:
        return "neutral", 0.0, Role("mentions"), topic.note
    if role.role == "mentions":  # the sentence that carries the claim decides the passage's voice
        role = passage_role(claim.text, topic.sentence, claimant=claimant, min_overlap=0.0)
    if topic.coverage >= DISPUTE_COVERAGE and active("opposites", policy.disabled_checks):
        # "would keep" against "would scrap": the passage says the opposite (before a claim about
        # what someone said is confirmed by the speaker's words, which say the opposite here)
        cue = opposition(claim.text, topic.sentence)
        if cue is not None:
            return "refute", 0.85, Role("disputes", origin=role.origin, cue=cue), ""
    tally = tally_finding(claim.text, passage.text) if active("tallies", policy.disabled_checks) else None
    if tally is not None and topic.coverage >= DISPUTE_COVERAGE:  # "voted 8-1" against "by a 7-2 vote"
        if tally[0] == "refute":
            return "refute", 0.85, Role("disputes", origin=role.origin, cue=f"the vote was {tally[1]}"), ""
        if role.role == "asserts":
            return "support", 0.85, role, ""
    if reports_speech(claim.text) and topic.coverage >= DISPUTE_COVERAGE:
        # "The utility has denied that ...", "A lawsuit alleges that ...": the claim is that
        # the statement was made; a sentence giving its speaker's words (relevance checked
        # the speaker) confirms it, and a denial of the statement's content does not refute it
        return "support", max(0.75, topic.coverage), role, ""
    if role.role == "disputes":
        if topic.coverage < DISPUTE_COVERAGE:  # a denial of something else near the claim's topic
            return "neutral", 0.0, Role("mentions", cue=role.cue), "off topic: the dispute is about something else"
        return "refute", max(0.85, float(probs[1]) if probs is not None else 0.0), role, ""
    verified = (0.0, 0.0, 1.0) if checked is None or not active("verifier", policy.disabled_checks) \
        else _three(checked)  # a verifier not set (or switched off) is sure of nothing
    if verified[1] >= policy.verifier_refute and topic.coverage >= DISPUTE_COVERAGE \
            and role.role in ("asserts", "mentions"):
        return "refute", verified[1], Role("disputes", origin=role.origin,
                                                 cue="the verifier reads a detail against the claim"), ""
    if probs is None:
        return "neutral", 0.0, role, ""
    stance, score = _model_stance(probs, policy)
    against = topic.coverage >= DISPUTE_COVERAGE and contradicts(claim.text, topic.sentence)
    if stance == "refute" and score < STRONG_REFUTE and not against:
        stance, score = "neutral", 0.0  # a weak model refutation without a word against the claim
    if stance != "support" and topic.coverage >= ENTAILED_COVERAGE and role.role == "asserts" and not against:
        stance, score = "support", max(float(probs[0]), topic.coverage)
    if stance == "support" and role.role == "reports_claim":
        stance, score = "neutral", 0.0  # restating the claim is not confirming it
    if stance != "support" and verified[0] >= policy.verifier_support and role.role == "asserts" and not against:
        stance, score = "support", verified[0]
    if stance == "support" and active("details_in_words", policy.disabled_checks) \
            and not _details_given(claim.text, topic.sentence, passage.text):
        stance, score = "neutral", 0.0  # the model's support, without the claim's numbers or names
    if stance == "support" and verified[1] >= policy.verifier_veto:
        stance, score = "neutral", 0.0  # the verifier reads a detail of the claim against it
    return stance, score, role, ""


def _details_given(claim_text: str, sentence: str, passage: str) -> bool:
    """Whether a sentence gives every number the claim writes in digits ("voted 8-1" needs an
    8 and a 1), and its passage every name the claim gives after its first word ("in the
    town of Kellford"; a country may go by its capital): words in common do not confirm a
    claim's details."""
    claim_text = without_date(claim_text)
    said = set(re.findall(r"\d+(?:[.,]\d+)*", sentence))
    if not all(n in said for n in re.findall(r"\d+(?:[.,]\d+)*", claim_text)):
        return False
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", passage)}
    for run in re.findall(r"(?<=\s)[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*", claim_text):
        names = [w.lower() for w in run.split()]
        if all(w in _MONTH_WORDS for w in names):
            continue
        # "the Korean Peninsula" is named by its country, "Russia" may be "Moscow"
        if not any(w in words or _is_country_word(w) or w[:4] in country_stems() for w in names):
            return False
    return True


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


# -- votes -------------------------------------------------------------------------------


def _norm_text(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


@dataclass
class _Vote:
    key: str  # the independent voice: "origin:<key>" or the outlet's source key
    stance: str
    weight: float
    evidence: Evidence
    outlets: list[str] = field(default_factory=list)  # the outlets that carry this voice
    origin: str | None = None  # the origin's name as the best evidence wrote it


def _voice(e: Evidence, origin_document: Document | None = None) -> str:
    """Whose statement a piece of evidence carries: a named origin it cites for the claim's
    content (an agency, an official), else the outlet itself (for a reprint, the outlet
    that first published the text)."""
    key = origin_key(e.origin) if e.role in ("asserts", "disputes") and e.origin else None
    return f"origin:{key}" if key else source_key(origin_document or e.document)


@functools.lru_cache(maxsize=4096)
def _sentence_keys(text: str) -> frozenset[str]:
    """The document's sentences, normalised, long enough to identify a text."""
    return frozenset(k for k in (_norm_text(s.text) for s in split_sentences(text)) if len(k) >= 40)


def reprint_origins(documents: Sequence[Document], share: float = 0.6) -> dict[str, Document]:
    """For each document that reprints another (at least ``share`` of its sentences appear,
    word for word, in an earlier or equally early document: a wire story republished, a
    syndicated column), the document it reprints; documents that reprint nothing are left
    out. One text carried by several outlets is one voice with one stance."""
    unique = sorted({d.id: d for d in documents}.values(),
                    key=lambda d: (d.published_at or datetime.max, d.url or "", d.id))
    keys = {d.id: _sentence_keys(d.text) for d in unique}
    origins: dict[str, Document] = {}
    for i, doc in enumerate(unique):
        mine = keys[doc.id]
        if len(mine) < 2:
            continue
        for earlier in unique[:i]:
            theirs = keys[earlier.id]
            if len(mine & theirs) >= share * min(len(mine), len(theirs)) and source_key(earlier) != source_key(doc):
                origins[doc.id] = origins.get(earlier.id, earlier)
                break
    return origins


def _votes(evidence: Sequence[Evidence], policy: VerdictPolicy) -> list[_Vote]:
    """One vote per independent voice: a passage text seen from an earlier source is a
    copy, and a document that reprints another speaks with the reprinted one's voice."""
    first_voice: dict[str, str] = {}
    by_voice: dict[str, list[Evidence]] = defaultdict(list)
    carriers: dict[str, set[str]] = defaultdict(set)
    ordered = sorted(evidence, key=lambda e: (e.document.published_at or datetime.max, e.rank))
    reprinted = reprint_origins([e.document for e in ordered])
    for e in ordered:
        key = _norm_text(e.passage.text)
        outlet = e.document.outlet or source_key(e.document)
        if key in first_voice:  # the same text from another outlet: a republished wire story
            carriers[first_voice[key]].add(outlet)
            continue
        voice = _voice(e, reprinted.get(e.document.id))
        first_voice[key] = voice
        by_voice[voice].append(e)
        carriers[voice].add(outlet)
    votes = []
    for voice, items in by_voice.items():
        outlets = sorted(carriers[voice])
        decisive = [e for e in items if e.stance != "neutral"]
        if not decisive:
            best = max(items, key=lambda e: e.similarity)
            votes.append(_Vote(voice, "neutral", 0.0, best, outlets, best.origin))
            continue
        # a voice's strongest statement speaks for it; an origin's, as it was first reported
        if voice.startswith("origin:"):
            best = max(decisive, key=lambda e: (e.stance_score, -_when(e).toordinal(),
                                                -(e.document.published_at or datetime.max).toordinal(),
                                                e.similarity))
        else:
            best = max(decisive, key=lambda e: (e.stance_score, e.similarity))
        weight = best.stance_score * max(best.similarity, 0.0) * _reliability(best.document, policy)
        votes.append(_Vote(voice, best.stance, weight, best, outlets, best.origin))
    return votes


# What the learned verdict model reads, with the sign each weight is held to per label
# (supported, refuted, not_enough_evidence, conflicting): +1 only raises that label's score,
# -1 only lowers it, 0 not at all. So more support can never make "refuted" likelier, nor
# more refutation "supported": the model learns how much each signal counts, not which way.
VERDICT_FEATURES = (
    "support_weight", "refute_weight", "both_sides", "max_support_prob", "max_refute_prob", "mean_neutral_prob",
    "dissimilarity", "disputes", "asserted_matches", "asserted_mismatches", "mixed_ratings",
)
FEATURE_SIGNS = {
    "support_weight": (+1, -1, -1, 0),  # the weight of the voices that support the claim
    "refute_weight": (-1, +1, -1, 0),  # ... that refute it
    "both_sides": (-1, -1, -1, +1),  # the smaller of the two: credible voices on both sides
    "max_support_prob": (+1, 0, 0, 0),  # the stance model's strongest support (echoes left out)
    "max_refute_prob": (0, +1, 0, 0),  # its strongest refutation
    "mean_neutral_prob": (0, 0, +1, 0),  # how much of the evidence the model finds beside the point
    "dissimilarity": (0, 0, +1, 0),  # 1 - the best similarity: how far the closest passage is
    "disputes": (0, +1, 0, 0),  # passages that deny, debunk or correct it
    "asserted_matches": (+1, 0, 0, 0),  # passages asserting the claim's figure
    "asserted_mismatches": (0, +1, 0, 0),  # passages asserting another figure in its scope
    "mixed_ratings": (0, 0, 0, +1),  # fact-checks rating it partly true
}


# What each label needs in the evidence before the learned model may say it: a verdict means
# what it says. ``supported`` needs a voice that supports the claim (or asserts its figure),
# ``refuted`` one that refutes, disputes or contradicts it, ``conflicting`` voices on both
# sides (or a fact-check rating it partly true); ``not_enough_evidence`` needs nothing.
LABEL_NEEDS = {
    "supported": ("support_weight", "asserted_matches"),
    "refuted": ("refute_weight", "disputes", "asserted_mismatches"),
    "conflicting": ("both_sides", "mixed_ratings"),
    "not_enough_evidence": (),
}


def label_gate(x: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """For features ``x`` (n, len(VERDICT_FEATURES)) a boolean array (n, len(labels)): which
    labels the evidence can carry (:data:`LABEL_NEEDS`)."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    out = np.ones((len(x), len(labels)), dtype=bool)
    for j, label in enumerate(labels):
        needs = [VERDICT_FEATURES.index(name) for name in LABEL_NEEDS.get(label, ())]
        if needs:
            out[:, j] = (x[:, needs] > 0).any(axis=1)
    return out


def _set_aside(v: _Vote, note: str) -> None:
    """A figure vote that does not count: shown as context, with why."""
    v.stance = "neutral"
    v.weight = 0.0
    v.evidence.quantity_relation = "other_scope"
    v.evidence.stance = "neutral"
    v.evidence.scope_note = note


def _figure_votes(votes: Sequence[_Vote]) -> list[_Vote]:
    return [v for v in votes if v.stance in ("support", "refute") and v.evidence.passage_quantity is not None
            and v.evidence.quantity_relation in ("match", "consistent", "mismatch")]


def _name_words(name: str | None) -> frozenset[str]:
    """The proper-name words of a holder or origin ("Corran Biologics" -> {"corran",
    "biologics"}), titles and country words left out: "Corran" and "Corran Biologics" meet."""
    return frozenset(w.lower() for w in re.findall(r"\b[A-Z][a-z]{2,}\b", name or "")
                     if w.lower() not in _TITLE_WORDS and w.lower() not in _GENERIC_BODY)


# Words that many bodies share: "National Statistics Agency" and "Provincial Statistics
# Office" are two holders.
_GENERIC_BODY = frozenset(["statistics", "statistical", "office", "agency", "bureau", "department", "ministry", "service", "services", "board", "commission", "council", "committee", "authority", "administration", "institute", "centre", "center", "national", "provincial", "federal", "county", "city", "municipal", "regional", "local", "government", "officials", "office's", "news", "press", "wire", "daily", "times", "post", "herald", "ledger", "officials", "experts", "analysts", "sources", "authorities", "police", "residents", "organisers", "organizers", "initially", "originally"])


def _holder_figures(claim: Claim, votes: Sequence[_Vote]) -> None:
    """A claim that says whose figure it is ("the Pentagon said about 10,000 ...") is
    checked against that holder's figures: another holder's figure is context, not a
    rival (the evidence is marked so). A report that states the same figure in its own
    voice ("Recorded crime fell by 5.5%, official figures showed") still bears it out."""
    holder = origin_key(claim.scope.holder) if claim.scope is not None and claim.scope.holder else None
    names = _name_words(claim.scope.holder) if claim.scope is not None else frozenset()
    if holder is None or holder in _GENERIC_BODY:
        return  # "officials said": no holder in particular
    assert claim.scope is not None  # the holder is the scope's
    named = re.sub(r"^(?:the|a|an)\s+", "", claim.scope.holder or "", flags=re.IGNORECASE).lower()
    for v in _figure_votes(votes):
        key = origin_key(v.evidence.origin) if v.evidence.origin else None
        voice = v.evidence.origin or source_name(v.evidence.document)  # own voice: the outlet's
        if v.evidence.origin is None and len(named) > 3 and named in v.evidence.passage.text.lower():
            continue  # the passage names the holder as its source ("..., the agency said on Wednesday.")
        if v.evidence.origin is None and v.stance == "support":
            continue  # a report stating the same figure in its own voice bears the holder's figure out
        if key != holder and not (names & _name_words(voice)):
            _set_aside(v, f"another holder's figure ({v.origin or v.outlets[0] if v.outlets else v.key})")


_REVISION = re.compile(r"\b(?:revis(?:ed|ion)|updated?|final|certified|official\s+(?:count|results?|tally|figures?)|"
                       r"replac(?:es|ed|ing)\s+(?:the|an?|its|their)\s+(?:early|earlier|initial|first|preliminary|"
                       r"provisional)|"
                       r"correct(?:ed|ion)|recount|latest|now\s+(?:puts?|says?|estimates?)|raised|lowered|"
                       r"confirmed\s+(?:count|toll|figures?)|full\s+count|completed?\s+(?:count|assessment))\b",
                       re.IGNORECASE)
_PRELIMINARY = re.compile(r"\b(?:preliminary|initial(?:ly)?|provisional|unofficial|early\s+(?:count|estimate|tally))\b",
                          re.IGNORECASE)
# A claim about a peak is about the largest figure, not the latest one.
_PEAK = re.compile(r"\b(?:at\s+(?:the|its)\s+(?:height|peak)|peak(?:ed)?|at\s+most|the\s+most|maximum|record)\b",
                   re.IGNORECASE)


def _revises(later: _Vote, earlier: _Vote) -> bool:
    """Whether a later figure revises an earlier one rather than rivalling it: the same
    voice (origin or outlet) gives it, or the later passage says it is a revision ("final
    count", "certified", "revised") or the earlier one that it was preliminary."""
    if later.key == earlier.key or _name_words(later.origin) & _name_words(earlier.origin):
        return True
    return bool(_REVISION.search(later.evidence.passage.text) or _PRELIMINARY.search(earlier.evidence.passage.text))


_REVISION_RATIO = 3.0  # a count or a sum revised is seldom revised threefold: figures that far apart are rivals


def _far_apart(a: Quantity, b: Quantity) -> bool:
    """Whether two figures differ by more than :data:`_REVISION_RATIO` times (both positive)."""
    x, y = a.value if a.value is not None else a.low, b.value if b.value is not None else b.low
    if x is None or y is None or x <= 0 or y <= 0:
        return False
    return max(x, y) > _REVISION_RATIO * min(x, y)


def _superseded(claim: Claim, votes: Sequence[_Vote], policy: VerdictPolicy) -> None:
    """Revisions: for a claim about the state of things on its article's date, a figure
    of the same thing given later (up to that date) supersedes an earlier one that differs
    from it; for a claim about a first report ("initially", "originally"), the earliest
    figures count and later revisions are context. Superseded figures are marked as such."""
    scope = claim.scope
    if scope is None or scope.end is None:
        return
    if _PEAK.search(claim.text):  # the peak: lower figures at other moments are not against it
        low = claim.quantity.low if claim.quantity is not None else None
        for v in _figure_votes(votes):
            q = v.evidence.passage_quantity
            high = q.high if q is not None and q.high is not None else q.value if q is not None else None
            if v.stance == "refute" and low is not None and high is not None and high < low:
                _set_aside(v, "another moment (below the peak)")
        return
    # "initially", "originally": open before the article, the earliest figures count; a claim
    # about a stated time ("On October 2, ... 240,000 customers") was held to it by
    # figure_judgements, and a later revision of a figure for that time supersedes it
    first = scope.own_time and scope.start is None
    figures = [v for v in _figure_votes(votes) if v.evidence.quantity_date is not None]
    if len(figures) < 2:
        return
    side = {v.key: v.stance for v in figures}
    days = policy.same_time_days
    for v in figures:
        when = v.evidence.quantity_date
        for other in figures:
            assert when is not None and other.evidence.quantity_date is not None  # dated figures
            later = (other.evidence.quantity_date - when).days
            if later == 0:  # two figures for one period ("for August"): the one published later revises
                later = (_published(other.evidence) - _published(v.evidence)).days
            newer = -later > days if first else later > days
            if other is v or not newer or side[other.key] == side[v.key]:
                continue
            if not _revises(other if not first else v, v if not first else other):
                continue  # another voice's later figure is a rival, not a revision
            q, other_q = v.evidence.passage_quantity, other.evidence.passage_quantity
            assert q is not None and other_q is not None  # figure votes have their figure
            if _far_apart(q, other_q):
                continue  # D 28 million of an overrun is not revised to a cost of D 298 million
            if same_place(frozenset(place_terms(scope_window(v.evidence.passage.text, q))),
                          frozenset(place_terms(scope_window(other.evidence.passage.text,
                                                             other_q)))) is False:
                continue
            what = format_quantity(other_q)
            verb = "revised to" if not first else "first given as"
            _set_aside(v, f"superseded: {verb} {what} ({_day(other.evidence)})" if not first
                       else f"a later revision; the first figure was {what} ({_day(other.evidence)})")
            break


def _counted_votes(claim: Claim, evidence: Sequence[Evidence], policy: VerdictPolicy) -> list[_Vote]:
    """The votes :func:`decide` counts: one per voice; a claim naming whose figure it is
    checked against that holder's figures; figures superseded by a later revision set
    aside; and for an undated claim with a figure, a figure reported more than
    ``same_time_days`` from every supporting one (a deployment that grew) is set aside as
    another moment (the evidence is marked so)."""
    votes = _votes(evidence, policy)
    if claim.quantity is not None:
        _holder_figures(claim, votes)
        _superseded(claim, votes, policy)
    support = [v for v in votes if v.stance == "support"]
    if claim.quantity is not None and claim.claim_date is None and support:
        numeric_refute = [v for v in votes if v.stance == "refute" and v.evidence.quantity_relation == "mismatch"]
        kept = _contemporaneous(numeric_refute, support, policy.same_time_days)
        for v in numeric_refute:
            if v not in kept:
                _set_aside(v, "another moment")
    return votes


def decisive_figures(claim: Claim, evidence: Sequence[Evidence], policy: VerdictPolicy) -> str | None:
    """The label the claim's figures settle by themselves (see :func:`decide`), or None."""
    found = _decisive_figures(claim, _counted_votes(claim, evidence, policy), policy)
    return found[0] if found is not None else None


def claim_features(claim: Claim, evidence: Sequence[Evidence], policy: VerdictPolicy) -> np.ndarray:
    """:func:`vote_features` of assessed evidence (the votes counted as :func:`decide` counts them)."""
    return vote_features(claim, evidence, _counted_votes(claim, evidence, policy))


def vote_features(claim: Claim, evidence: Sequence[Evidence], votes: Sequence[_Vote]) -> np.ndarray:
    """What the learned verdict model reads of a claim's assessed evidence, in the order of
    :data:`VERDICT_FEATURES`. Every feature is taken *after* the role rules: a passage that
    only reports the claim adds no support weight and no support probability."""
    support = sum(v.weight for v in votes if v.stance == "support")
    refute = sum(v.weight for v in votes if v.stance == "refute")
    on_topic = list(evidence)  # as the learned model was fitted: every passage's reading
    probs = np.array([e.model_probs for e in on_topic if e.model_probs is not None] or [(0.0, 0.0, 1.0)])
    voiced = np.array([e.model_probs for e in on_topic if e.model_probs is not None and e.role != "reports_claim"]
                      or [(0.0, 0.0, 1.0)])
    return np.array([
        support, refute, min(support, refute), float(voiced[:, 0].max()), float(probs[:, 1].max()),
        float(probs[:, 2].mean()), 1.0 - max((e.similarity for e in evidence), default=0.0),
        sum(1 for e in on_topic if e.role == "disputes"),
        sum(1 for e in evidence if e.role == "asserts" and e.quantity_relation == "match"),
        sum(1 for e in evidence if e.role in ("asserts", "disputes") and e.quantity_relation == "mismatch"),
        sum(1 for v in votes if v.stance == "mixed"),
    ], dtype=np.float64)


# -- rationale ---------------------------------------------------------------------------


def _when(e: Evidence) -> date:
    d = e.quantity_date or e.document.published_at
    if isinstance(d, datetime):
        return d.date()
    return d or date.max


def _published(e: Evidence) -> date:
    d = e.document.published_at
    return (d.date() if isinstance(d, datetime) else d) or date.min


def _day(e: Evidence) -> str:
    """When the evidence's figure was given: the day its speech frame names ("said on Oct.
    18") or the report's dateline or publication date, never a date the figure is about
    ("begins on July 1"); a period the figure is for is added ("11 Oct, for September")."""
    published = e.document.published_at.date() if e.document.published_at else None
    span = figure_span(e.passage.text, e.passage_quantity, published) if e.passage_quantity is not None else None
    given = published
    if span is not None and span.start == span.end and (published is None or span.end <= published):
        given = span.end
    text = f"{given.day} {given:%b}" if given else "undated"
    if span is not None and span.start is not None and span.start != span.end and span.text:
        text += f", for {span.text.removeprefix('in ').removeprefix('In ')}"
    return text


def _place(e: Evidence) -> str:
    q = e.passage_quantity
    return figure_place(e.passage.text, q) if q is not None else ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _voice_text(v: _Vote) -> str:
    """"about 8,000 in Kursk (Antony Blinken, 31 Oct; 3 outlets: A, B, C)"."""
    e = v.evidence
    figure = format_quantity(e.passage_quantity) if e.passage_quantity is not None else ""
    place = _place(e)
    where = f" in {place}" if place else ""
    who = v.origin if v.origin else v.outlets[0] if v.outlets else v.key
    carriers = ""
    if v.origin:
        carriers = f"; {_plural(len(v.outlets), 'outlet')}: {', '.join(v.outlets)}" if len(v.outlets) > 1 \
            else f"; {v.outlets[0]}" if v.outlets else ""
    return f"{figure}{where} ({who}, {_day(e)}{carriers})".strip()


def _listing(votes: Sequence[_Vote], most: int = 3) -> str:
    """The heaviest ``most`` voices in date order, and how many more there are."""
    shown = sorted(votes, key=lambda v: (-v.weight, -v.evidence.similarity))[:most]
    text = "; ".join(_voice_text(v) for v in sorted(shown, key=lambda v: _when(v.evidence)))
    hidden = len(votes) - len(shown)
    return text + (f"; {hidden} more" if hidden > 0 else "")


def _cite(votes: Sequence[_Vote]) -> str:
    parts = []
    for v in sorted(votes, key=lambda v: _when(v.evidence)):
        name = v.origin or (v.outlets[0] if v.outlets else v.key)
        extra = f" via {', '.join(v.outlets)}" if v.origin and v.outlets else ""
        parts.append(f"{name}{extra}, {_day(v.evidence)}")
    return "; ".join(parts)


def _origins_note(votes: Sequence[_Vote]) -> str:
    outlets = sorted({o for v in votes for o in v.outlets})
    if len(votes) == 1 and len(outlets) > 1:
        return f" ({_plural(len(outlets), 'outlet')}, one origin)"
    if len(outlets) > len(votes):
        return f" ({_plural(len(outlets), 'outlet')}, {len(votes)} independent origins)"
    return ""


def _dispute_quotes(disputes: Sequence[_Vote], most: int = 2) -> str:
    """Why the disputing sources dispute: the sentence each cue matched in ("There was no
    sign of North Korean troops in Kursk, the ministry said."), whole or cut at clauses, in
    typographic quotes with the cue's note after it; the cue itself ('rated "False"') where
    its words are not in the passage. At most ``most`` distinct quotes."""
    quotes: list[str] = []
    for v in sorted((v for v in disputes if v.evidence.role_cue), key=lambda v: v.evidence.role_cue or ""):
        cue = v.evidence.role_cue or ""
        sentence = whole_quote(v.evidence.passage.text, cue)
        if sentence is None:
            shown = repr(cue)
        else:
            note = cue_note(cue)
            shown = f"\u201c{sentence}\u201d" + (f" ({note})" if note else "")
        if shown not in quotes:
            quotes.append(shown)
        if len(quotes) == most:
            break
    return f": {', '.join(quotes)}" if quotes else ""


def _rationale(claim: Claim, label: str, votes: Sequence[_Vote], evidence: Sequence[Evidence]) -> str:
    support = [v for v in votes if v.stance == "support"]
    refute = [v for v in votes if v.stance == "refute"]
    if not evidence:
        return "No passage in the gathered sources is similar enough to the claim."
    echoes = sorted({e.document.outlet or source_key(e.document) for e in evidence if e.role == "reports_claim"})
    echo = f"; {_plural(len(echoes), 'source')} only repeat the claim ({', '.join(echoes)})" if echoes else ""
    disputes = [v for v in refute if v.evidence.role == "disputes"]
    numeric = claim.quantity is not None and any(e.passage_quantity is not None for e in evidence)
    if numeric:
        assert claim.quantity is not None  # numeric
        claim_fig = format_quantity(claim.quantity)
        head = {
            "supported": f"Claim's {claim_fig} is backed",
            "refuted": f"Claim's {claim_fig} is contradicted",
            "conflicting": f"Sources disagree on {claim_fig}",
            "not_enough_evidence": f"No source asserts {claim_fig} in the same scope",
        }[label]
        backing = [v for v in support if v.evidence.passage_quantity is not None]
        lead = ""
        if backing:
            lead = ": " + _listing(backing) + _origins_note(backing)
        against = [v for v in refute if v.evidence.passage_quantity is not None]
        contra = ""
        if against:
            contra = "; against it: " + _listing(against)
        others = [v for v in votes if v.evidence.passage_quantity is not None and v not in backing
                  and v not in against and v.evidence.scope_note != "another thing"]  # other things: not this figure's context
        rest = _listing(others)
        text = head + lead + contra + (f"; other figures: {rest}" if rest else "")
        dispute_only = [v for v in disputes if v.evidence.passage_quantity is None]
        if dispute_only:
            text += f"; disputed by {_cite(dispute_only)}"
        return text + echo + "."
    parts = []
    mixed = [v for v in votes if v.stance == "mixed"]
    if mixed:
        parts.append("rated partly true by " + "; ".join(f"{v.origin or v.key} ({v.evidence.role_cue})" for v in mixed))
    undecided = label == "not_enough_evidence"
    if support:
        verb = ("leans" if len(support) == 1 else "lean") + " to support" if undecided else "support"
        parts.append(f"{_plural(len(support), 'source')} {verb} ({_cite(support)}){_origins_note(support)}")
    if refute:
        verb = "dispute" if disputes else ("leans" if len(refute) == 1 else "lean") + " to refute" if undecided \
            else "refute"
        cue = _dispute_quotes(disputes)
        parts.append(f"{_plural(len(refute), 'source')} {verb} ({_cite(refute)}){cue}")
    if not parts:
        best = max(evidence, key=lambda e: e.similarity)
        return (f"{_plural(len(votes), 'related source')} found "
                f"(best similarity {best.similarity:.2f}, {best.document.outlet or source_key(best.document)}), "
                f"none clearly supports or refutes the claim{echo}.")
    if undecided:
        return "No decisive evidence: " + "; ".join(parts) + echo + "."
    return "; ".join(parts) + echo + "."


# -- the decision ------------------------------------------------------------------------


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


def _label(s_w: float, r_w: float, has_support: bool, has_refute: bool, policy: VerdictPolicy) -> tuple[str, float]:
    """(label, raw confidence) from the two sides' vote weights."""
    total = s_w + r_w
    if total <= 0:
        return "not_enough_evidence", 1.0
    minority = min(s_w, r_w) / total
    if has_support and has_refute and minority >= policy.conflict_share:
        return "conflicting", 0.5 + 0.4 * (minority / 0.5)
    side, weight = ("supported", s_w) if s_w >= r_w else ("refuted", r_w)
    threshold = policy.support_threshold if side == "supported" else policy.refute_threshold
    if weight < threshold:
        return "not_enough_evidence", math.exp(-weight)
    share = weight / total
    return side, 0.5 + 0.45 * share * (1.0 - math.exp(-1.5 * total))


def _decisive_figures(claim: Claim, votes: Sequence[_Vote], policy: VerdictPolicy) -> tuple[str, float] | None:
    """(label, raw score) when the claim's figure is settled by figures alone: passages that
    assert (or contradict) a figure of the same thing in the claim's scope, carried by at
    least ``policy.min_figure_outlets`` outlets. Independent origins still count once each:
    three outlets relaying one official's figure are one vote, but a figure on the record
    of several outlets is what the record says. None otherwise (the other evidence decides)."""
    if claim.quantity is None or policy.min_figure_outlets <= 0:
        return None
    figures = [v for v in votes if v.stance in ("support", "refute") and v.evidence.passage_quantity is not None
               and v.evidence.role in ("asserts", "disputes")]
    # With the claim's scope read (thing, place, time: claims.extract.scope), a figure that
    # passed those checks is a figure of the same thing at the same scope: one voice's is
    # decisive. A claim known only by its text and a date needs several outlets.
    needed = 1 if claim.scope is not None else policy.min_figure_outlets
    if not figures or len({o for v in figures for o in v.outlets}) < needed:
        return None
    s_w = sum(v.weight for v in figures if v.stance == "support")
    r_w = sum(v.weight for v in figures if v.stance == "refute")
    return _label(s_w, r_w, s_w > 0, r_w > 0, dataclasses.replace(policy, support_threshold=0.0, refute_threshold=0.0))


def decide(claim: Claim, evidence: Sequence[Evidence], policy: VerdictPolicy) -> Verdict:
    """The verdict for one claim from its assessed evidence."""
    votes = _counted_votes(claim, evidence, policy)
    support = [v for v in votes if v.stance == "support"]
    refute = [v for v in votes if v.stance == "refute"]
    mixed = [v for v in votes if v.stance == "mixed"]  # "half true": half a vote to each side
    s_w = sum(v.weight for v in support) + sum(v.weight / 2 for v in mixed)
    r_w = sum(v.weight for v in refute) + sum(v.weight / 2 for v in mixed)
    figures = _decisive_figures(claim, votes, policy)
    if figures is not None:
        label, raw = figures
    elif policy.aggregator == "model" and policy.model is not None and claim.scope is None:
        # the learned model was fitted on benchmark claims known only by text and date; a
        # claim whose scope was read votes by voices that passed the scope and relevance checks
        features = vote_features(claim, evidence, votes)
        probs = policy.model.probabilities(features)[0]
        index = policy.model.decide(probs, label_gate(features, policy.model.labels)[0])
        label, raw = policy.model.labels[index], float(probs[index])
    else:
        label, raw = _label(s_w, r_w, bool(support or mixed), bool(refute or mixed), policy)
    for v in votes:
        v.evidence.weight = v.weight
    confidence = float(min(0.99, max(0.0, raw)))
    calibration = load_calibration() if policy.calibrate else None
    if calibration is not None and calibration.article is not None and claim.scope is not None:
        # an article claim: the probability that its label is right given its own votes
        # (fitted on the desk sets' dev halves), not one number per label
        confidence = calibration.article.probability(vote_features(claim, evidence, votes), label)
    elif calibration is not None:
        confidence = calibration.apply(label, confidence)
    return Verdict(
        claim_id=claim.id, label=cast(VerdictLabel, label), confidence=confidence,
        rationale=_rationale(claim, label, votes, evidence),
        evidence=list(evidence), n_support=len(support), n_refute=len(refute),
        n_neutral=len(votes) - len(support) - len(refute) - len(mixed),
        best=_best(label, votes, evidence),
    )


def _best(label: str, votes: Sequence[_Vote], evidence: Sequence[Evidence]) -> Evidence | None:
    """The evidence whose vote most decided ``label``: the heaviest vote on the label's side
    (either side for ``conflicting``); the most similar passage when no vote decided."""
    wanted = {"supported": ("support", "mixed"), "refuted": ("refute", "mixed"),
              "conflicting": ("support", "refute", "mixed")}.get(label)
    pool = [v for v in votes if wanted and v.stance in wanted]
    if pool:
        relation_rank = {"match": 2, "consistent": 1}
        top = max(pool, key=lambda v: (v.weight, relation_rank.get(v.evidence.quantity_relation or "", 0),
                                       v.evidence.similarity))
        return top.evidence
    return max(evidence, key=lambda e: e.similarity, default=None)


def best_evidence(verdict: Verdict) -> Evidence | None:
    """The evidence the verdict names as best (see :func:`decide`)."""
    if verdict.best is not None:
        return verdict.best
    return max(verdict.evidence, key=lambda e: e.similarity, default=None)
