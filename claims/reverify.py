"""Re-checking stored claims: open or stale verdicts judged again against fresh sources.

A claim is due when its latest verdict is ``not_enough_evidence`` or ``conflicting``, or
older than ``reverify_after_days``, or when it has no verdict at all although it was
stored more than ``monitor_lease_minutes`` ago (its run died before judging). Re-checking
gathers sources again, embeds new passages and judges the claim as the first run did, and
*appends* a verdict row under a new run (history is kept): the ``verdict_changes`` view
then lists the claims whose label moved, with both verdicts and the new evidence.

No orchestrator here: the ``reverify-claims`` flow wraps :func:`claims_to_reverify` and
:func:`reverify` as tasks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from claims.extract import focus_text, primary_quantity
from claims.extract.quantities import parse_quantities
from claims.models import Claim, Document, utcnow
from claims.pipeline import RunReport, embedder_for, judge_and_store, open_store, tracked_run
from claims.score.cache import embed_cached
from claims.settings import Settings
from claims.store import Store

__all__ = ["OPEN_LABELS", "batches", "claims_to_reverify", "load_claims", "reverify", "verdict_changes"]

log = logging.getLogger(__name__)

FLOW_NAME = "reverify-claims"
OPEN_LABELS = ("not_enough_evidence", "conflicting")


def claims_to_reverify(store: Store, settings: Settings, *, older_than_days: float | None = None,
                       labels: Sequence[str] = OPEN_LABELS, limit: int | None = None,
                       now: datetime | None = None) -> list[str]:
    """Ids of the claims due for a new verdict, oldest verdict first (never judged first)."""
    now = now or utcnow()
    days = settings.reverify_after_days if older_than_days is None else older_than_days
    return store.claims_due(cutoff=now - timedelta(days=days), labels=labels,
                            unjudged_after_minutes=settings.monitor_lease_minutes,
                            limit=limit or settings.reverify_max_claims)


def load_claims(store: Store, claim_ids: Sequence[str]) -> tuple[list[Claim], list[Document]]:
    """Stored claims rebuilt as :class:`Claim` objects (quantities parsed again from their
    text, as extraction does), and the documents they come from."""
    claims = store.load_claims(claim_ids)
    for claim in claims:
        claim.quantities = parse_quantities(claim.text)
        claim.quantity = primary_quantity(claim.quantities, claim.text)
    return claims, store.load_documents([c.document_id for c in claims])


def batches(items: Sequence[str], size: int) -> list[list[str]]:
    """``items`` cut into lists of at most ``size``."""
    return [list(items[i:i + size]) for i in range(0, len(items), max(1, size))]


def reverify(claim_ids: Sequence[str], settings: Settings, store: Store | None = None, *,
             run_id: str | None = None, flow_run_id: str | None = None) -> RunReport:
    """Judge these stored claims again under a new run; one verdict row each is appended.
    Claims are excluded from their own document's evidence, as in the first run."""
    store = store or open_store(settings)
    claims, documents = load_claims(store, claim_ids)
    run_id = store.start_run(flow_name=FLOW_NAME, input=f"{len(claims)} claims",
                             parameters={"claim_ids": list(claim_ids)}, flow_run_id=flow_run_id, run_id=run_id)
    report = RunReport(run_id=run_id)
    report.claims = claims

    def body() -> None:
        if not claims:
            return
        embedder = report.timed("load_model", lambda: embedder_for(settings))
        claim_vectors, focus_vectors = report.timed("embed_claims", lambda: _claim_vectors(claims, embedder, store))
        judge_and_store(claims, claim_vectors, focus_vectors, documents, settings, store, embedder, report)

    return tracked_run(store, report, body)


def _claim_vectors(claims: list[Claim], embedder: Any, store: Store) -> tuple[np.ndarray, np.ndarray]:
    """Claim and focus vectors exactly as extraction computes them (through the cache)."""
    vectors = embed_cached([c.text for c in claims], embedder, store)
    focus = vectors.copy()
    texts = [focus_text(c) for c in claims]
    numeric = [i for i, t in enumerate(texts) if t]
    if numeric:
        focus[numeric] = embed_cached([texts[i] for i in numeric], embedder, store)  # type: ignore[misc]
    return vectors, focus


def verdict_changes(store: Store, run_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Rows of the ``verdict_changes`` view whose new verdict was written by these runs."""
    return store.verdict_changes(run_ids)
