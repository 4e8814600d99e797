"""The pipeline: its stages as plain functions, and their sequence, written once.

    read_input -> store_input -> extract -> gather -> passages -> judge -> store_verdicts
        |              |            |          |          |          |           |
     document      documents      claims   documents  passages   verdicts  verdicts+evidence

:func:`verify` runs the sequence for one document (:func:`verify_source` reads it first);
:func:`judge_and_store` is the part after extraction, shared with re-checks
(:mod:`claims.reverify`). Both call each stage through a :class:`~claims.runner.StageRunner`:
plain calls by default (``claims check`` without a Prefect server, a notebook), Prefect
tasks when a flow passes its runner (``flows/``). Every stage's wall time goes into the
run's ``runs.stats``.

Each stage writes what it produced before the next begins (short transactions), so a run
that fails or is killed keeps everything obtained so far, and a rerun adds nothing twice:
ids are content hashes and writes are upserts. Verdicts and their evidence rows are
written together, one transaction per run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from claims.embed import Embedder, embed_cached, embedder_for
from claims.errors import ConfigError
from claims.extract import ExtractionResult, extract_claims, for_judging
from claims.extract.matching import KnownClaim, assign_clusters
from claims.extract.quantities import is_time_frame
from claims.extract.scope import figure_thing, is_descriptor
from claims.extract.sentences import cap_length, split_sentences
from claims.ingest import is_url, read_source
from claims.models import Claim, Document, Evidence, Passage, Quantity, Verdict
from claims.runner import LOCAL, StageRunner, tracked_run
from claims.score.cache import predict_stance_cached
from claims.score.checks import CHECKS, active, describes_subject
from claims.score.passages import make_passages, splitter_key
from claims.score.retrieve import rank_passages
from claims.score.stance import load_stance_model, load_verifier
from claims.score.verdict import (
    VerdictPolicy,
    assess_evidence,
    best_evidence,
    best_source_text,
    decide,
)
from claims.settings import Settings, require_sources
from claims.sources import SourceError, SourceResult, gather_for_claims
from claims.sources.safety import redact_url
from claims.store import Store, open_store
from claims.store.sentences import SentenceRecord

__all__ = [
    "Candidates",
    "PassageSet",
    "RunReport",
    "decide_candidates",
    "extract_stage",
    "gather_sources",
    "judge_and_store",
    "judge_claims",
    "policy_from_settings",
    "prepare_passages",
    "rank_candidates",
    "select_evidence",
    "sentence_records",
    "stage_counts",
    "stance_model_for",
    "verdict_payload",
    "verdict_rows",
    "verify",
    "verify_source",
]

log = logging.getLogger(__name__)


@dataclass
class PassageSet:
    """The candidate passages of a run with their embeddings and source documents."""

    passages: list[Passage]
    vectors: np.ndarray
    documents: dict[str, Document]
    embedded: int = 0  # how many vectors had to be computed (not found in the store)
    cut: int = 0  # documents cut into passages by this run
    reused: int = 0  # documents whose stored passages were read back (unchanged text and settings)


@dataclass
class RunReport:
    """What a run did: its id, the input, claims, verdicts, errors and timings."""

    run_id: str
    document: Document | None = None
    claims: list[Claim] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the user should know about the input
    sentences: list[SentenceRecord] = field(default_factory=list)  # every sentence: its score, why skipped

    def label_counts(self) -> dict[str, int]:
        return dict(Counter(v.label for v in self.verdicts))

    def stats(self) -> dict[str, Any]:
        return {"timings": self.timings, "counts": self.counts, "labels": self.label_counts(),
                "errors": [f"{e.backend}: {e.target}: {e.error}" for e in self.errors], "notes": self.notes}

    def timed(self, name: str, fn: Callable[[], Any]) -> Any:
        """Run one stage, adding its wall time to ``timings[name]``."""
        start = time.perf_counter()
        value = fn()
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
        log.info("stage %s done in %.2fs", name, self.timings[name])
        return value

    def stage(self, runner: StageRunner, name: str, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """Run stage ``name`` (``fn(*args, **kwargs)``) through ``runner``, timed."""
        return self.timed(name, lambda: runner.run(name, fn, *args, **kwargs))


def policy_from_settings(settings: Settings) -> VerdictPolicy:
    unknown = [name for name in settings.disabled_checks if name not in CHECKS]
    if unknown:  # a misspelt name would switch nothing off and measure nothing
        raise ConfigError(f"disabled_checks names no check {', '.join(map(repr, unknown))}: "
                          f"choose from {', '.join(CHECKS)}")
    return VerdictPolicy(
        tolerance=settings.quantity_tolerance,
        same_time_days=settings.same_time_days,
        reliability=settings.source_reliability,
        exclude_after_claim_date=settings.exclude_evidence_after_claim_date,
        disabled_checks=frozenset(settings.disabled_checks),
    )


_STANCE: dict[tuple[str | None, str | None], Any] = {}


def stance_model_for(settings: Settings) -> Any:
    """The stance model the settings name (loaded once per process)."""
    key = (getattr(settings, "nli_model", None), getattr(settings, "stance_model", None))
    if key not in _STANCE:
        _STANCE[key] = load_stance_model(settings)
    return _STANCE[key]


def verifier_for(settings: Settings) -> Any:
    """The verifier the settings name (loaded once per process), None when off."""
    key = ("verifier", getattr(settings, "verifier", "off"))
    if key not in _STANCE:
        _STANCE[key] = load_verifier(settings)
    return _STANCE[key]


# -- stages ------------------------------------------------------------------------------


def extract_stage(document: Document, settings: Settings, store: Store, embedder: Embedder) -> ExtractionResult:
    """Check-worthy claims of the document, stored with their parsed quantities."""
    result = extract_claims(document, embedder, settings,
                            embed=lambda texts: embed_cached(texts, embedder, store))
    if result.claims:
        known = [_known_claim(row) for row in store.claims_for_matching(embedder.name, exclude_document=document.id)]
        for claim, cluster in zip(result.claims, assign_clusters(result.claims, result.claim_vectors, known)):
            claim.cluster_id = cluster
    store.upsert_claims(result.claims, result.claim_vectors, embedder.name)
    return result


def _known_claim(row: dict[str, Any]) -> KnownClaim:
    quantity = None
    if row["quantity_text"]:
        quantity = Quantity(row["quantity_value"], row["quantity_low"], row["quantity_high"], row["quantity_unit"],
                            row["quantity_qualifier"], row["quantity_text"], 0, len(row["quantity_text"]))
    return KnownClaim(id=row["id"], cluster_id=row["cluster_id"], text=row["text"],
                      embedding=np.asarray(row["embedding"], dtype=np.float32),
                      entities=tuple(row["entities"] or ()), quantity=quantity)


def gather_sources(claims: Sequence[Claim], settings: Settings, store: Store, run_id: str | None = None,
                   exclude: Sequence[Document] = ()) -> SourceResult:
    """Documents from every backend switched on; each failure recorded, never raised.
    Documents equal to one in ``exclude`` (the input itself) are dropped."""
    result = asyncio.run(gather_for_claims(claims, settings, store, run_id))
    excluded = {d.content_hash for d in exclude} | {d.id for d in exclude}
    result.documents = [d for d in result.documents if d.id not in excluded and d.content_hash not in excluded]
    store.upsert_documents(result.documents)
    for error in result.errors:
        log.warning("source failed: %s %s: %s", error.backend, error.target, error.error)
    return result


def prepare_passages(documents: Sequence[Document], settings: Settings, store: Store,
                     embedder: Embedder) -> PassageSet:
    """Cut documents into passages and embed them; a text the store has embedded before
    (for this model) is never embedded again, stored passages are not rewritten, and a
    document whose text was cut before with the same passage settings is not cut again
    (its passages are read back from the store)."""
    splitter = splitter_key(settings.passage_sentences, settings.passage_overlap)
    unique = list({d.id: d for d in documents}.values())
    known = store.stored_document_passages([(d.id, d.content_hash) for d in unique], splitter)
    fresh = [d for d in unique if d.id not in known]
    cut = {d.id: make_passages(d, settings.passage_sentences, settings.passage_overlap) for d in fresh}
    passages = [p for d in unique for p in (known[d.id] if d.id in known else cut[d.id])]
    if not passages:
        store.record_document_passages([(d.id, d.content_hash, []) for d in fresh], splitter)
        return PassageSet([], np.zeros((0, embedder.dimension), dtype=np.float32), {d.id: d for d in documents},
                          cut=len(fresh), reused=len(known))
    stats: dict[str, int] = {}
    vectors = embed_cached([p.text for p in passages], embedder, store, stats=stats)
    new_passages = [p for d in fresh for p in cut[d.id]]
    if new_passages:
        stored = store.stored_passage_ids([p.id for p in new_passages])
        index = {p.id: i for i, p in enumerate(passages)}
        new = [p for p in new_passages if p.id not in stored]
        if new:
            store.upsert_passages(new, vectors[[index[p.id] for p in new]], embedder.name)
    store.record_document_passages([(d.id, d.content_hash, [p.id for p in cut[d.id]]) for d in fresh], splitter)
    log.info("passages: %d documents read back, %d cut", len(known), len(fresh))
    return PassageSet(passages, vectors, {d.id: d for d in documents},
                      embedded=stats["embedded"], cut=len(fresh), reused=len(known))


@dataclass
class Candidates:
    """One claim's passages to judge (passage, its document, similarity) in rank order, with
    the stance model's probabilities for each (None when no model was asked), and the
    verifier's (None when it is off)."""

    claim: Claim
    hits: list[tuple[Passage, Document, float]]
    probs: np.ndarray | None
    verifier_probs: np.ndarray | None = None


def rank_candidates(claims: Sequence[Claim], claim_vectors: np.ndarray, passage_set: PassageSet,
                    settings: Settings, stance: Callable[..., np.ndarray] | None = None,
                    focus_vectors: np.ndarray | None = None, store: Store | None = None) -> list[Candidates]:
    """The first half of :func:`judge_claims`: rank passages per claim and ask the stance
    model about every (claim, candidate) pair in one call (through the store's stance
    cache when a ``store`` is given)."""
    if stance is None:
        model = stance_model_for(settings)
        stance = model.predict
        if store is not None:
            def stance(claims, passages, claim_emb, passage_emb, _model=model):
                return predict_stance_cached(store, _model, claims, passages, claim_emb, passage_emb)
    rankings = rank_passages([c.text for c in claims], claim_vectors, [p.text for p in passage_set.passages],
                             passage_set.vectors, max(settings.candidates, settings.top_k), settings.min_similarity,
                             focus_vectors=focus_vectors, method=settings.retrieval, rrf_k=settings.rrf_k,
                             lexical_rescue=settings.lexical_rescue)
    # One stance call for every (claim, candidate) pair of the run: the model batches
    # across claims and the cache is read and written once.
    pair_claim = [i for i, ranking in enumerate(rankings) for _ in ranking]
    pair_passage = [j for ranking in rankings for j, _ in ranking]
    all_probs = verified = None
    if stance is not None and pair_passage:
        all_probs = stance([claims[i].text for i in pair_claim], [passage_set.passages[j].text for j in pair_passage],
                           claim_vectors[pair_claim], passage_set.vectors[pair_passage])
    verifier = verifier_for(settings)
    if verifier is not None and pair_passage:
        pair_texts = ([claims[i].text for i in pair_claim], [passage_set.passages[j].text for j in pair_passage])
        verified = (predict_stance_cached(store, verifier, *pair_texts, claim_vectors[pair_claim],
                                          passage_set.vectors[pair_passage]) if store is not None
                    else verifier.predict(*pair_texts))
    out = []
    offset = 0
    for claim, ranking in zip(claims, rankings):
        hits = [(passage_set.passages[j], passage_set.documents[passage_set.passages[j].document_id], sim)
                for j, sim in ranking]
        probs = all_probs[offset:offset + len(hits)] if all_probs is not None and hits else None
        checked = verified[offset:offset + len(hits)] if verified is not None and hits else None
        offset += len(hits)
        out.append(Candidates(claim, hits, probs, checked))
    return out


def decide_candidates(candidates: Sequence[Candidates], settings: Settings,
                      policy: VerdictPolicy | None = None) -> list[Verdict]:
    """The second half of :func:`judge_claims`: roles, stances, votes and a verdict per claim."""
    policy = policy or policy_from_settings(settings)
    return [judge_facts(c, policy, settings.top_k) for c in candidates]


def _fact_figures(claim: Claim) -> list[Quantity]:
    """The claim's figures other than its own, each a fact of its own (the ``facts`` check):
    figures of a named thing that are neither a time frame nor a description of the subject."""
    text = claim.text
    return [q for q in claim.quantities
            if q != claim.quantity and q.unit and q.value is not None and not is_time_frame(text, q)
            and not is_descriptor(text, q) and not describes_subject(text, q)]


def judge_facts(candidate: Candidates, policy: VerdictPolicy, top_k: int) -> Verdict:
    """The verdict for one claim: its own figure (or its text) judged on the evidence, then,
    for a claim with several figures ("rose 7.4% to 2,480"), every other figure judged as a
    fact of its own (the ``facts`` check): a fact that the figures refute refutes the claim,
    and the claim is supported only when no fact its sources speak to is left unsupported."""
    claim = candidate.claim

    def judged(c: Claim) -> Verdict:
        return decide(c, select_evidence(assess_evidence(c, candidate.hits, policy, candidate.probs,
                                                      verifier_probs=candidate.verifier_probs), top_k), policy)

    verdict = judged(claim)
    if claim.scope is None or not active("facts", policy.disabled_checks):
        return verdict
    facts = [(q, judged(dataclasses.replace(claim, quantity=q))) for q in _fact_figures(claim)]
    # a fact counts when figures of its thing were found (its label rests on them): a passage
    # figure whose own words name what the claim's figure counts
    def about(q: Quantity, e: Evidence) -> bool:
        if e.passage_quantity is None or e.quantity_relation not in ("match", "consistent", "mismatch"):
            return False
        thing = figure_thing(claim.text, q)  # every word of it, or two at least, named by the passage's figure
        return len(thing & figure_thing(e.passage.text, e.passage_quantity)) >= min(2, len(thing)) > 0

    spoken = [(q, v) for q, v in facts if any(about(q, e) for e in v.evidence)]
    refuted = [(q, v) for q, v in spoken if v.label == "refuted"]
    if refuted and verdict.label != "refuted":
        q, v = refuted[0]
        return dataclasses.replace(v, rationale=f"Of the claim's figures, {q.text} is refuted: {v.rationale}")
    if verdict.label == "supported" and any(v.label != "supported" for _, v in spoken):
        q, v = next((q, v) for q, v in spoken if v.label != "supported")
        return dataclasses.replace(v, label="not_enough_evidence", rationale=(
            f"Of the claim's figures, {q.text} is not borne out ({v.label.replace('_', ' ')}): {v.rationale}"))
    if verdict.label == "not_enough_evidence" and claim.quantity is None and spoken \
            and all(v.label == "supported" for _, v in spoken):
        return spoken[0][1]
    return verdict


def judge_claims(claims: Sequence[Claim], claim_vectors: np.ndarray, passage_set: PassageSet,
                 settings: Settings, stance: Callable[..., np.ndarray] | None = None,
                 focus_vectors: np.ndarray | None = None, store: Store | None = None,
                 policy: VerdictPolicy | None = None) -> list[Verdict]:
    """Rank passages per claim, give each a role and a stance, and decide a verdict per claim.

    Dense similarity barely tells 8,000 from 10,000, so for each claim the best
    ``settings.candidates`` passages are judged, and the cited evidence is the ``top_k``
    most similar of those whose numbers bear on the claim, completed by the most similar
    others. With a ``store``, the settings' stance model runs only on pairs the store has
    not judged before (the ``stance_cache`` table). ``policy`` overrides the settings'
    verdict policy (the calibration script searches it).
    """
    candidates = rank_candidates(claims, claim_vectors, passage_set, settings, stance, focus_vectors, store)
    return decide_candidates(candidates, settings, policy)


def select_evidence(assessed: Sequence[Evidence], k: int) -> list[Evidence]:
    """The ``k`` pieces of evidence to cite: numerically relevant ones first, then the
    most similar others; ranks renumbered in similarity order."""
    numeric = [e for e in assessed if e.quantity_relation not in (None, "none")]
    decisive = [e for e in assessed if e not in numeric and e.stance != "neutral"]
    rest = [e for e in assessed if e not in numeric and e not in decisive]
    chosen = (numeric + decisive + rest)[:k]
    chosen.sort(key=lambda e: -e.similarity)
    for rank, e in enumerate(chosen, start=1):
        e.rank = rank
    return chosen


# -- the sequence --------------------------------------------------------------------------


def verify_source(source: str, settings: Settings, *, text: str | None = None,
                  meta: dict[str, Any] | None = None, store: Store | None = None, runner: StageRunner = LOCAL,
                  flow_run_id: str | None = None) -> RunReport:
    """Read the input (a path, an http(s) URL, ``-`` for standard input, or ``text`` given
    directly, named ``source``), then :func:`verify` it."""
    started = time.perf_counter()
    document = runner.run("read_input", read_source, source, settings, text, meta or {})
    return verify(document, settings, store=store, runner=runner, flow_run_id=flow_run_id, source=source,
                  timings={"read_input": time.perf_counter() - started})


def verify(document: Document, settings: Settings, *, store: Store | None = None, runner: StageRunner = LOCAL,
           run_id: str | None = None, flow_run_id: str | None = None, flow_name: str = "verify-document",
           source: str | None = None, timings: dict[str, float] | None = None) -> RunReport:
    """Every stage for one input document, under a new ``runs`` row (``source``: how the
    input was named, kept as the run's input and parameters). A configured evidence source
    that is missing stops it before anything is written (:func:`~claims.settings.require_sources`)."""
    require_sources(settings)
    store = store or open_store(settings)
    source = redact_url(source) if source and is_url(source) else source  # no credentials in the store
    label = source if source not in (None, "-") else document.url or document.title or document.id
    run_id = store.start_run(flow_name=flow_name, input=label, flow_run_id=flow_run_id, run_id=run_id,
                             parameters={"source": source} if source else None)
    report = RunReport(run_id=run_id, document=document, timings=dict(timings or {}))

    def body() -> None:
        embedder = embedder_for(settings)  # loaded by the first text not in the embedding cache
        was_loaded = embedder.is_loaded
        report.stage(runner, "store_input", store.upsert_documents, [document])
        extraction = report.stage(runner, "extract", extract_stage, document, settings, store, embedder)
        report.claims = extraction.claims
        report.notes = extraction.notes
        report.sentences = report.timed("store_sentences", lambda: _store_sentences(document, extraction, settings,
                                                                                  store, report.run_id))
        if extraction.claims:
            judge_and_store(extraction.claims, extraction.claim_vectors, extraction.focus_vectors, [document],
                            settings, store, embedder, report, runner)
        if embedder.is_loaded and not was_loaded:  # part of the stage that first embedded
            report.timings["load_model"] = embedder.load_seconds

    return tracked_run(store, report, body)


def sentence_records(document: Document, extraction: ExtractionResult, settings: Settings) -> list[SentenceRecord]:
    """Every sentence of ``document`` as extraction cut it, with its check-worthiness score
    and the claim it became or why it became none: too few words to be scored, a score below
    ``checkworthiness_threshold``, or beyond the ``max_claims`` most check-worthy."""
    capped, _ = cap_length(split_sentences(document.text), document.text, settings.max_sentence_chars)
    scores = {(s.start, s.end): float(score) for s, score in zip(extraction.sentences, extraction.scores)}
    claims = {(c.start, c.end): c.id for c in extraction.claims}
    threshold = settings.checkworthiness_threshold
    records = []
    for position, sentence in enumerate(capped):
        span = (sentence.start, sentence.end)
        score = scores.get(span)
        claim_id = claims.get(span)
        if claim_id is not None:
            why = None
        elif score is None:
            why = "too short to be a claim (fewer than 4 words)"
        elif score < threshold:
            why = f"below the check-worthiness threshold {threshold:g} (checkworthiness_threshold)"
        else:
            why = f"beyond the {settings.max_claims} most check-worthy sentences (max_claims)"
        records.append(SentenceRecord(position, sentence.start, sentence.end, sentence.text, score, claim_id, why))
    return records


def _store_sentences(document: Document, extraction: ExtractionResult, settings: Settings, store: Store,
                     run_id: str) -> list[SentenceRecord]:
    records = sentence_records(document, extraction, settings)
    store.save_sentences(run_id, document.id, records)
    skipped = sum(1 for r in records if r.skipped)
    log.info("sentences: %d, %d skipped (see claims check --show-skipped)", len(records), skipped)
    return records


def judge_and_store(claims: Sequence[Claim], claim_vectors: np.ndarray, focus_vectors: np.ndarray | None,
                    exclude: Sequence[Document], settings: Settings, store: Store, embedder: Embedder,
                    report: RunReport, runner: StageRunner = LOCAL) -> None:
    """Gather, cut, judge and store verdicts for ``claims`` (the stages after extraction,
    shared by a first run and a re-check); ``exclude``: the claims' own documents. Claims
    are searched for and judged by their checkable text (:func:`claims.extract.for_judging`)."""
    claims = for_judging(claims)
    sources = report.stage(runner, "gather", gather_sources, claims, settings, store, report.run_id, exclude=exclude)
    report.errors = sources.errors
    passage_set = report.stage(runner, "passages", prepare_passages, sources.documents, settings, store, embedder)
    verdicts = report.stage(runner, "judge", judge_claims, claims, claim_vectors, passage_set, settings,
                            focus_vectors=focus_vectors, store=store)
    report.stage(runner, "store_verdicts", store.save_verdicts, report.run_id, verdicts, model=embedder.name)
    report.verdicts = verdicts
    report.counts = stage_counts(claims, sources, passage_set, verdicts)


def stage_counts(claims: Sequence[Claim], sources: SourceResult, passage_set: PassageSet,
                 verdicts: Sequence[Verdict]) -> dict[str, int]:
    """The ``counts`` of a run's stats (kept in ``runs.stats``)."""
    return {"claims": len(claims), "documents": len(sources.documents), "passages": len(passage_set.passages),
            "embedded": passage_set.embedded, "documents_cut": passage_set.cut, "verdicts": len(verdicts)}


def verdict_payload(report: RunReport) -> dict[str, Any]:
    """A run's verdicts as ``claims check --json`` prints them and ``POST /check`` returns
    them (:mod:`claims.api`): the run id, one :func:`verdict_rows` row per claim, and the
    source fetches that failed (written with ``json.dumps(..., default=str)``)."""
    return {"run_id": report.run_id, "verdicts": verdict_rows(report),
            "failed_sources": [e.__dict__ for e in report.errors]}


def verdict_rows(report: RunReport) -> list[dict[str, Any]]:
    """One row per claim of a run for tables and artifacts: claim, verdict, confidence, best source."""
    by_claim = {v.claim_id: v for v in report.verdicts}
    rows = []
    for claim in report.claims:
        v = by_claim.get(claim.id)
        best = best_evidence(v) if v is not None else None
        rows.append({
            "claim": claim.text,
            "verdict": v.label if v else "not_checked",
            "confidence": round(v.confidence, 2) if v else None,
            "best_source": best_source_text(best),
            "rationale": v.rationale if v else "",
        })
    return rows
