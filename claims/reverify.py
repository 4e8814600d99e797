"""Re-checking stored claims: open or stale verdicts judged again against fresh sources.

A claim is due when its latest verdict is ``not_enough_evidence`` or ``conflicting``, or
older than ``reverify_after_days``, or when it has no verdict at all although it was
stored more than ``monitor_lease_minutes`` ago (its run died before judging). Re-checking
gathers sources again, embeds new passages and judges the claim as the first run did
(:func:`claims.pipeline.judge_and_store`), and *appends* a verdict row under a new run
(history is kept): the ``verdict_changes`` view then lists the claims whose label moved,
with both verdicts and the new evidence.

:func:`reverify_due` is the whole pass (the claims due, in batches of
``reverify_batch_size``, ``monitor_concurrency`` batches at once, each batch a run of its
own); the ``reverify-claims`` flow calls it with a runner that makes each step a Prefect
task.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from claims.embed import embed_cached, embedder_for
from claims.extract import claim_and_focus_vectors, with_quantities
from claims.extract.scope import claim_scope
from claims.models import Claim, Document, utcnow
from claims.pipeline import RunReport, judge_and_store
from claims.progress import track
from claims.runner import LOCAL, StageRunner, tracked_run
from claims.settings import Settings, require_sources
from claims.store import Store, open_store

__all__ = ["OPEN_LABELS", "BatchOutcome", "ReverifyReport", "batches", "claims_to_reverify", "load_claims",
           "reverify", "reverify_batch", "reverify_due"]

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
    claims = with_quantities(store.load_claims(claim_ids))
    documents = store.load_documents([c.document_id for c in claims])
    dated = {d.id: d.published_at.date() if d.published_at else None for d in documents}
    for claim in claims:
        if claim.scope is None:
            # a scope that read nothing is stored as all NULL: read it again as extraction
            # did, so that the claim is judged by the same checks as on its first run
            claim.scope = claim_scope(claim.text, claim.quantity, dated.get(claim.document_id),
                                      holder=claim.attribution)
    return claims, documents


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
        embedder = embedder_for(settings)
        vectors, focus = report.timed("embed_claims", lambda: claim_and_focus_vectors(
            claims, lambda texts: embed_cached(texts, embedder, store)))
        judge_and_store(claims, vectors, focus, documents, settings, store, embedder, report)

    return tracked_run(store, report, body)


@dataclass(frozen=True)
class BatchOutcome:
    """What one batch's run did (small, so that it travels back from a task)."""

    run_id: str
    claims: int
    labels: dict[str, int]
    source_errors: int


def reverify_batch(claim_ids: Sequence[str], settings: Settings, store: Store | None = None, *,
                   flow_run_id: str | None = None) -> BatchOutcome:
    """:func:`reverify`, summarised."""
    report = reverify(claim_ids, settings, store, flow_run_id=flow_run_id)
    return BatchOutcome(report.run_id, len(report.claims), report.label_counts(), len(report.errors))


@dataclass
class ReverifyReport:
    """One re-verification pass: the claims due, each batch's outcome, failed batches and
    the verdicts that changed."""

    selected: int = 0
    batches: list[BatchOutcome] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)

    def label_counts(self) -> dict[str, int]:
        return dict(sum((Counter(b.labels) for b in self.batches), Counter()))

    def summary(self) -> dict[str, Any]:
        return {"claims": self.selected, "run_ids": [b.run_id for b in self.batches], "failed_batches": self.failed,
                "changes": len(self.changes)}

    def markdown(self) -> str:
        """A summary for people: counts, new verdicts, failed batches, verdict changes."""
        lines = ["# Re-verification", "",
                 "| claims due | re-judged | batches | failed batches | verdict changes |",
                 "|---:|---:|---:|---:|---:|",
                 (f"| {self.selected} | {sum(b.claims for b in self.batches)} | "
                  f"{len(self.batches) + len(self.failed)} | {len(self.failed)} | {len(self.changes)} |"), ""]
        labels = self.label_counts()
        if labels:
            lines += ["**New verdicts:** " + ", ".join(f"{n} {label}" for label, n in sorted(labels.items())), ""]
        if self.failed:
            lines += ["## Failed batches", ""] + [f"- {f}" for f in self.failed] + [""]
        lines += ["## Verdict changes", ""]
        if self.changes:
            lines += ["| claim | before | now | new evidence |", "|---|---|---|---:|"]
            lines += [f"| {c['claim'][:120]} | {c['previous_label']} | {c['new_label']} | {c['new_evidence_count']} |"
                      for c in self.changes]
        else:
            lines.append("None.")
        return "\n".join(lines) + "\n"

    def table_rows(self) -> list[dict[str, Any]]:
        """One row per changed verdict, for a table artifact."""
        return [{"claim": c["claim"], "before": c["previous_label"], "now": c["new_label"],
                 "confidence_before": round(c["previous_confidence"], 2),
                 "confidence_now": round(c["new_confidence"], 2),
                 "new_evidence": c["new_evidence_count"], "run_id": c["new_run_id"]} for c in self.changes]


def reverify_due(settings: Settings, claim_ids: Sequence[str] | None = None, *, older_than_days: float | None = None,
                 store: Store | None = None, runner: StageRunner = LOCAL,
                 flow_run_id: str | None = None) -> ReverifyReport:
    """Judge again the given claims, or those due (:func:`claims_to_reverify`), in batches
    of ``reverify_batch_size``, ``monitor_concurrency`` at a time; one failing batch does
    not stop the others (the pass fails only when every batch does). A configured evidence
    source that is missing stops it first (:func:`~claims.settings.require_sources`)."""
    require_sources(settings)
    store = store or open_store(settings)
    store.mark_abandoned_runs(timedelta(minutes=settings.monitor_lease_minutes))
    ids = list(claim_ids) if claim_ids else runner.run("select_claims", claims_to_reverify, store, settings,
                                                       older_than_days=older_than_days)
    log.info("%d claims to re-check", len(ids))
    report = ReverifyReport(selected=len(ids))
    parts = batches(ids, settings.reverify_batch_size)
    for outcome in track(runner.map("reverify-batch", reverify_batch, parts, limit=settings.monitor_concurrency,
                                    settings=settings, store=store, flow_run_id=flow_run_id),
                         "re-checking claim batches", total=len(parts)):
        if isinstance(outcome, Exception):
            report.failed.append(f"{outcome.__class__.__name__}: {outcome}")
            log.warning("batch failed: %s", report.failed[-1])
        else:
            report.batches.append(outcome)
    if ids and not report.batches:
        raise RuntimeError(f"every re-verification batch failed; first error: {report.failed[0]}")
    report.changes = store.verdict_changes([b.run_id for b in report.batches])
    return report
