"""``claims report``, ``claims export claimreview`` and ``claims export parquet``."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer

from claims.store import Store
from flows.cli import app, err, export_app, fail, settings


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        fail(f"--since {value!r} is not a date: use YYYY-MM-DD (or YYYY-MM-DDTHH:MM)", 2)
    return None


def _store() -> Store:
    """The settings' database with current views (recreated by migrate; nothing else written)."""
    cfg = settings()
    store = Store(cfg.db, lock_timeout=cfg.lock_timeout)
    if not store.path.exists():
        fail(f"database {store.path} does not exist: run `claims check` first or set CLAIMS_DB / --db")
    store.migrate()
    return store


@app.command()
def report(
    since: Optional[str] = typer.Option(None, help="Only verdicts made on or after this date (YYYY-MM-DD)."),
    out_file: Path = typer.Option(Path("report.html"), "--out", "-o", help="HTML file to write."),
    title: str = typer.Option("Claims report", help="Title of the page."),
) -> None:
    """Write one self-contained HTML report: verdicts, evidence and charts of reported figures."""
    from claims.report.html import write_report

    start = _since(since)
    data = write_report(_store(), out_file, since=start, title=title)
    err.print(f"wrote {out_file}: {len(data.claims)} claims, {len(data.charts)} charts", markup=False, soft_wrap=True)


@export_app.command("claimreview")
def export_claimreview(
    out_file: Optional[Path] = typer.Option(None, "--out", "-o", help="JSON-LD file (default: standard output)."),
    since: Optional[str] = typer.Option(None, help="Only verdicts made on or after this date (YYYY-MM-DD)."),
    url: Optional[str] = typer.Option(None, help="Where the reviews are published (e.g. the report's URL)."),
) -> None:
    """ClaimReview JSON-LD (schema.org), one review per claim's latest verdict."""
    from claims.report.claimreview import claim_reviews, write_claim_reviews

    start = _since(since)
    cfg = settings()
    if out_file is None:
        reviews = claim_reviews(_store(), cfg.publisher_name, since=start, review_url=url)
        sys.stdout.write(json.dumps(reviews, ensure_ascii=False, indent=2) + "\n")
        return
    n = write_claim_reviews(_store(), out_file, cfg.publisher_name, since=start, review_url=url)
    err.print(f"wrote {n} ClaimReviews to {out_file}", markup=False, soft_wrap=True)


@export_app.command("parquet")
def export_parquet_command(
    folder: Path = typer.Argument(..., help="Folder to write <table>.parquet files into."),
) -> None:
    """Every table of the database as one Parquet file each."""
    from claims.store.export import export_parquet

    if folder.exists() and not folder.is_dir():
        fail(f"{folder} is a file: give a folder for the Parquet files", 2)
    counts = export_parquet(_store(), folder)
    for table, n in counts.items():
        err.print(f"{table}: {n} rows -> {folder / (table + '.parquet')}", markup=False, soft_wrap=True)
