"""The ``monitor-feeds`` flow: new articles of the configured feeds, each verified.

A thin layer over :mod:`claims.monitor`: one task reads the feeds, one claims the new
entries (so overlapping runs never take the same article), and one ``verify-article`` task
per article runs the whole pipeline on it, at most ``monitor_concurrency`` at a time on
the task runner the settings choose (threads, or a Dask cluster: :mod:`flows.runners`).
An article that fails is recorded as failed with its error and the run completes. The
run publishes a markdown summary (counts, failures, verdict changes) and a table of its
articles, both under stable keys.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from claims import pipeline
from claims.monitor import (
    ClaimedEntries,
    FeedScan,
    ItemOutcome,
    MonitorReport,
    claim_entries,
    feeds_from_settings,
    finish_monitor_run,
    process_entry,
    read_feeds,
    start_monitor_run,
)
from claims.settings import Settings, load_settings
from claims.sources.feeds import FeedEntry
from claims.store import Store
from flows.runners import submit_bounded, task_runner_for

__all__ = ["SUMMARY_KEY", "TABLE_KEY", "monitor_feeds"]

SUMMARY_KEY = "monitor-feeds-summary"
TABLE_KEY = "monitor-feeds-articles"

_task = task(cache_policy=NO_CACHE, persist_result=False)


def _store(settings: Settings) -> Store:
    return Store(settings.db, lock_timeout=settings.lock_timeout)


@_task
def read_feeds_task(feeds: list[str], settings: Settings, run_id: str) -> FeedScan:
    return read_feeds(feeds, settings, _store(settings), run_id)


@_task
def claim_entries_task(entries: list[FeedEntry], run_id: str, settings: Settings) -> ClaimedEntries:
    return claim_entries(_store(settings), entries, run_id, settings)


@task(name="verify-article", task_run_name="verify {entry.url}", cache_policy=NO_CACHE, persist_result=False)
def verify_article_task(entry: FeedEntry, settings: Settings, monitor_run_id: str,
                        flow_run_id: str | None) -> ItemOutcome:
    return process_entry(entry, settings, _store(settings), monitor_run_id=monitor_run_id,
                         flow_run_id=flow_run_id)


@flow(name="monitor-feeds")
def monitor_feeds(feeds: list[str] | None = None, config: str | None = None,
                  overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Verify the articles of the feeds (default: ``sources.feeds.feeds``) not seen before."""
    logger = get_run_logger()
    settings = load_settings(config, **(overrides or {}))
    feed_urls = feeds_from_settings(settings, feeds)
    store = pipeline.open_store(settings)
    store.mark_abandoned_runs(timedelta(minutes=settings.monitor_lease_minutes))
    flow_run_id = str(flow_run.id) if flow_run.id else None
    run_id = start_monitor_run(store, feed_urls, flow_run_id=flow_run_id)
    report = MonitorReport(run_id=run_id, feeds=feed_urls)
    try:
        scan = read_feeds_task(feed_urls, settings, run_id)
        report.entries, report.feed_errors = len(scan.entries), scan.errors
        for error in scan.errors:
            logger.warning("feed failed: %s: %s", error.target, error.error)
        taken = claim_entries_task(scan.entries, run_id, settings)
        report.skipped = taken.skipped
        logger.info("%d entries, %d new, skipped %s", len(scan.entries), len(taken.claimed), taken.skipped)
        if taken.claimed:
            with task_runner_for(settings) as runner:
                futures = submit_bounded(
                    runner, verify_article_task,
                    ({"entry": e, "settings": settings, "monitor_run_id": run_id, "flow_run_id": flow_run_id}
                     for e in taken.claimed),
                    settings.monitor_concurrency)
                report.outcomes = [f.result() for f in futures]
    except BaseException as exc:
        store.finish_run(run_id, status="failed", error=f"{exc.__class__.__name__}: {exc}", stats=report.stats())
        raise
    finish_monitor_run(store, report)
    for failure in report.failures:
        logger.warning("article failed: %s: %s", failure.url, failure.error)
    create_markdown_artifact(key=SUMMARY_KEY, markdown=report.markdown(),
                             description=f"Feed monitoring run {run_id}")
    create_table_artifact(key=TABLE_KEY, table=report.table_rows(),
                          description=f"Articles taken by monitoring run {run_id}")
    logger.info("verified %d, duplicates %d, failed %d; verdicts %s", report.count("completed"),
                report.count("duplicate"), report.count("failed"), report.label_counts())
    return {"run_id": run_id, **report.stats(),
            "failures": [{"url": o.url, "error": o.error} for o in report.failures],
            "articles": [{"url": o.url, "status": o.status, "claims": o.claims, "seconds": round(o.seconds, 3),
                          "started_at": o.started_at} for o in report.outcomes]}
