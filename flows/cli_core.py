"""``claims check`` and ``claims query``."""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional

import typer
from rich.table import Table

from claims.errors import InputError
from claims.ingest import is_url, read_input
from claims.store import Store, run_user_query
from flows.cli import app, err, fail, out, settings


def _quiet_prefect() -> None:
    """Prefect's own console logs would bury the one-line errors and the table (-v shows them)."""
    from flows.cli import _State

    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if _State.verbose else "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    if not _State.verbose:
        for name in ("prefect", "prefect.flow_runs", "prefect.task_runs"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


class _ProgressHandler(logging.Handler):
    """Shows the pipeline's stage messages in the CLI's status line."""

    def __init__(self, status: Any) -> None:
        super().__init__(logging.INFO)
        self.status = status

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.status.update(f"[bold]Verifying[/bold] {record.getMessage()}")
        except Exception:  # noqa: BLE001 - progress display must never break a run
            pass


@app.command()
def check(
    source: str = typer.Argument(..., help="Article: a text file, an http(s) URL, or - for standard input."),
    title: Optional[str] = typer.Option(None, help="Title of the article (overrides front matter)."),
    outlet: Optional[str] = typer.Option(None, help="Outlet that published it."),
    published: Optional[str] = typer.Option(None, help="Publication date, YYYY-MM-DD (the claims' date)."),
    json_out: bool = typer.Option(False, "--json", help="Print the verdicts as JSON instead of a table."),
) -> None:
    """Verify the check-worthy claims of one article and print the verdict table."""
    cfg = settings()
    meta = {k: v for k, v in {"title": title, "outlet": outlet, "published": published}.items() if v}
    if published:
        try:
            date.fromisoformat(published)
        except ValueError:
            fail(f"--published {published!r} is not a date: use YYYY-MM-DD", 2)
    text: str | None = None
    if source != "-" and not is_url(source):
        read_input(source, cfg, **meta)  # fail fast, before any orchestration, on unusable files
    elif source == "-":
        data = sys.stdin.buffer.read(cfg.max_input_bytes + 1)
        if len(data) > cfg.max_input_bytes:
            fail(f"standard input is over the {cfg.max_input_bytes / 1e6:.1f} MB limit: split it or raise max_input_bytes")
        text = read_input("-", cfg, stdin_text=_decode_stdin(data), **meta).text
    else:
        import asyncio

        from claims.sources.safety import resolve_and_check

        # refused URLs (scheme, non-public host) end here, before any request is sent
        asyncio.run(resolve_and_check(source, cfg.http.allow_private_hosts, timeout=cfg.http.connect_timeout))
    Store(cfg.db, lock_timeout=cfg.lock_timeout).migrate()  # schema errors before the flow starts

    _quiet_prefect()
    from flows.verify import verdict_rows, verify_document

    overrides = {"db": str(cfg.db)}
    handler: logging.Handler | None = None
    with err.status("[bold]Verifying[/bold] starting (loading model and orchestrator)") as status:
        handler = _ProgressHandler(status)
        pipeline_log = logging.getLogger("claims.pipeline")
        pipeline_log.addHandler(handler)
        pipeline_log.setLevel(logging.INFO)
        try:
            report = verify_document(source, text=text, config=str(_config_path()) if _config_path() else None,
                                     overrides=overrides, **meta)
        finally:
            pipeline_log.removeHandler(handler)
    rows = verdict_rows(report)
    if json_out:
        out.print_json(json.dumps({"run_id": report.run_id, "verdicts": rows,
                                   "failed_sources": [e.__dict__ for e in report.errors]}, default=str))
    else:
        _print_verdicts(rows)
        counts = report.label_counts()
        summary = ", ".join(f"{n} {label}" for label, n in sorted(counts.items()))
        out.print(f"{len(report.claims)} claims checked ({summary or 'none'}); run {report.run_id}; database {cfg.db}")
    if report.errors:
        backends = sorted({e.backend for e in report.errors})
        err.print(f"Warning: {len(report.errors)} source fetches failed ({', '.join(backends)}); "
                  "verdicts use the sources that answered:", markup=False)
        for e in report.errors[:10]:
            err.print(f"  - {e.backend}: {e.target}: {e.error}", markup=False, soft_wrap=True)


def _config_path() -> Path | None:
    from flows.cli import _State

    return _State.config or (Path(os.environ["CLAIMS_CONFIG"]) if os.environ.get("CLAIMS_CONFIG") else None)


def _decode_stdin(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise InputError("standard input looks binary (it contains NUL bytes): pipe a UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"standard input is not UTF-8 (byte {exc.start}): convert it, e.g. iconv -t UTF-8") from None


_COLOURS = {"supported": "green", "refuted": "red", "conflicting": "yellow", "not_enough_evidence": "dim"}


def _print_verdicts(rows: list[dict[str, Any]]) -> None:
    table = Table(show_lines=True, expand=False)
    table.add_column("claim", max_width=70, overflow="fold")
    table.add_column("verdict", no_wrap=True)
    table.add_column("conf.", justify="right", no_wrap=True)
    table.add_column("best source", max_width=36, overflow="fold")
    for r in rows:
        colour = _COLOURS.get(r["verdict"], "white")
        conf = "" if r["confidence"] is None else f"{r['confidence']:.2f}"
        table.add_row(r["claim"], f"[{colour}]{r['verdict']}[/{colour}]", conf, r["best_source"])
    out.print(table)


# -- query -------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _cell(value: Any, width: int = 60) -> str:
    """One value as table text: lists joined, times to the second, long text cut at four
    lines of ``width`` characters."""
    if value is None:
        return ""
    if isinstance(value, float):
        # 4 significant digits, but figures print whole: 10,000 soldiers, not 1e+04
        return f"{value:,.0f}" if math.isfinite(value) and abs(value) >= 1000 else f"{value:.4g}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (list, tuple)):
        if len(value) > 8 and all(isinstance(v, (int, float)) for v in value):
            return f"[{len(value)} values]"
        return ", ".join(_cell(v, width) for v in value)
    text = str(value)
    limit = 4 * width
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _query_table(columns: list[str], rows: list[tuple[Any, ...]], width: int) -> tuple[Table, int]:
    """A table whose short columns (labels, ids, numbers, dates) never wrap and whose long
    text columns wrap at ``width`` characters; returns it with the width it needs."""
    cells = [[_cell(v, width) for v in row] for row in rows]
    table = Table(show_lines=False)
    needed = 1
    for i, column in enumerate(columns):
        natural = max([len(column)] + [max(len(line) for line in r[i].splitlines() or [""]) for r in cells])
        numeric = bool(rows) and all(isinstance(r[i], (int, float)) or r[i] is None for r in rows)
        justify = "right" if numeric else "left"
        if natural <= width:
            table.add_column(column, no_wrap=True, min_width=natural, justify=justify)
        else:
            table.add_column(column, overflow="fold", max_width=width, justify=justify)
        needed += min(natural, width) + 3
    for r in cells:
        table.add_row(*r)
    return table, needed


def _parse_params(params: list[str]) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for item in params:
        if "=" not in item:
            fail(f"--param {item!r} is not NAME=VALUE: write e.g. --param claim=abc123", 2)
        name, value = item.split("=", 1)
        parsed[name.strip()] = value
    return parsed


@app.command()
def query(
    sql: str = typer.Argument(..., help="One SQL statement (read-only)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv, json or parquet."),
    param: list[str] = typer.Option([], "--param", "-p", help="Bound parameter NAME=VALUE, used as $NAME in the SQL."),
    out_file: Optional[Path] = typer.Option(None, "--out", "-o", help="Output file (required for parquet)."),
    width: int = typer.Option(60, help="Widest column in table format (characters)."),
) -> None:
    """Run a read-only SQL query on the verdict database and print the rows."""
    if fmt not in {"table", "csv", "json", "parquet"}:
        fail(f"unknown --format {fmt!r}: use table, csv, json or parquet", 2)
    cfg = settings()
    store = Store(cfg.db, lock_timeout=cfg.lock_timeout)
    params = _parse_params(param)
    if fmt == "parquet":
        if out_file is None:
            fail("--format parquet needs --out FILE.parquet", 2)
        from claims.store.export import query_to_parquet

        n = query_to_parquet(store, sql, out_file, params)
        err.print(f"wrote {n} rows to {out_file}", markup=False)
        return
    result = run_user_query(store, sql, params)
    if fmt == "json":
        text = json.dumps([{c: _jsonable(v) for c, v in zip(result.columns, row)} for row in result.rows],
                          ensure_ascii=False, indent=2)
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(result.columns)
        for row in result.rows:
            writer.writerow(["" if v is None else json.dumps(_jsonable(v)) if isinstance(v, (list, dict)) else _jsonable(v)
                             for v in row])
        text = buffer.getvalue().rstrip("\n")
    else:
        table, needed = _query_table(result.columns, result.rows, width)
        from rich.console import Console

        if out_file is None:
            # a terminal wraps the table to its width; a pipe or file gets all it needs
            console = out if out.is_terminal else Console(width=min(needed, 400), soft_wrap=False)
            console.print(table)
            err.print(f"{len(result.rows)} rows", markup=False)
            return
        buffer_console = Console(file=io.StringIO(), width=min(needed, 400))
        buffer_console.print(table)
        text = buffer_console.file.getvalue()  # type: ignore[attr-defined]
    if out_file is not None:
        out_file.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")


@app.command()
def search(
    text: list[str] = typer.Argument(..., help="One or more texts (claims) to find evidence for."),
    k: int = typer.Option(10, "--k", "-k", help="Passages per text."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Find the stored passages most similar to a text, across the whole database
    (the vector index beside the database is built or brought up to date first)."""
    from claims.pipeline import embedder_for
    from claims.search import search_store

    cfg = settings()
    store = Store(cfg.db, lock_timeout=cfg.lock_timeout)
    if not cfg.db.exists():
        fail(f"database {cfg.db} does not exist: run `claims check` first or set CLAIMS_DB")
    store.migrate()
    hits = search_store(store, embedder_for(cfg), text, k)
    if json_out:
        sys.stdout.write(json.dumps([{**h.__dict__, "published_at": _jsonable(h.published_at)} for h in hits],
                                    ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(show_lines=True)
    for column, opts in (("rank", {"justify": "right"}), ("score", {"justify": "right"}),
                         ("passage", {"max_width": 90, "overflow": "fold"}), ("source", {"max_width": 30})):
        table.add_column(column, **opts)
    for h in hits:
        when = f" ({h.published_at:%Y-%m-%d})" if h.published_at else ""
        table.add_row(str(h.rank), f"{h.score:.3f}", h.text, f"{h.outlet or h.url or ''}{when}")
    out.print(table)
