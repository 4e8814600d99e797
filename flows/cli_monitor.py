"""``claims monitor`` and ``claims reverify``: one run of the scheduled flows, now.

For runs on a schedule, see ``scripts/scheduler.sh`` and prefect.yaml.
"""

from __future__ import annotations

import json
from typing import Any

import typer

from claims.store import Store
from flows.cli import app, err, out, settings
from flows.cli_core import _config_path, _quiet_prefect


def _overrides(db: Any, concurrency: int | None) -> dict[str, Any]:
    found: dict[str, Any] = {"db": str(db)}
    if concurrency is not None:
        found["monitor_concurrency"] = concurrency
    return found


@app.command()
def monitor(
    feeds: list[str] | None = typer.Argument(None, help="RSS/Atom feed URLs (default: sources.feeds.feeds)."),
    concurrency: int | None = typer.Option(None, min=1, help="Articles verified at once (monitor_concurrency)."),
    json_out: bool = typer.Option(False, "--json", help="Print the run's summary as JSON."),
) -> None:
    """Verify the feeds' articles not seen before (one monitor-feeds run); failures are listed."""
    cfg = settings()
    from claims.monitor import feeds_from_settings

    feed_urls = feeds_from_settings(cfg, feeds)  # no feeds: one-line error before any orchestration
    Store(cfg.db, lock_timeout=cfg.lock_timeout).migrate()
    _quiet_prefect()
    from flows.monitor import monitor_feeds

    config = _config_path()
    with err.status("[bold]Monitoring[/bold] feeds (loading model and orchestrator)"):
        result = monitor_feeds(feeds=feed_urls, config=str(config) if config else None,
                               overrides=_overrides(cfg.db, concurrency))
    if json_out:
        out.print_json(json.dumps(result, default=str))
        return
    labels = ", ".join(f"{n} {label}" for label, n in sorted(result["labels"].items())) or "no verdicts"
    out.print(f"{result['entries']} entries: {result['verified']} verified, {result['duplicates']} duplicates, "
              f"{result['failed']} failed, {sum(result['skipped'].values())} already known; {labels}; "
              f"run {result['run_id']}; database {cfg.db}", markup=False)
    for failure in result["failures"]:
        err.print(f"  failed: {failure['url']}: {failure['error']}", markup=False, soft_wrap=True)
    for problem in result["feed_errors"]:
        err.print(f"  feed failed: {problem}", markup=False, soft_wrap=True)


@app.command()
def reverify(
    claim_ids: list[str] | None = typer.Argument(None, help="Claim ids (default: the claims due)."),
    older_than_days: float | None = typer.Option(None, min=0, help="Verdicts older than this are due (reverify_after_days)."),
) -> None:
    """Judge open or stale claims again (one reverify-claims run); new verdict rows are appended."""
    cfg = settings()
    Store(cfg.db, lock_timeout=cfg.lock_timeout).migrate()
    _quiet_prefect()
    from flows.reverify import reverify_claims

    config = _config_path()
    with err.status("[bold]Re-verifying[/bold] (loading model and orchestrator)"):
        result = reverify_claims(claim_ids=claim_ids or None, older_than_days=older_than_days,
                                 config=str(config) if config else None, overrides={"db": str(cfg.db)})
    out.print(f"{result['claims']} claims re-checked, {result['changes']} verdicts changed; database {cfg.db}. "
              "See: claims query \"select * from verdict_changes\"", markup=False)
    for failure in result["failed_batches"]:
        err.print(f"  failed batch: {failure}", markup=False, soft_wrap=True)
