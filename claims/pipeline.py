"""The pipeline's stages as plain functions, and :func:`verify` that runs them in order.

Prefect tasks in ``flows/`` wrap these one to one; a notebook can call them directly.

    read_input -> extract_claims -> gather_sources -> prepare_passages -> judge_claims
       |               |                  |                 |                 |
    documents        claims          documents          passages       evidence+verdicts

Each stage writes what it produced before the next begins (short transactions), so a run
that fails or is killed keeps everything obtained so far, and a rerun adds nothing twice:
ids are content hashes and writes are upserts. Verdicts and their evidence rows are
written together, one transaction per run.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from claims.extract import ExtractionResult, extract_claims
from claims.extract.matching import KnownClaim, assign_clusters
from claims.models import Claim, Document, Evidence, Passage, Quantity, Verdict
from claims.score.cache import embed_cached, predict_stance_cached
from claims.score.embed import Embedder, load_embedder
from claims.score.passages import make_passages, splitter_key
from claims.score.retrieve import rank_passages
from claims.score.verdict import VerdictPolicy, assess_evidence, decide
from claims.settings import Settings
from claims.sources import SourceError, SourceRequest, SourceResult, build_backends, gather_all
from claims.store import Store, open_store

__all__ = [
    "PassageSet",
    "RunReport",
    "extract_stage",
    "gather_sources",
    "judge_and_store",
    "judge_claims",
    "open_store",
    "policy_from_settings",
    "prepare_passages",
    "run_stages",
    "stage_counts",
    "tracked_run",
    "verify",
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

    def label_counts(self) -> dict[str, int]:
        return dict(Counter(v.label for v in self.verdicts))

    def stats(self) -> dict[str, Any]:
        return {"timings": self.timings, "counts": self.counts, "labels": self.label_counts(),
                "errors": [f"{e.backend}: {e.target}: {e.error}" for e in self.errors]}

    def timed(self, name: str, fn: Callable[[], Any]) -> Any:
        """Run one stage, adding its wall time to ``timings[name]``."""
        start = time.perf_counter()
        value = fn()
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
        log.info("stage %s done in %.2fs", name, self.timings[name])
        return value


def policy_from_settings(settings: Settings) -> VerdictPolicy:
    return VerdictPolicy(
        tolerance=settings.quantity_tolerance,
        same_time_days=settings.same_time_days,
        reliability=settings.source_reliability,
        exclude_after_claim_date=settings.exclude_evidence_after_claim_date,
    )


def embedder_for(settings: Settings) -> Embedder:
    """The settings' embedding model on the settings' backend (torch, or int8 ONNX)."""
    return load_embedder(settings.model, batch_size=settings.embed_batch_size,
                         backend=settings.embedding_backend, onnx_dir=settings.onnx_dir)


_STANCE: dict[tuple[str | None, str | None], Any] = {}


def stance_model_for(settings: Settings) -> Any:
    """The stance model the settings name (loaded once per process)."""
    from claims.score.stance import load_stance_model

    key = (getattr(settings, "nli_model", None), getattr(settings, "stance_model", None))
    if key not in _STANCE:
        _STANCE[key] = load_stance_model(settings)
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
    result = asyncio.run(_gather(claims, settings, store, run_id))
    excluded = {d.content_hash for d in exclude} | {d.id for d in exclude}
    result.documents = [d for d in result.documents if d.id not in excluded and d.content_hash not in excluded]
    store.upsert_documents(result.documents)
    for error in result.errors:
        log.warning("source failed: %s %s: %s", error.backend, error.target, error.error)
    return result


async def _gather(claims: Sequence[Claim], settings: Settings, store: Store, run_id: str | None) -> SourceResult:
    web_needed = any(
        getattr(settings.sources, name).enabled for name in ("urls", "feeds", "wikipedia", "searxng", "gdelt", "factcheck")
    )
    if not web_needed:  # the local corpus alone: no queries, no HTTP client
        requests = [SourceRequest(claim_id=c.id, claim_text=c.text, claim_date=c.claim_date) for c in claims]
        return await gather_all(requests or [SourceRequest()], build_backends(settings, None))
    from claims.sources.http import Fetcher
    from claims.sources.queries import build_queries

    requests = [
        SourceRequest(claim_id=c.id, claim_text=c.text, queries=build_queries(c), claim_date=c.claim_date)
        for c in claims
    ] or [SourceRequest()]
    async with Fetcher(settings.http, store=store, run_id=run_id) as fetcher:
        return await gather_all(requests, build_backends(settings, fetcher))


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


def judge_claims(claims: Sequence[Claim], claim_vectors: np.ndarray, passage_set: PassageSet,
                 settings: Settings, stance: Callable[..., np.ndarray] | None = None,
                 focus_vectors: np.ndarray | None = None, store: Store | None = None) -> list[Verdict]:
    """Rank passages per claim, give each a stance, and decide a verdict per claim.

    Dense similarity barely tells 8,000 from 10,000, so for each claim the best
    ``settings.candidates`` passages are judged, and the cited evidence is the ``top_k``
    most similar of those whose numbers bear on the claim, completed by the most similar
    others. With a ``store``, the settings' stance model runs only on pairs the store has
    not judged before (the ``stance_cache`` table).
    """
    policy = policy_from_settings(settings)
    if stance is None:
        model = stance_model_for(settings)
        stance = model.predict
        if store is not None:
            def stance(claims, passages, claim_emb, passage_emb, _model=model):
                return predict_stance_cached(store, _model, claims, passages, claim_emb, passage_emb)
    rankings = rank_passages([c.text for c in claims], claim_vectors, [p.text for p in passage_set.passages],
                             passage_set.vectors, max(settings.candidates, settings.top_k), settings.min_similarity,
                             focus_vectors=focus_vectors, method=settings.retrieval, rrf_k=settings.rrf_k)
    # One stance call for every (claim, candidate) pair of the run: the model batches
    # across claims and the cache is read and written once.
    pair_claim = [i for i, ranking in enumerate(rankings) for _ in ranking]
    pair_passage = [j for ranking in rankings for j, _ in ranking]
    all_probs = None
    if stance is not None and pair_passage:
        all_probs = stance([claims[i].text for i in pair_claim], [passage_set.passages[j].text for j in pair_passage],
                           claim_vectors[pair_claim], passage_set.vectors[pair_passage])
    verdicts = []
    offset = 0
    for claim, ranking in zip(claims, rankings):
        hits = [(passage_set.passages[j], passage_set.documents[passage_set.passages[j].document_id], sim)
                for j, sim in ranking]
        probs = all_probs[offset:offset + len(hits)] if all_probs is not None and hits else None
        offset += len(hits)
        assessed = assess_evidence(claim, hits, policy, probs)
        verdicts.append(decide(claim, select_evidence(assessed, settings.top_k), policy))
    return verdicts


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


# -- the whole run -------------------------------------------------------------------------


def tracked_run(store: Store, report: RunReport, body: Callable[[], None]) -> RunReport:
    """Run ``body`` and close ``report.run_id``'s row in ``runs`` as completed or failed
    (with the error and what was done so far); failures are re-raised."""
    try:
        body()
    except BaseException as exc:
        store.finish_run(report.run_id, status="failed", error=f"{exc.__class__.__name__}: {exc}",
                         stats=report.stats())
        raise
    store.finish_run(report.run_id, status="completed", stats=report.stats())
    return report


def verify(document: Document, settings: Settings, *, store: Store | None = None,
           run_id: str | None = None, flow_run_id: str | None = None,
           flow_name: str = "verify-document") -> RunReport:
    """Every stage for one input document, without any orchestrator."""
    store = store or open_store(settings)
    run_id = store.start_run(flow_name=flow_name, input=document.url or document.title or document.id,
                             flow_run_id=flow_run_id, run_id=run_id)
    report = RunReport(run_id=run_id, document=document)
    return tracked_run(store, report, lambda: run_stages(document, settings, store, report))


def run_stages(document: Document, settings: Settings, store: Store, report: RunReport) -> None:
    embedder = report.timed("load_model", lambda: embedder_for(settings))
    report.timed("store_input", lambda: store.upsert_documents([document]))
    extraction = report.timed("extract", lambda: extract_stage(document, settings, store, embedder))
    report.claims = extraction.claims
    if extraction.claims:
        judge_and_store(extraction.claims, extraction.claim_vectors, extraction.focus_vectors, [document],
                        settings, store, embedder, report)


def judge_and_store(claims: Sequence[Claim], claim_vectors: np.ndarray, focus_vectors: np.ndarray | None,
                    exclude: Sequence[Document], settings: Settings, store: Store, embedder: Embedder,
                    report: RunReport) -> None:
    """Gather, cut, judge and store verdicts for ``claims`` (the stages after extraction,
    shared by a first run and a re-check); ``exclude``: the claims' own documents."""
    sources = report.timed("gather", lambda: gather_sources(claims, settings, store, report.run_id, exclude=exclude))
    report.errors = sources.errors
    passage_set = report.timed("passages", lambda: prepare_passages(sources.documents, settings, store, embedder))
    verdicts = report.timed("judge", lambda: judge_claims(claims, claim_vectors, passage_set, settings,
                                                          focus_vectors=focus_vectors, store=store))
    report.timed("store_verdicts", lambda: store.save_verdicts(report.run_id, verdicts, model=embedder.name))
    report.verdicts = verdicts
    report.counts = stage_counts(claims, sources, passage_set, verdicts)


def stage_counts(claims: Sequence[Claim], sources: SourceResult, passage_set: PassageSet,
                 verdicts: Sequence[Verdict]) -> dict[str, int]:
    """The ``counts`` of a run's stats (kept in ``runs.stats``)."""
    return {"claims": len(claims), "documents": len(sources.documents), "passages": len(passage_set.passages),
            "embedded": passage_set.embedded, "documents_cut": passage_set.cut, "verdicts": len(verdicts)}
