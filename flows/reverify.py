"""The ``reverify-claims`` flow: open or stale claims judged again, new verdict rows appended.

A thin layer over :mod:`claims.reverify`: one task picks the claims due (latest verdict
``not_enough_evidence`` or ``conflicting``, older than ``reverify_after_days``, or never
judged), and one ``reverify-batch`` task per ``reverify_batch_size`` claims gathers,
embeds and judges them under a run of its own, at most ``monitor_concurrency`` batches at
a time on the task runner the settings choose. A batch that fails is reported and the
others go on. The run publishes a markdown summary and a table of verdict changes (from
the ``verdict_changes`` view) under stable keys.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from claims import pipeline
from claims.reverify import batches, claims_to_reverify, reverify, verdict_changes
from claims.settings import Settings, load_settings
from claims.store import Store
from flows.runners import submit_bounded, task_runner_for

__all__ = ["SUMMARY_KEY", "TABLE_KEY", "reverify_claims"]

SUMMARY_KEY = "reverify-claims-summary"
TABLE_KEY = "reverify-claims-changes"

_task = task(cache_policy=NO_CACHE, persist_result=False)


def _store(settings: Settings) -> Store:
    return Store(settings.db, lock_timeout=settings.lock_timeout)


@_task
def select_claims_task(settings: Settings, older_than_days: float | None) -> list[str]:
    return claims_to_reverify(_store(settings), settings, older_than_days=older_than_days)


@task(name="reverify-batch", cache_policy=NO_CACHE, persist_result=False)
def reverify_batch_task(claim_ids: list[str], settings: Settings, flow_run_id: str | None) -> dict[str, Any]:
    report = reverify(claim_ids, settings, _store(settings), flow_run_id=flow_run_id)
    return {"run_id": report.run_id, "claims": len(report.claims), "labels": report.label_counts(),
            "source_errors": len(report.errors)}


def _markdown(selected: int, results: list[dict[str, Any]], failed: list[str],
              changes: list[dict[str, Any]]) -> str:
    labels: Counter[str] = Counter()
    for r in results:
        labels.update(r["labels"])
    lines = ["# Re-verification", "",
             "| claims due | re-judged | batches | failed batches | verdict changes |",
             "|---:|---:|---:|---:|---:|",
             (f"| {selected} | {sum(r['claims'] for r in results)} | {len(results) + len(failed)} | "
              f"{len(failed)} | {len(changes)} |"), ""]
    if labels:
        lines += ["**New verdicts:** " + ", ".join(f"{n} {label}" for label, n in sorted(labels.items())), ""]
    if failed:
        lines += ["## Failed batches", ""] + [f"- {f}" for f in failed] + [""]
    lines += ["## Verdict changes", ""]
    if changes:
        lines += ["| claim | before | now | new evidence |", "|---|---|---|---:|"]
        lines += [f"| {c['claim'][:120]} | {c['previous_label']} | {c['new_label']} | {c['new_evidence_count']} |"
                  for c in changes]
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"


@flow(name="reverify-claims")
def reverify_claims(claim_ids: list[str] | None = None, older_than_days: float | None = None,
                    config: str | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Judge again the given claims, or those due (see :func:`claims.reverify.claims_to_reverify`)."""
    logger = get_run_logger()
    settings = load_settings(config, **(overrides or {}))
    store = pipeline.open_store(settings)
    store.mark_abandoned_runs(timedelta(minutes=settings.monitor_lease_minutes))
    ids = list(claim_ids) if claim_ids else select_claims_task(settings, older_than_days)
    logger.info("%d claims to re-check", len(ids))
    flow_run_id = str(flow_run.id) if flow_run.id else None
    results: list[dict[str, Any]] = []
    failed: list[str] = []
    if ids:
        with task_runner_for(settings) as runner:
            futures = submit_bounded(
                runner, reverify_batch_task,
                ({"claim_ids": chunk, "settings": settings, "flow_run_id": flow_run_id}
                 for chunk in batches(ids, settings.reverify_batch_size)),
                settings.monitor_concurrency)
            for future in futures:
                outcome = future.result(raise_on_failure=False)
                if isinstance(outcome, BaseException):
                    failed.append(f"{outcome.__class__.__name__}: {outcome}")
                    logger.warning("batch failed: %s", failed[-1])
                else:
                    results.append(outcome)
    if ids and not results:
        raise RuntimeError(f"every re-verification batch failed; first error: {failed[0]}")
    changes = verdict_changes(store, [r["run_id"] for r in results])
    create_markdown_artifact(key=SUMMARY_KEY, markdown=_markdown(len(ids), results, failed, changes),
                             description="Claims re-verified and verdict changes")
    create_table_artifact(key=TABLE_KEY, table=[{
        "claim": c["claim"], "before": c["previous_label"], "now": c["new_label"],
        "confidence_before": round(c["previous_confidence"], 2), "confidence_now": round(c["new_confidence"], 2),
        "new_evidence": c["new_evidence_count"], "run_id": c["new_run_id"]} for c in changes],
        description="Verdict changes of this re-verification")
    return {"claims": len(ids), "run_ids": [r["run_id"] for r in results], "failed_batches": failed,
            "changes": len(changes)}
