"""``claims monitor`` and ``claims reverify``: one pass of the scheduled work, now.

As for ``claims check``: without a Prefect API the library runs the pass directly
(threads for the articles or batches); with one (``PREFECT_API_URL``) the
``monitor-feeds`` / ``reverify-claims`` flow does, visible in the Prefect UI. For runs on
a schedule, see ``scripts/scheduler.sh`` and prefect.yaml.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from claims.settings import MAX_DAYS, require_sources
from claims_cli.context import (
    CORPUS_HELP,
    PREFECT_HELP,
    Invocation,
    command_group,
    err,
    examples,
    invocation,
    out,
    progress,
)

__all__ = ["app"]

app = command_group()


def _flow_arguments(run: Invocation, concurrency: int | None = None) -> dict[str, Any]:
    """What a flow run needs to load the same settings: the file, and the flags as overrides."""
    run.quiet_prefect()
    config = run.config_file()
    overrides = run.flag_overrides()
    if concurrency is not None:
        overrides["monitor_concurrency"] = concurrency
    return {"config": str(config) if config else None, "overrides": overrides}


@app.command("monitor", epilog=examples("claims monitor https://news.example.org/rss.xml",
                                        "claims monitor --concurrency 4 --json   # the feeds of claims.toml"))
def monitor_command(
    ctx: typer.Context,
    feeds: list[str] | None = typer.Argument(None, metavar="FEED_URL", help="RSS/Atom feed URLs (default: sources.feeds.feeds)."),
    concurrency: int | None = typer.Option(None, min=1, metavar="N", help="Articles verified at once (monitor_concurrency)."),
    json_out: bool = typer.Option(False, "--json", help="Print the run's summary as JSON."),
    corpus: Path | None = typer.Option(None, "--corpus", metavar="DIR", help=CORPUS_HELP),
    prefect: bool | None = typer.Option(None, "--prefect/--no-prefect", help=PREFECT_HELP),
) -> None:
    """Verify the feeds' new articles (one monitor-feeds run).

    Articles seen before are skipped; failures are listed after the summary. A pass that
    verified no article while some failed exits with an error (its run recorded as failed)."""
    # lazy: feeds, fetching and the pipeline (0.3 s of imports) for this command only
    from claims.monitor import NothingVerifiedError, feeds_from_settings, monitor

    run = invocation(ctx)
    run.use_corpus(corpus)
    settings = run.settings(monitor_concurrency=concurrency)
    feed_urls = feeds_from_settings(settings, feeds)  # no feeds: one-line error before anything runs
    require_sources(settings)
    orchestrated = run.orchestrated(prefect)  # a Prefect API that does not answer: one line, before anything
    try:
        with progress("Monitoring feeds"):
            if orchestrated:
                # lazy: Prefect (1.5 s to import) only when a Prefect API is configured
                from flows.monitor import monitor_feeds
                from flows.secrets import feeds_through_settings

                # the feeds' credentials reach the flow run through its settings, not its parameters
                result = monitor_feeds(feeds=feeds_through_settings(feed_urls), **_flow_arguments(run, concurrency))
            else:
                result = monitor(settings, feed_urls, store=run.store()).summary()
    except NothingVerifiedError as exc:
        _print_summary(exc.report.summary(), json_out, run)  # what the pass did, then its one-line error
        raise
    _print_summary(result, json_out, run)


def _print_summary(result: dict[str, Any], json_out: bool, run: Invocation) -> None:
    """A pass's summary: JSON, or one line and its failures."""
    if json_out:
        out.print_json(json.dumps(result, default=str))
        return
    labels = ", ".join(f"{n} {label}" for label, n in sorted(result["labels"].items())) or "no verdicts"
    out.print(f"{result['entries']} entries: {result['verified']} verified, {result['duplicates']} duplicates, "
              f"{result['failed']} failed, {sum(result['skipped'].values())} already known; {labels}; "
              f"run {result['run_id']}; database {run.store_label()}", markup=False)
    for failure in result["failures"]:
        err.print(f"  failed: {failure['url']}: {failure['error']}", markup=False, soft_wrap=True)
    for problem in result["feed_errors"]:
        err.print(f"  feed failed: {problem}", markup=False, soft_wrap=True)


@app.command("reverify", epilog=examples("claims reverify", "claims reverify --older-than-days 7",
                                         "claims reverify CLAIM_ID CLAIM_ID"))
def reverify_command(
    ctx: typer.Context,
    claim_ids: list[str] | None = typer.Argument(None, metavar="CLAIM_ID", help="Claim ids (default: the claims due)."),
    older_than_days: float | None = typer.Option(None, min=0, max=MAX_DAYS, metavar="DAYS",
                                                 help="Verdicts older than this are due (reverify_after_days)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List the claims that would be judged again (id, "
                                 "current label, claim) and judge none."),
    corpus: Path | None = typer.Option(None, "--corpus", metavar="DIR", help=CORPUS_HELP),
    prefect: bool | None = typer.Option(None, "--prefect/--no-prefect", help=PREFECT_HELP),
) -> None:
    """Judge open or stale claims again (one reverify-claims run).

    New verdict rows are appended; the old ones stay (see the verdict_changes view)."""
    # lazy: the pipeline (0.3 s of imports) for this command only
    from claims.reverify import reverify_due

    run = invocation(ctx)
    run.use_corpus(corpus)
    settings = run.settings()
    if dry_run:
        _print_due(run, claim_ids, older_than_days)
        return
    require_sources(settings)
    orchestrated = run.orchestrated(prefect)  # a Prefect API that does not answer: one line, before anything
    with progress("Re-verifying"):
        if orchestrated:
            # lazy: Prefect (1.5 s to import) only when a Prefect API is configured
            from flows.reverify import reverify_claims

            result = reverify_claims(claim_ids=claim_ids or None, older_than_days=older_than_days,
                                     **_flow_arguments(run))
        else:
            result = reverify_due(settings, claim_ids or None, older_than_days=older_than_days,
                                  store=run.store()).summary()
    out.print(f"{result['claims']} claims re-checked, {result['changes']} verdicts changed; database {run.store_label()}. "
              "See: claims query \"select * from verdict_changes\"", markup=False)
    for failure in result["failed_batches"]:
        err.print(f"  failed batch: {failure}", markup=False, soft_wrap=True)


def _print_due(run: Invocation, claim_ids: list[str] | None, older_than_days: float | None) -> None:
    """``reverify --dry-run``: the claims a pass would judge again, nothing judged or written."""
    # lazy: the pipeline (0.3 s of imports) for this command only
    from rich.table import Table
    from rich.text import Text

    from claims.reverify import claims_to_reverify

    store = run.store(must_exist=True)
    ids = list(claim_ids) if claim_ids else claims_to_reverify(store, run.settings(), older_than_days=older_than_days)
    table = Table(show_lines=False, expand=False)
    for name, width in (("claim_id", None), ("label", None), ("claim", 80)):
        table.add_column(name, max_width=width, overflow="fold", no_wrap=width is None)
    texts = {claim.id: claim.text for claim in store.load_claims(ids)}
    for claim_id in ids:
        row, _ = store.claim_rows(claim_id)
        label = (row or {}).get("label") or ("not judged" if claim_id in texts else "no such claim")
        table.add_row(claim_id, label, Text(texts.get(claim_id, "")))
    out.print(table)
    out.print(f"{len(ids)} claim{'' if len(ids) == 1 else 's'} would be re-checked (dry run: nothing judged); "
              f"database {run.store_label()}",
              markup=False, highlight=False)
