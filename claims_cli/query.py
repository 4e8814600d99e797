"""``claims query`` (users' read-only SQL, as a table, CSV, JSON or Parquet) and ``claims
search`` (whole-store retrieval through the vector index beside the database)."""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import typer
from rich.console import Console, JustifyMethod
from rich.table import Table
from rich.text import Text

from claims.embed import embedder_for
from claims.models import clean_text
from claims.search import search_store
from claims.store import QueryResult, run_user_query
from claims.store.export import query_to_parquet
from claims.store.outputs import check_output_path
from claims.store.queries import QueryLimits
from claims_cli.context import command_group, err, examples, fail, invocation, out
from claims_cli.numbers import number

__all__ = ["app", "jsonable"]

app = command_group()


def jsonable(value: Any) -> Any:
    """``value`` as JSON can hold it: times as ISO text, decimals as numbers, bytes as hex,
    and non-finite floats (inf, -inf, nan: not JSON) as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return jsonable(float(value))
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def _json(value: Any) -> str:
    """``value`` as strict JSON (``allow_nan=False``: no ``Infinity`` or ``NaN`` tokens)."""
    return json.dumps(jsonable(value), ensure_ascii=False, indent=2, allow_nan=False)


def _cell(value: Any, width: int = 60) -> str:
    """One value as table text: lists joined, times to the second, long text cut at four
    lines of ``width`` characters."""
    if value is None:
        return ""
    if isinstance(value, float):
        return number(value)  # as the check table prints it: 0.20, 10,000
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (list, tuple)):
        if len(value) > 8 and all(isinstance(v, (int, float)) for v in value):
            return f"[{len(value)} values]"
        return ", ".join(_cell(v, width) for v in value)
    text = clean_text(str(value))  # no escape sequences from the data reach the terminal
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
        justify: JustifyMethod = "right" if numeric else "left"
        if natural <= width:
            table.add_column(column, no_wrap=True, min_width=natural, justify=justify)
        else:
            table.add_column(column, overflow="fold", max_width=width, justify=justify)
        needed += min(natural, width) + 3
    for r in cells:
        table.add_row(*(Text(c) for c in r))  # Text, not markup: "[/b]" in the data prints as written
    return table, needed


def _parse_params(params: list[str]) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for item in params:
        if "=" not in item:
            fail(f"--param {item!r} is not NAME=VALUE: write e.g. --param claim=abc123", 2)
        name, value = item.split("=", 1)
        name = name.strip()
        if name in parsed:
            fail(f"--param {name} is given twice ({parsed[name]!r} and {value!r}): give each name once "
                 "(for several values, use several names: --param a=1 --param b=2)", 2)
        parsed[name] = value
    return parsed


def _allowed_reads(paths: list[Path]) -> tuple[Path, ...]:
    for path in paths:
        if not path.exists():
            fail(f"--allow-read {path} does not exist: name an existing file or folder", 2)
    return tuple(paths)


@app.command(epilog=examples(
    'claims query "select claim, label, confidence from latest_verdicts"',
    "claims query \"select * from claims where id = \\$id\" --param id=abc123",
    'claims query "select * from verdicts" --format csv --out verdicts.csv',
    'claims query "select * from verdicts" --format parquet --out verdicts.parquet',
    'claims query "select claim, label from latest_verdicts" --at 42'))
def query(
    ctx: typer.Context,
    sql: str = typer.Argument(..., metavar="SQL", help="One SQL statement (read-only)."),
    fmt: str = typer.Option("table", "--format", "-f", metavar="FORMAT", help="table, csv, json or parquet."),
    param: list[str] = typer.Option([], "--param", "-p", metavar="NAME=VALUE", help="Bound parameter NAME=VALUE, used as $NAME in the SQL."),
    out_file: Path | None = typer.Option(None, "--out", "-o", metavar="FILE", help="Output file (required for parquet)."),
    width: int = typer.Option(60, metavar="N", help="Widest column in table format (characters)."),
    allow_read: list[Path] = typer.Option(
        [], "--allow-read", metavar="PATH", help="A file or folder the query may read besides the database (e.g. with "
        "read_parquet); repeat for several. Without it, the query reads the database only."),
    at: int | None = typer.Option(None, "--at", metavar="SNAPSHOT", help="Read a DuckLake store as it was at this "
                                  "snapshot (claims lake snapshots lists them)."),
) -> None:
    """Run one read-only SQL statement and print the rows.

    The statement (SELECT or EXPLAIN) runs on the verdict database in a sandbox: it cannot change the database, write or read other
    files (unless --allow-read names them), reach the network, or install or load extensions. It stops on Ctrl-C and at
    the query_timeout_seconds and query_memory_limit settings."""
    if fmt not in {"table", "csv", "json", "parquet"}:
        fail(f"unknown --format {fmt!r}: use table, csv, json or parquet", 2)
    params = _parse_params(param)
    readable = _allowed_reads(allow_read)
    run = invocation(ctx)
    store = run.read_only_store(at)
    if out_file is not None:
        check_output_path(out_file, store)
    limits = QueryLimits.from_settings(run.settings())
    try:
        if fmt == "parquet":
            if out_file is None:
                fail("--format parquet needs --out FILE.parquet", 2)
            n = query_to_parquet(store, sql, out_file, params, allow_read=readable, limits=limits)
            err.print(f"wrote {n} rows to {out_file}", markup=False)
            return
        result = run_user_query(store, sql, params, allow_read=readable, limits=limits)
    except KeyboardInterrupt:
        fail("claims query was stopped (Ctrl-C); the database was only read", 130)
    _print_rows(result, fmt, width, out_file)


def _csv_cell(value: Any) -> Any:
    """One CSV cell: NULL empty, lists and structs as JSON (a non-finite float in one as
    null), a float as Python and DuckDB write and read it (``inf``, ``-inf``, ``nan``)."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(jsonable(value), allow_nan=False)
    return value if isinstance(value, float) else jsonable(value)


def _csv(result: QueryResult) -> str:
    """The rows as CSV, with a header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return buffer.getvalue().rstrip("\n")


def _print_rows(result: QueryResult, fmt: str, width: int, out_file: Path | None) -> None:
    """The rows in ``fmt`` (table, csv or json), on standard output or into ``out_file``."""
    if fmt == "json":
        text = _json([dict(zip(result.columns, row)) for row in result.rows])
    elif fmt == "csv":
        text = _csv(result)
    else:
        table, needed = _query_table(result.columns, result.rows, width)
        if out_file is None:
            # a terminal wraps the table to its width; a pipe or file gets all it needs
            console = out if out.is_terminal else Console(width=min(needed, 400), soft_wrap=False)
            console.print(table)
            err.print(f"{len(result.rows)} rows", markup=False)
            return
        buffer_console = Console(file=io.StringIO(), width=min(needed, 400))
        buffer_console.print(table)
        text = buffer_console.file.getvalue()  # type: ignore[attr-defined]  # rich types .file as IO[str]
    if out_file is None:
        sys.stdout.write(text + "\n")
        return
    try:
        out_file.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {out_file} ({exc.strerror}): name a file in a folder you can write to")


@app.command(epilog=examples('claims search "8,000 North Korean soldiers in Kursk" -k 5',
                             'claims search "first claim" "second claim" --json'))
def search(
    ctx: typer.Context,
    text: list[str] = typer.Argument(..., metavar="TEXT", help="One or more texts (claims) to find evidence for."),
    k: int = typer.Option(10, "-k", "--top", metavar="N", help="Hits per text."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Find the stored statements that best match a text.

    The whole database is searched: passages near the text by embedding (through the vector
    index beside the database, brought up to date first), their sentences ranked by
    embeddings and BM25 together, those stating the text's figures first. A story
    reprinted by several outlets is one hit listing its outlets."""
    run = invocation(ctx)
    hits = search_store(run.store(must_exist=True), embedder_for(run.settings()), text, k)
    if json_out:
        sys.stdout.write(json.dumps([{**h.__dict__, "published_at": jsonable(h.published_at),
                                      "outlets": list(h.outlets)} for h in hits],
                                    ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(show_lines=True)
    for column, opts in (("rank", {"justify": "right"}), ("score", {"justify": "right"}),
                         ("statement", {"max_width": 90, "overflow": "fold"}), ("sources", {"max_width": 36})):
        table.add_column(column, **opts)
    for h in hits:
        when = f" ({h.published_at:%Y-%m-%d})" if h.published_at else ""
        sources = ", ".join(h.outlets) or h.url or ""
        table.add_row(str(h.rank), number(h.score), Text(clean_text(h.text)), Text(f"{sources}{when}"))
    out.print(table)
