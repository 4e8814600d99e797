"""``claims report`` (one self-contained HTML file) and the ``claims export`` group
(``claimreview``: schema.org ClaimReview JSON-LD; ``parquet``: every table)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from claims_cli.context import Invocation, command_group, err, examples, fail, invocation
from claims_cli.numbers import counted

if TYPE_CHECKING:
    from claims.store import Store

__all__ = ["app", "export_app"]

app = command_group()
export_app = command_group(no_args_is_help=True, help="Export results in standard formats.")
app.add_typer(export_app, name="export")


def _reading_store(run: Invocation, at: int | None = None) -> Store:
    """The store for a command that only reads it (report, export): opened read-only, so the
    file is not rewritten and no write lock is taken, when its migrations and views are
    current; one written by an older claims is migrated first, once."""
    if at is not None:
        return run.read_only_store(at)
    settings = run.settings()
    if not settings.store and not settings.db.exists():
        fail(f"database {settings.db} does not exist: run `claims check` first or set CLAIMS_DB / --db")
    store = run.read_only_store()
    if not store.up_to_date():
        return run.store(must_exist=True)
    check = getattr(store, "check_integrity", None)  # a DuckDB file's (a lake has its catalog)
    if check is not None:
        check()  # a truncated or damaged file: one line, as for a command that writes
    return store


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        fail(f"--since {value!r} is not a date: use YYYY-MM-DD (or YYYY-MM-DDTHH:MM)", 2)
    return None


def _snapshot(at: int | None) -> int | None:
    if at is not None and at < 0:
        fail(f"--at {at} is not a snapshot: snapshots are numbered from 0 (claims lake snapshots lists them)", 2)
    return at


@app.command(epilog=examples("claims report                      # out/report.html",
                             "claims report --out report.html",
                             "claims report --since 2024-11-01 --title 'November claims'",
                             "claims report --at 42 --out before.html"))
def report(
    ctx: typer.Context,
    since: str | None = typer.Option(None, metavar="DATE", help="Only verdicts made on or after this date (YYYY-MM-DD)."),
    out_file: Path = typer.Option(Path("out/report.html"), "--out", "-o", metavar="FILE", help="HTML file to write "
                                  "(default: out/report.html, the folder made when missing)."),
    title: str = typer.Option("Claims report", metavar="TEXT", help="Title of the page."),
    at: int | None = typer.Option(None, "--at", metavar="SNAPSHOT", help="A DuckLake store as it was at this "
                                  "snapshot (claims lake snapshots lists them)."),
) -> None:
    """Write one self-contained HTML report.

    The report holds every claim's latest verdict, its evidence and charts of the figures
    sources reported."""
    # lazy: the report and the store's modules (DuckDB: 0.3 s) when this command runs, not for every command
    from claims.report.html import write_report
    from claims.store.outputs import check_output_path

    start, at = _since(since), _snapshot(at)
    run = invocation(ctx)
    check_output_path(out_file, run.read_only_store(at))  # before the store is opened
    store = _reading_store(run, at)
    data = write_report(store, out_file, since=start, title=title)
    err.print(f"wrote {out_file}: {counted(len(data.claims), 'claim')}, {counted(len(data.charts), 'chart')}",
              markup=False, soft_wrap=True)


@export_app.command("claimreview", epilog=examples(
    "claims export claimreview --out reviews.jsonld --url https://facts.example/report.html"))
def export_claimreview(
    ctx: typer.Context,
    out_file: Path | None = typer.Option(None, "--out", "-o", metavar="FILE", help="JSON-LD file (default: standard output)."),
    since: str | None = typer.Option(None, metavar="DATE", help="Only verdicts made on or after this date (YYYY-MM-DD)."),
    url: str | None = typer.Option(None, metavar="URL", help="Where the reviews are published (e.g. the report's URL)."),
) -> None:
    """ClaimReview JSON-LD (schema.org) of the latest verdicts.

    One review per claim, from its latest verdict; the claim's date and where it appeared
    only when known."""
    # lazy: as in report()
    from claims.report.claimreview import claim_reviews, claim_reviews_json, write_claim_reviews
    from claims.store.outputs import check_output_path

    start = _since(since)
    run = invocation(ctx)
    if out_file is not None:
        check_output_path(out_file, run.read_only_store())  # before the store is opened
    store, publisher = _reading_store(run), run.settings().publisher_name
    if out_file is None:
        reviews = claim_reviews(store, publisher, since=start, review_url=url)
        sys.stdout.write(claim_reviews_json(reviews))
        return
    n = write_claim_reviews(store, out_file, publisher, since=start, review_url=url)
    err.print(f"wrote {n} ClaimReviews to {out_file}", markup=False, soft_wrap=True)


@export_app.command("parquet", epilog=examples("claims export parquet backup/"))
def export_parquet_command(
    ctx: typer.Context,
    folder: Path = typer.Argument(..., metavar="DIR", help="Folder to write <table>.parquet files into."),
) -> None:
    """Every table of the database as one Parquet file each."""
    from claims.store.export import export_parquet  # lazy: as in report()

    if folder.exists() and not folder.is_dir():
        fail(f"{folder} is a file: give a folder for the Parquet files", 2)
    counts = export_parquet(_reading_store(invocation(ctx)), folder)
    for table, n in counts.items():
        err.print(f"{table}: {counted(n, 'row')} -> {folder / (table + '.parquet')}", markup=False, soft_wrap=True)
