"""``claims query`` (users' read-only SQL, from the command line, a file or standard input,
as a table, one record at a time, CSV, JSON or Parquet) and ``claims search`` (whole-store
retrieval through the vector index beside the database).

A table never hides a column: when its rows are wider than the terminal (or than
:data:`PIPE_WIDTH` columns in a pipe or a file), the rows are printed one record at a
time, a field on each line beside its value (psql's expanded mode), long values wrapped.
A value too long for a cell is cut, and says so: it ends ``… [+N chars]`` (the whole value:
``--format csv|tsv|json``).

Output is bounded like the statement: rows are streamed from DuckDB in batches and written
as they come (csv, tsv, json, markdown), held to ``query_timeout_seconds`` and to
``query_output_limit`` bytes; a table (or its records) shows at most :data:`TABLE_ROWS`
rows, saying so when there were more, and cuts column names past :data:`HEADER_CHARS`.
``-f FILE`` reads a regular file only, of at most ``max_input_bytes`` (as an article)."""

from __future__ import annotations

import csv
import io
import json
import math
import stat
import sys
import textwrap
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import typer
from rich import box
from rich.console import Console, Group, JustifyMethod, RenderableType
from rich.table import Table
from rich.text import Text

from claims.models import clean_text
from claims_cli.context import command_group, err, examples, fail, invocation, out
from claims_cli.numbers import counted, number
from claims_cli.search_cmd import hits_table, search_queries

if TYPE_CHECKING:
    from claims.store import QueryResult
    from claims.store.connection import Database
    from claims.store.queries import QueryLimits

__all__ = ["PIPE_WIDTH", "app", "jsonable"]

app = command_group()

FORMATS = ("table", "csv", "tsv", "json", "markdown", "parquet")
STREAMED = ("csv", "tsv", "json", "markdown")  # written row batch by row batch
TABLE_ROWS = 10_000  # the most rows shown as a table or records; more: --format csv|tsv|json|markdown
HEADER_CHARS = 80  # a column name longer than this is cut in a table or a record
PIPE_WIDTH = 400  # the widest table written to a pipe or a file; wider rows go one record at a time
RECORD_WIDTH = 160  # the width of records written to a pipe or a file
RECORD_LINES = 20  # a value in a record is cut after this many lines (the table's cells after 4)


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


def _cell(value: Any, width: int = 60, lines: int = 4) -> str:
    """One value as table text: lists joined, times to the second, long text cut at
    ``lines`` lines of ``width`` characters."""
    if value is None:
        return ""
    if isinstance(value, float):
        return number(value)  # as the check table prints it: 0.20, 10,000
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (list, tuple)):
        if len(value) > 8 and all(isinstance(v, (int, float)) for v in value):
            return f"[{len(value)} values]"
        return ", ".join(_cell(v, width, lines) for v in value)
    text = clean_text(str(value))  # no escape sequences from the data reach the terminal
    limit = lines * width
    if len(text) <= limit:
        return text
    kept = text[: max(1, limit - 20)]
    return f"{kept}… [+{len(text) - len(kept):,} chars]"  # the cut said in the cell


def _header(column: str) -> str:
    """A column's name as a table or a record shows it: cut past :data:`HEADER_CHARS`."""
    name = clean_text(column)
    return name if len(name) <= HEADER_CHARS else name[: HEADER_CHARS - 1] + "…"


def _query_table(columns: list[str], rows: list[tuple[Any, ...]], width: int) -> tuple[Table, int]:
    """A table whose short columns (labels, ids, numbers, dates) never wrap and whose long
    text columns wrap at ``width`` characters; returns it with the width it needs."""
    cells = [[_cell(v, width) for v in row] for row in rows]
    table = Table(show_lines=False)
    needed = 1
    for i, column in enumerate(map(_header, columns)):
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


def _rendered(shown: RenderableType, width: int) -> str:
    """``shown`` as plain text ``width`` columns wide, without the spaces that pad its lines."""
    console = Console(file=io.StringIO(), width=width, soft_wrap=False)
    console.print(shown)
    text: str = console.file.getvalue()  # type: ignore[attr-defined]  # rich types .file as IO[str]
    return "\n".join(line.rstrip() for line in text.splitlines())


def _records(columns: list[str], rows: list[tuple[Any, ...]], width: int) -> str:
    """The rows one record at a time, as psql's expanded mode prints them: a ``-[ RECORD n ]``
    line, then each field's name beside its value, values wrapped to what ``width`` leaves."""
    columns = [_header(c) for c in columns]
    if not rows:
        return f"(no rows; columns: {', '.join(columns)})"
    room = max(20, width - max(len(c) for c in columns) - 3)
    parts: list[RenderableType] = []
    for n, row in enumerate(rows, start=1):
        title = f"-[ RECORD {n} ]"
        parts.append(Text(title + "-" * max(0, min(width, 60) - len(title))))
        record = Table(box=box.MINIMAL, show_header=False, show_edge=False, pad_edge=False)
        record.add_column(no_wrap=True)
        record.add_column(overflow="fold")
        for column, value in zip(columns, row):
            record.add_row(Text(column), Text(_cell(value, room, RECORD_LINES)))
        parts.append(record)
    return _rendered(Group(*parts), width)


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


def _read_sql(sql: str | None, sql_file: str | None, max_bytes: int) -> str:
    """The statement: the argument, or read from ``-f FILE``, or from standard input (``-``
    as either), as written (comments and line breaks kept; a UTF-8 byte order mark left
    out), at most ``max_bytes`` long."""
    if sql is not None and sql_file is not None:
        fail("give the SQL once: as the argument or with -f FILE, not both", 2)
    if sql is None and sql_file is None:
        fail('give the SQL: claims query "select ...", claims query -f FILE.sql, or - to read standard input', 2)
    source = sql_file if sql_file is not None else sql
    if source == "-":
        text, where = _decoded(sys.stdin.buffer.read(max_bytes + 1), "standard input", max_bytes), "standard input"
    elif sql_file is not None:
        text, where = _read_sql_file(Path(sql_file), max_bytes), sql_file
    else:
        return str(sql)
    if not text.strip():
        fail(f"no SQL in {where}: give one statement", 2)
    return text


def _decoded(data: bytes, where: str, max_bytes: int) -> str:
    """SQL read from ``where`` as text (UTF-8, a byte order mark left out), or a one-line error."""
    if len(data) > max_bytes:
        fail(f"{where} holds more than {max_bytes:,} bytes (max_input_bytes): give one SQL statement", 2)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        fail(f"{where} is not UTF-8 text: give one SQL statement", 2)
    return ""


def _read_sql_file(path: Path, max_bytes: int) -> str:
    """The text of the SQL file ``path`` (UTF-8, at most ``max_bytes``), or a one-line error.
    Only a regular file is read: a device (/dev/zero), a FIFO (which would wait forever for
    a writer) or a folder is refused before it is opened."""
    try:
        kind = path.stat().st_mode
        if stat.S_ISDIR(kind):
            fail(f"-f {path} is a folder: give a file holding one SQL statement", 2)
        if not stat.S_ISREG(kind):
            fail(f"-f {path} is not a regular file (a device, a pipe or a socket): give a file holding one SQL "
                 "statement, or - to read standard input", 2)
        with path.open("rb") as handle:
            return _decoded(handle.read(max_bytes + 1), f"-f {path}", max_bytes)
    except FileNotFoundError:
        hint = f"; for the output format write --format {path}" if str(path) in FORMATS else ""
        fail(f"-f {path}: no such SQL file (-f reads the statement from a file){hint}", 2)
    except IsADirectoryError:
        fail(f"-f {path} is a folder: give a file holding one SQL statement", 2)
    except UnicodeDecodeError:
        fail(f"-f {path} is not UTF-8 text: give a file holding one SQL statement", 2)
    except OSError as exc:
        fail(f"cannot read -f {path} ({exc.strerror})", 2)
    return ""


@app.command(epilog=examples(
    'claims query "select claim, label, confidence from latest_verdicts"',
    "claims query \"select * from claims where id = \\$id\" --param id=abc123",
    "claims query -f question.sql                     # comments and line breaks as written",
    "claims query - < question.sql",
    "claims query \"select * from latest_verdicts\" --expanded   # one record at a time",
    'claims query "select * from verdicts" --format csv --out verdicts.csv',
    'claims query "select * from verdicts" --format parquet --out verdicts.parquet',
    'claims query "select claim, label from latest_verdicts" --at 42'))
def query(
    ctx: typer.Context,
    sql: str | None = typer.Argument(None, metavar="SQL", help="One SQL statement (read-only); - reads it from "
                                     "standard input."),
    sql_file: str | None = typer.Option(None, "--file", "-f", metavar="FILE", help="Read the statement from FILE "
                                        "(- : standard input), comments and line breaks as written."),
    fmt: str = typer.Option("table", "--format", metavar="FORMAT", help="table, csv, tsv, json, markdown or parquet."),
    param: list[str] = typer.Option([], "--param", "-p", metavar="NAME=VALUE", help="Bound parameter NAME=VALUE, used as $NAME in the SQL."),
    out_file: Path | None = typer.Option(None, "--out", "-o", metavar="FILE", help="Output file (required for parquet)."),
    width: int = typer.Option(60, metavar="N", help="Widest column in table format (characters)."),
    expanded: bool | None = typer.Option(None, "--expanded/--no-expanded", help="One record at a time, each field "
                                         "beside its value (default: when the table is wider than the terminal); "
                                         "--no-expanded: a table, however wide."),
    allow_read: list[Path] = typer.Option(
        [], "--allow-read", metavar="PATH", help="A file or folder the query may read besides the database (e.g. with "
        "read_parquet); repeat for several. Without it, the query reads the database only."),
    at: int | None = typer.Option(None, "--at", metavar="SNAPSHOT", help="Read a DuckLake store as it was at this "
                                  "snapshot (claims lake snapshots lists them)."),
) -> None:
    """Run one read-only SQL statement and print the rows.

    The statement (SELECT or EXPLAIN) runs on the verdict database in a sandbox: it cannot change the database, write or read other
    files (unless --allow-read names them), reach the network, or install or load extensions. It stops on Ctrl-C and at
    the query_timeout_seconds and query_memory_limit settings. A table never hides a column: rows wider than the
    terminal are printed one record at a time."""
    if fmt not in FORMATS:
        fail(f"unknown --format {fmt!r}: use {', '.join(FORMATS[:-1])} or parquet", 2)
    if expanded and fmt != "table":
        fail(f"--expanded is a way to print a table: leave it out with --format {fmt}", 2)
    if at is not None and at < 0:
        fail(f"--at {at} is not a snapshot: snapshots are numbered from 0 (claims lake snapshots lists them)", 2)
    # lazy: the store's modules (DuckDB, numpy: 0.3 s) when a statement runs, not for every command's --help
    from claims.store.export import query_to_parquet
    from claims.store.outputs import check_output_path
    from claims.store.queries import QueryLimits

    run = invocation(ctx)
    settings = run.settings()
    statement = _read_sql(sql, sql_file, settings.max_input_bytes)
    params = _parse_params(param)
    readable = _allowed_reads(allow_read)
    store = run.read_only_store(at)
    if out_file is not None:
        check_output_path(out_file, store)
    limits = QueryLimits.from_settings(settings)
    try:
        if fmt == "parquet":
            if out_file is None:
                fail("--format parquet needs --out FILE.parquet", 2)
            n = query_to_parquet(store, statement, out_file, params, allow_read=readable, limits=limits)
            err.print(f"wrote {counted(n, 'row')} to {out_file}", markup=False)
            return
        if fmt in STREAMED:
            _stream_rows(store, statement, params, readable, limits, fmt, out_file)
            return
        result, more = _table_rows(store, statement, params, readable, limits)
    except KeyboardInterrupt:
        fail("claims query was stopped (Ctrl-C); the database was only read", 130)
    _print_rows(result, width, out_file, expanded)
    if more:
        err.print(f"showed the first {TABLE_ROWS:,} rows of more: write them all with --format csv|tsv|json "
                  "--out FILE, or narrow the query", markup=False, soft_wrap=True)


def _csv_cell(value: Any) -> Any:
    """One CSV cell: NULL empty, lists and structs as JSON (a non-finite float in one as
    null), a float as Python and DuckDB write and read it (``inf``, ``-inf``, ``nan``)."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(jsonable(value), allow_nan=False)
    return value if isinstance(value, float) else jsonable(value)


def _tsv_cell(value: Any) -> str:
    """One TSV cell (the text format of PostgreSQL's COPY and of ``duckdb -tabs``): NULL as
    ``\\N``; backslash, tab, line feed and carriage return escaped as ``\\\\``, ``\\t``,
    ``\\n``, ``\\r``."""
    if value is None:
        return "\\N"
    text = str(_csv_cell(value))
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _markdown_cell(value: Any) -> str:
    """One GitHub-flavoured Markdown table cell: ``|`` escaped, line breaks as ``<br>``."""
    if value is None:
        return ""
    text = clean_text(str(_csv_cell(value)))
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")


class _Writer:
    """Rows written out as they are streamed (``fmt``: csv, tsv, json or markdown), held to
    ``limit`` bytes: past it, a :class:`~claims.errors.QueryError` stops the query."""

    def __init__(self, fmt: str, stream: IO[str], limits: QueryLimits) -> None:
        self.fmt, self.stream, self.limits = fmt, stream, limits
        self.limit = limits.output_bytes
        self.written = self.rows = 0
        self._csv = io.StringIO()
        self._csv_writer = csv.writer(self._csv, lineterminator="\n")

    def _write(self, text: str) -> None:
        self.written += len(text.encode("utf-8", "surrogatepass"))
        if self.written > self.limit:
            raise self.limits.output_error(self.rows)
        self.stream.write(text)

    def _csv_lines(self, rows: list[list[Any]]) -> str:
        self._csv.seek(0)
        self._csv.truncate()
        self._csv_writer.writerows(rows)
        return self._csv.getvalue()

    def __call__(self, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            self._write(self._head(columns))
            return
        if self.fmt == "csv":
            text = self._csv_lines([[_csv_cell(v) for v in row] for row in rows])
        elif self.fmt == "tsv":
            text = "".join("\t".join(_tsv_cell(v) for v in row) + "\n" for row in rows)
        elif self.fmt == "markdown":
            text = "".join("| " + " | ".join(_markdown_cell(v) for v in row) + " |\n" for row in rows)
        else:
            items = [textwrap.indent(_json(dict(zip(columns, row))), "  ") for row in rows]
            text = ("[\n" if self.rows == 0 else ",\n") + ",\n".join(items)
        self._write(text)
        self.rows += len(rows)

    def _head(self, columns: list[str]) -> str:
        if self.fmt == "csv":
            return self._csv_lines([columns])
        if self.fmt == "tsv":
            return "\t".join(_tsv_cell(c) for c in columns) + "\n"
        if self.fmt == "markdown":
            return ("| " + " | ".join(_markdown_cell(c) for c in columns) + " |\n"
                    + "|" + "|".join("---" for _ in columns) + "|\n")
        return ""

    def close(self) -> None:
        """The end of the output (JSON's closing bracket)."""
        if self.fmt == "json":
            self._write("\n]\n" if self.rows else "[]\n")


def _stream_rows(store: Database, statement: str, params: dict[str, Any], readable: tuple[Path, ...],
                 limits: QueryLimits, fmt: str, out_file: Path | None) -> None:
    """The rows in ``fmt``, written batch by batch to standard output or ``out_file`` (written
    beside it and moved into place once whole: a query stopped halfway leaves no half file)."""
    from claims.store.queries import stream_user_query  # lazy: as in query()

    if out_file is None:
        writer = _Writer(fmt, sys.stdout, limits)
        stream_user_query(store, statement, writer, params, allow_read=readable, limits=limits)
        writer.close()
        return
    partial = out_file.with_name(f".{out_file.name}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as handle:
            writer = _Writer(fmt, handle, limits)
            stream_user_query(store, statement, writer, params, allow_read=readable, limits=limits)
            writer.close()
        partial.replace(out_file)
    except OSError as exc:
        fail(f"cannot write {out_file} ({exc.strerror}): name a file in a folder you can write to")
    finally:
        partial.unlink(missing_ok=True)


class _Enough(Exception):
    """Raised by the table's sink once it holds :data:`TABLE_ROWS` rows and more came."""


def _table_rows(store: Database, statement: str, params: dict[str, Any], readable: tuple[Path, ...],
                limits: QueryLimits) -> tuple[QueryResult, bool]:
    """The rows for a table: at most :data:`TABLE_ROWS` (and whether there were more), their
    text held to the output limit."""
    from claims.store import QueryResult  # lazy: as in query()
    from claims.store.queries import stream_user_query

    result = QueryResult([], [])
    size = 0

    def keep(columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        nonlocal size
        result.columns = columns
        for row in rows:
            if len(result.rows) == TABLE_ROWS:
                raise _Enough
            size += sum(len(str(v)) for v in row)
            if size > limits.output_bytes:
                raise limits.output_error(len(result.rows))
            result.rows.append(row)

    try:
        stream_user_query(store, statement, keep, params, allow_read=readable, limits=limits)
    except _Enough:
        return result, True
    return result, False


def _print_rows(result: QueryResult, width: int, out_file: Path | None, expanded: bool | None) -> None:
    """The rows as a table (or records), on standard output or into ``out_file``."""
    text = _table_text(result, width, out_file, expanded)
    if out_file is None:
        sys.stdout.write(text + "\n" if text else "")
        err.print(counted(len(result.rows), "row"), markup=False)
        return
    try:
        out_file.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {out_file} ({exc.strerror}): name a file in a folder you can write to")


def _table_text(result: QueryResult, width: int, out_file: Path | None, expanded: bool | None) -> str:
    """The rows as a table, or one record at a time (``expanded``; None: when the table is
    wider than the terminal, or than :data:`PIPE_WIDTH` off a terminal). A table on the
    terminal is printed here, in colour, and its text is empty; a table forced wider than
    the terminal keeps every column at the width it needs."""
    terminal = out_file is None and out.is_terminal
    room = out.width if terminal else PIPE_WIDTH
    table, needed = _query_table(result.columns, result.rows, width)
    if expanded or (expanded is None and needed > room):
        return _records(result.columns, result.rows, out.width if terminal else RECORD_WIDTH)
    if terminal and needed <= room:
        out.print(table)
        return ""
    console = Console(file=io.StringIO(), width=needed, soft_wrap=False)
    console.print(table)
    return console.file.getvalue().rstrip("\n")  # type: ignore[attr-defined]  # rich types .file as IO[str]


@app.command(epilog=examples('claims search "8,000 North Korean soldiers in Kursk" -k 5',
                             'claims search "first claim" "second claim" --json'))
def search(
    ctx: typer.Context,
    text: list[str] = typer.Argument(..., metavar="TEXT", help="The text to find evidence for: unquoted words are "
                                     "one text; several quoted texts are searched each (see claims_cli/search_cmd.py)."),
    k: int = typer.Option(10, "-k", "--top", metavar="N", help="Hits per text."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Find the stored statements that best match a text.

    The whole database is searched: passages near the text by embedding (through the vector
    index beside the database, brought up to date first), their sentences ranked by
    embeddings and BM25 together, those stating the text's figures first. A story
    reprinted by several outlets is one hit listing its outlets.

    The score is the one the hits are ranked by, highest first: up to 1 the fusion of the
    embedding and BM25 rankings (1: first by both), plus 1 for a sentence that states every
    figure of the text. The embedding model is loaded only for a text not searched before."""
    # lazy: search and its text tools (0.3 s), and the embedder's modules, for this command only
    from claims.embed import embedder_for
    from claims.search import search_store

    run = invocation(ctx)
    hits = search_store(run.store(must_exist=True), embedder_for(run.settings()), search_queries(text), k)
    if json_out:
        sys.stdout.write(json.dumps([{**h.__dict__, "published_at": jsonable(h.published_at),
                                      "outlets": list(h.outlets)} for h in hits],
                                    ensure_ascii=False, indent=2) + "\n")
        return
    out.print(hits_table(hits))  # a query column when several texts were asked
