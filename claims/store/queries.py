"""Users' own SQL (``claims query``), in a sandbox: the statement can read the database and
nothing else, and can change nothing, there or on the machine.

* one statement, of a kind that only reads (``SELECT`` and its forms: ``FROM``, ``WITH``,
  ``DESCRIBE``, ``SHOW``, ``SUMMARIZE``, ``VALUES``, ``TABLE``; ``EXPLAIN``), by its type
  and its first word as DuckDB's own scanner reads it (nested comments included:
  ``/* /* */ SELECT */ COPY ...`` is a COPY): ``COPY``, ``EXPORT``, ``IMPORT``, ``ATTACH``,
  ``INSTALL``, ``LOAD``, ``CREATE SECRET``, ``SET``, ``PRAGMA``, ``CALL`` and every write are
  refused before DuckDB runs anything (it is parsed on a connection that reaches no file);
* calling only the table functions of :data:`TABLE_FUNCTIONS` (generators, JSON, the
  catalog's listings, the file readers that the sandbox below still holds to
  ``--allow-read``), found in the statement's syntax tree (``json_serialize_sql``), so that
  case, quotes, a schema or comments change nothing: ``query()``, ``postgres_execute()``,
  ``checkpoint()`` and every ``ducklake_*`` function (DuckLake's maintenance, which wrote
  files into the lake or crashed the process) are refused; the lake is maintained with
  ``claims lake``;
* naming nothing of a lake's catalog database (``__ducklake_metadata_lake``: on PostgreSQL,
  the whole catalog database, ``pg_catalog.pg_authid`` and every schema its role reads) and
  calling no function that shows connection strings or settings (:data:`DENIED_FUNCTIONS`:
  ``duckdb_databases()``, ``duckdb_settings()``, ``current_setting()``, ...); the catalog's
  password is given to DuckDB as a secret, not in the path it keeps (:mod:`claims.store.lake`);
* on a read-only connection, so DuckDB itself refuses a write to the database;
* with external access off (``enable_external_access = false``): no file other than the
  database is read or written (``read_text('/etc/passwd')``, ``read_csv``, ``glob``), and
  nothing is fetched; only the paths the user names with ``--allow-read`` are readable
  (DuckDB's ``allowed_paths`` / ``allowed_directories``), and for ``--format parquet`` the
  output file, written by this module, not by the statement;
* no extension installed or loaded (``autoinstall_known_extensions``,
  ``autoload_known_extensions``, ``allow_community_extensions`` off; unsigned extensions
  stay refused; the extension repositories point at no network place), no scan of Python
  variables (``python_enable_replacements``);
* with DuckDB's ``memory_limit`` and ``max_temp_directory_size`` (its spill to disk) set
  (:class:`QueryLimits`);
* ``lock_configuration = true`` last, so the statement cannot turn any of it back on;
* for at most :attr:`QueryLimits.timeout_seconds`: the statement runs on a worker thread,
  and DuckDB's ``interrupt()`` stops it at the time limit or on Ctrl-C (a cross join of two
  ``range(1000000)`` ran on after Ctrl-C, with no time limit);
* its rows streamed out in batches (:func:`stream_user_query`), the time limit checked between
  them too (turning 1,000,000 rows into a table took 122 s past a 5 s limit) and the caller
  stopping at ``query_output_limit`` bytes (:attr:`QueryLimits.output_limit`).

Errors come back as one line (:class:`~claims.errors.QueryError`), DuckDB's hint kept
(``Did you mean "latest_verdicts"?``, a column's candidates).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import duckdb

from claims.errors import QueryError, StoreError
from claims.settings import size_bytes
from claims.store.connection import Database, damaged, is_damage
from claims.store.records import QueryResult

if TYPE_CHECKING:
    from claims.settings import Settings

__all__ = [
    "BATCH_ROWS",
    "DENIED_FUNCTIONS",
    "LAKE_FUNCTION_PREFIX",
    "LAKE_METADATA_PREFIX",
    "READ_KEYWORDS",
    "READ_STATEMENTS",
    "TABLE_FUNCTIONS",
    "QueryLimits",
    "RowSink",
    "bounded",
    "one_line",
    "query_error",
    "run_user_query",
    "sandboxed",
    "stream_user_query",
    "user_statement",
]

READ_STATEMENTS = frozenset({duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN})
# The words a statement that only reads may begin with (after comments and opening brackets),
# checked besides its type: duckdb 1.5.5 parses IMPORT DATABASE into the statements of the
# folder's schema.sql and load.sql (reading them: hence the parse on a connection that reaches
# no file), and parses PRAGMA table_info as a SELECT.
READ_KEYWORDS = frozenset({"SELECT", "FROM", "WITH", "VALUES", "TABLE", "DESCRIBE", "DESC", "SHOW", "SUMMARIZE",
                           "PIVOT", "UNPIVOT", "EXPLAIN"})
_WORD = re.compile(r"[A-Za-z_]+")

# The table functions a statement may call. DuckDB's others are refused: query, query_table and
# json_execute_serialized_sql run SQL given as a string; checkpoint, enable_logging and the like
# change the engine; postgres_execute and postgres_query run SQL on a lake's catalog server.
TABLE_FUNCTIONS = frozenset({
    # generators
    "range", "generate_series", "unnest", "repeat", "repeat_row",
    # JSON
    "json_each", "json_tree",
    # the catalog and the engine, listed
    "duckdb_columns", "duckdb_constraints", "duckdb_dependencies", "duckdb_functions",
    "duckdb_indexes", "duckdb_keywords", "duckdb_memory", "duckdb_schemas", "duckdb_sequences",
    "duckdb_tables", "duckdb_temporary_files", "duckdb_types", "duckdb_views", "pragma_collations",
    "pragma_database_size", "pragma_metadata_info", "pragma_platform", "pragma_show", "pragma_storage_info",
    "pragma_table_info", "pragma_version", "pg_timezone_names", "summary", "histogram", "histogram_values",
    # the file readers: the sandbox lets them read only what --allow-read names
    "read_csv", "read_csv_auto", "read_json", "read_json_auto", "read_json_objects", "read_json_objects_auto",
    "read_ndjson", "read_ndjson_auto", "read_ndjson_objects", "read_parquet", "parquet_scan", "parquet_metadata",
    "parquet_schema", "parquet_file_metadata", "parquet_kv_metadata", "read_text", "read_blob", "glob", "sniff_csv",
})
# Functions that show connection strings or settings, which can hold a lake catalog's
# credentials (DuckDB keeps the attached catalog's path and adds it to allowed_paths): refused
# however they are called, as table functions or in an expression.
DENIED_FUNCTIONS = frozenset({"duckdb_databases", "duckdb_settings", "duckdb_secrets", "which_secret",
                              "current_setting", "duckdb_extensions", "pragma_database_list"})
# The catalog database a DuckLake keeps its metadata in (``__ducklake_metadata_<alias>``: on
# PostgreSQL, the whole catalog database, pg_catalog.pg_authid and every other schema the
# catalog role reads): a statement that names it is refused; the lake's own tables and the
# project's views are read through the lake.
LAKE_METADATA_PREFIX = "__ducklake_metadata"
# DuckLake's functions, its maintenance among them (ducklake_merge_adjacent_files wrote new files
# into a read-only lake on every call; ducklake_set_option crashed the process): none is run.
LAKE_FUNCTION_PREFIX = "ducklake_"

# Given when the connection opens; the allow-lists, external access and the lock follow as
# SET statements (DuckDB takes allowed_paths only once it runs and while access is on).
_SANDBOX_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "python_enable_replacements": False,
    # and should an install be attempted all the same, it looks in no place on the network
    "custom_extension_repository": "/dev/null",
    "autoinstall_extension_repository": "/dev/null",
}
# How long a statement that was interrupted may take to stop before the caller goes on without it.
_STOP_GRACE_SECONDS = 10.0

_T = TypeVar("_T")


@dataclass(frozen=True)
class QueryLimits:
    """What one user statement may use: ``timeout_seconds`` of time (0: no limit), DuckDB's
    ``memory_limit`` and ``max_temp_directory_size`` (what it may spill to disk). The settings
    ``query_timeout_seconds``, ``query_memory_limit`` and ``query_temp_limit``."""

    timeout_seconds: float = 60.0
    memory_limit: str = "2GB"
    temp_limit: str = "4GB"
    output_limit: str = "1GB"  # the most bytes of rows written out (query_output_limit)

    @classmethod
    def from_settings(cls, settings: Settings) -> QueryLimits:
        """The limits the settings give."""
        return cls(settings.query_timeout_seconds, settings.query_memory_limit, settings.query_temp_limit,
                   settings.query_output_limit)

    @property
    def output_bytes(self) -> int:
        """:attr:`output_limit` in bytes."""
        return size_bytes(self.output_limit)

    def output_error(self, rows: int) -> QueryError:
        """The one-line error for output that reached :attr:`output_limit` after ``rows`` rows."""
        return QueryError(f"the query's output reached query_output_limit ({self.output_limit}) after {rows:,} rows "
                          "and was stopped: narrow the query (LIMIT, fewer columns), or raise query_output_limit "
                          "(CLAIMS_QUERY_OUTPUT_LIMIT)")

    def config(self) -> dict[str, str]:
        """The DuckDB settings that hold a connection to these limits."""
        return {"memory_limit": self.memory_limit, "max_temp_directory_size": self.temp_limit}


def _sql_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(_sql_text(v) for v in values) + "]"


@contextmanager
def sandboxed(store: Database, *, allow_read: Sequence[Path] = (), write_to: Sequence[Path] = (),
              limits: QueryLimits | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to ``store`` that reaches no other file and no network, except
    the files and folders of ``allow_read`` and ``write_to`` (the caller's own output: a
    folder, or a file and the ``tmp_`` file DuckDB writes beside one that exists), held to
    ``limits``' memory and disk. DuckDB lets a statement write where it may read: only
    statements that read (:func:`user_statement`) may run on it."""
    paths: list[str] = []
    folders: list[str] = []
    folders += [str(folder).rstrip("/") + "/" for folder in store.sandbox_directories()]  # a lake's data
    for path in [*allow_read, *write_to]:
        resolved = Path(path).resolve()
        if resolved.is_dir():
            folders.append(str(resolved) + "/")
        else:
            paths.append(str(resolved))
    paths += [str(Path(p).resolve().with_name("tmp_" + Path(p).name)) for p in write_to if not Path(p).is_dir()]
    with store.connect(read_only=True, config=_SANDBOX_CONFIG) as con:
        if limits is not None:
            _hold_to(con, limits)
        if paths:
            con.execute(f"SET allowed_paths = {_sql_list(paths)}")
        if folders:
            con.execute(f"SET allowed_directories = {_sql_list(folders)}")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        yield con


def _hold_to(con: duckdb.DuckDBPyConnection, limits: QueryLimits) -> None:
    """Set ``limits``' memory and disk on ``con`` (once open: a limit too small then fails the
    query, with its setting named, not the connection); an in-memory instance (a lake's)
    spills to the system's temporary folder, not to ``.tmp`` in the working folder."""
    settings: dict[str, str] = {}
    if not Path(con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0]).is_absolute():
        settings["temp_directory"] = str(Path(tempfile.gettempdir()) / f"claims-query-{os.getpid()}.tmp")
    for name, value in {**settings, **limits.config()}.items():
        con.execute(f"SET {name} = {_sql_text(value)}")


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# -- the statement ------------------------------------------------------------------------------

def user_statement(sql: str) -> str:
    """``sql`` if it is one statement that only reads and calls only the table functions of
    :data:`TABLE_FUNCTIONS`, else a :class:`QueryError` saying what to do instead."""
    first = _first_word(sql)
    # parsed where no file can be reached: DuckDB's parser itself reads IMPORT DATABASE's files
    with duckdb.connect(":memory:", config={"enable_external_access": False}) as parser:
        statement = _one_statement(parser, sql, first)
        if statement.type not in READ_STATEMENTS or first not in READ_KEYWORDS:
            raise _not_read(first or statement.type.name)  # INSTALL, not DuckDB's LOAD type
        _check_functions(_syntax_tree(parser, sql, first), sql if first == "EXPLAIN" else "")
    return sql


def _one_statement(parser: duckdb.DuckDBPyConnection, sql: str, first: str) -> Any:
    """The one statement ``sql`` holds, as DuckDB parses it."""
    try:
        statements = parser.extract_statements(sql)
    except duckdb.PermissionException as exc:
        if first not in READ_KEYWORDS:
            raise _not_read(first) from None
        raise QueryError(f"claims query reads only the database ({one_line(exc)}): "
                         "give one SELECT (or EXPLAIN) statement") from None
    except duckdb.Error as exc:
        raise QueryError(f"query failed: {one_line(exc)}") from None
    if len(statements) > 1 and _pivot_types(statements, sql):
        raise QueryError("claims query runs a PIVOT whose values are listed: write PIVOT t ON col IN ('a', 'b') "
                         "USING sum(x) (without IN, DuckDB makes a type of the values first, a second statement)")
    if len(statements) != 1:
        raise QueryError(f"give one SQL statement ({len(statements)} given): run them one at a time")
    return statements[0]


def _pivot_types(statements: Sequence[Any], sql: str) -> bool:
    """Whether the statements DuckDB made of ``sql`` are one PIVOT: a PIVOT whose values are not
    listed (``PIVOT t ON b USING sum(a)``) is parsed into a ``CREATE TYPE`` of its values (a
    temporary enum, no text of the user's) before the SELECT that uses it."""
    pivot = any(text.upper() == "PIVOT" for _, text, _ in _tokens(sql))
    made = all(s.type == duckdb.StatementType.CREATE and not str(s.query).strip() for s in statements[:-1])
    return pivot and made and statements[-1].type in READ_STATEMENTS


def _tokens(sql: str) -> list[tuple[int, str, Any]]:
    """DuckDB's own scan of ``sql``: (position, text, kind) of each token, comments (nested
    ones too, as DuckDB nests them) left out."""
    try:
        found = duckdb.tokenize(sql)
    except duckdb.Error:
        return []
    ends = [position for position, _ in found[1:]] + [len(sql)]
    return [(position, sql[position:end].strip(), kind) for (position, kind), end in zip(found, ends)]


def _first_word(sql: str) -> str:
    """The statement's first keyword, upper-case, past comments and opening brackets ('' if none)."""
    for position, text, _ in _tokens(sql):
        if text == "(":
            continue
        match = _WORD.match(sql, position)
        return match.group(0).upper() if match else ""
    return ""


def _not_read(kind: str) -> QueryError:
    return QueryError(
        f"claims query is read-only: it runs one SELECT (or EXPLAIN) statement, not {kind}; "
        "write results with --format csv|json|parquet --out FILE or claims export, and change the "
        "database with the pipeline's commands")


# -- the functions it calls ---------------------------------------------------------------------

def _syntax_tree(parser: duckdb.DuckDBPyConnection, sql: str, first: str) -> Any:
    """The statement's syntax tree (DuckDB's ``json_serialize_sql``); for an EXPLAIN, the
    explained statement's."""
    message = ""
    for text in _explained(sql) if first == "EXPLAIN" else [sql]:
        try:
            tree = json.loads(parser.execute("SELECT json_serialize_sql(?)", [text]).fetchall()[0][0])
        except (duckdb.Error, RecursionError, ValueError) as exc:  # nested past what Python's json reads
            message = one_line(exc) or type(exc).__name__
            continue
        if not tree.get("error"):
            return tree
        message = str(tree.get("error_message", ""))
    raise QueryError(f"claims query cannot tell which functions this statement calls ({message}): "
                     "give one plain SELECT")


def _explained(sql: str) -> list[str]:
    """Where the statement an EXPLAIN explains may begin: after ``EXPLAIN [ANALYZE]``, or
    after its bracketed options (``EXPLAIN (FORMAT json) ...``)."""
    tokens = _tokens(sql)[1:]
    if tokens and tokens[0][1].upper() == "ANALYZE":
        tokens = tokens[1:]
    if not tokens:
        return []
    starts = [sql[tokens[0][0]:]]
    depth = 0
    for i, (_, text, kind) in enumerate(tokens):
        if kind != duckdb.token_type.operator:
            continue
        depth += text.count("(") - text.count(")")
        if depth <= 0:
            if i + 1 < len(tokens) and tokens[0][1].startswith("("):
                starts.append(sql[tokens[i + 1][0]:])
            break
    return starts


def _called(tree: Any) -> Iterator[tuple[str, bool]]:
    """Every function a syntax tree calls: its name, lower-case, and whether it is called as
    a table function (a FROM item). Walked without recursion: a statement may nest deeply."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "TABLE_FUNCTION":
                function = node.get("function")
                yield (str(function.get("function_name", "")) if isinstance(function, dict) else "").lower(), True
            if node.get("class") == "FUNCTION":
                yield str(node.get("function_name", "")).lower(), False
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _texts(tree: Any) -> Iterator[str]:
    """Every text in a syntax tree, lower-case (names of catalogs, schemas, tables; constants)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            yield node.lower()
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _check_functions(tree: Any, explain: str = "") -> None:
    """Refuse a statement that calls a table function not in :data:`TABLE_FUNCTIONS`, or any
    DuckLake function; in an EXPLAIN's text (``explain``), whose tree is that of the part
    taken for the explained statement, any name before a bracket is looked at too."""
    tokens = _tokens(explain)
    by_tokens = [(text.strip('"').lower(), False) for (_, text, _), (_, after, _) in itertools.pairwise(tokens)
                 if after.startswith("(")]
    if any(LAKE_METADATA_PREFIX in text for text in _texts(tree)) or LAKE_METADATA_PREFIX in explain.lower():
        raise QueryError("claims query reads the lake's tables and the project's views, not the lake's catalog "
                         "database: query the tables by their names (claims query \"show tables\")")
    for name, as_table in [*_called(tree), *by_tokens]:
        if name in DENIED_FUNCTIONS:
            raise QueryError(f"claims query does not run {name}(): it shows connection strings and settings, "
                             "which can hold credentials; list the tables with show tables or duckdb_tables()")
        if name.startswith(LAKE_FUNCTION_PREFIX):
            raise QueryError(f"claims query does not run {name}(): it only reads, and the lake's maintenance goes "
                             "through claims lake (claims lake snapshots, claims lake compact)")
        if as_table and name not in TABLE_FUNCTIONS:
            raise QueryError(f"claims query does not run the table function {name}(): it reads the database with "
                             "range, generate_series, unnest, the duckdb_* listings and, on files named with "
                             "--allow-read, DuckDB's read_* readers")


# -- running it ---------------------------------------------------------------------------------

def bounded(con: duckdb.DuckDBPyConnection, work: Callable[[], _T], limits: QueryLimits,
            expired: threading.Event | None = None) -> _T:
    """``work()``, a statement on ``con``, on a worker thread, stopped by DuckDB's
    ``interrupt()`` at ``limits.timeout_seconds`` (a :class:`QueryError` naming the setting)
    or on Ctrl-C (the ``KeyboardInterrupt`` raised again once the statement stopped).
    ``expired`` is set then too: work that turns rows into output between DuckDB's calls
    checks it, as ``interrupt()`` reaches DuckDB only."""
    expired = expired or threading.Event()
    values: list[_T] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def run() -> None:
        try:
            values.append(work())
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread, which raises it
            errors.append(exc)
        finally:
            done.set()

    threading.Thread(target=run, name="claims-query", daemon=True).start()
    try:
        finished = done.wait(limits.timeout_seconds or None)
    except KeyboardInterrupt:
        expired.set()
        _stop(con, done)
        raise
    if not finished:
        expired.set()
        _stop(con, done)
        raise QueryError(f"the query ran past query_timeout_seconds ({limits.timeout_seconds:g} s) and was stopped: "
                         "raise query_timeout_seconds (CLAIMS_QUERY_TIMEOUT_SECONDS; 0: no limit) or narrow the query")
    if errors:
        raise errors[0]
    return values[0]


def _stop(con: duckdb.DuckDBPyConnection, done: threading.Event) -> None:
    """Interrupt the running statement until it stops, for at most a grace period."""
    deadline = time.monotonic() + _STOP_GRACE_SECONDS
    while not done.is_set() and time.monotonic() < deadline:
        con.interrupt()  # again: an interrupt before the statement began is not kept
        done.wait(0.1)


def one_line(exc: BaseException) -> str:
    """DuckDB's message as one line: the error and its hint (``Did you mean
    "latest_verdicts"?``, ``Candidate bindings: ...``), without the statement's text
    (``LINE 1: ...``) and the advice that follows a blank line."""
    kept: list[str] = []
    for line in str(exc).strip().splitlines():
        if not line.strip() and kept or re.match(r"LINE \d+:", line):
            break
        kept.append(line.strip())
    return " ".join(line for line in kept if line)


def query_error(store: Database, exc: duckdb.Error, limits: QueryLimits | None = None) -> StoreError:
    """The one-line error for a failed user statement."""
    message = one_line(exc)
    if LAKE_METADATA_PREFIX in message.lower():  # DuckDB's "Did you mean" names the catalog's tables
        message = message.split(" Did you mean")[0]
    if is_damage(exc):
        return damaged(store.label, message, written="it was only read")
    if isinstance(exc, duckdb.OutOfMemoryException):
        return _out_of_memory(message, limits or QueryLimits())
    if isinstance(exc, duckdb.PermissionException):
        return QueryError(f"claims query reads only the database ({message}): to read your own files, "
                          "name them with --allow-read PATH")
    if "read-only" in message.lower() or "read only" in message.lower():
        return QueryError("claims query is read-only: it cannot change the database "
                          "(use the pipeline's commands to write)")
    return QueryError(f"query failed: {message}")


def _out_of_memory(message: str, limits: QueryLimits) -> QueryError:
    """The one-line error for a statement that reached its memory or disk limit."""
    if "max_temp_directory_size" in message:
        detail = message.split(". This limit")[0]  # DuckDB's advice (PRAGMA ...) cannot be followed here
        return QueryError(f"the query spilled more to disk than query_temp_limit ({limits.temp_limit}) allows "
                          f"({detail}): raise query_temp_limit (CLAIMS_QUERY_TEMP_LIMIT) or narrow the query")
    return QueryError(f"the query needs more memory than query_memory_limit ({limits.memory_limit}) allows "
                      f"({message}): raise query_memory_limit (CLAIMS_QUERY_MEMORY_LIMIT) or narrow the query")


def _fetch(con: duckdb.DuckDBPyConnection, statement: str, params: dict[str, Any] | None) -> QueryResult:
    cursor = con.execute(statement, params) if params else con.execute(statement)
    if cursor.description is None:
        return QueryResult([], [])
    return QueryResult([d[0] for d in cursor.description], cursor.fetchall())


#: rows fetched from DuckDB at a time when they are streamed out (:func:`stream_user_query`)
BATCH_ROWS = 1000


class RowSink(Protocol):
    """Takes a streamed query's rows: first the columns with no rows, then batches of rows."""

    def __call__(self, columns: list[str], rows: list[tuple[Any, ...]]) -> None: ...


class _Expired(Exception):
    """Raised in the worker when the time limit passed while rows were being written out."""


def _stream(con: duckdb.DuckDBPyConnection, statement: str, params: dict[str, Any] | None, sink: RowSink,
            expired: threading.Event) -> int:
    cursor = con.execute(statement, params) if params else con.execute(statement)
    columns = [d[0] for d in cursor.description] if cursor.description is not None else []
    sink(columns, [])
    if not columns:
        return 0
    count = 0
    while not expired.is_set():
        batch = cursor.fetchmany(BATCH_ROWS)
        if not batch:
            return count
        sink(columns, batch)
        count += len(batch)
    raise _Expired


def stream_user_query(store: Database, sql: str, sink: RowSink, params: dict[str, Any] | None = None, *,
                      allow_read: Sequence[Path] = (), limits: QueryLimits | None = None) -> int:
    """Run one read-only user statement in the sandbox, as :func:`run_user_query` does, and
    hand its rows to ``sink`` in batches of :data:`BATCH_ROWS` as DuckDB produces them (none
    held here): the time limit holds the writing out as well as DuckDB's work (checked
    between batches), and ``sink`` may raise (a :class:`QueryError` when its output reaches
    :attr:`QueryLimits.output_limit`) to stop. Returns the number of rows."""
    limits = limits or QueryLimits()
    statement = user_statement(sql)
    expired = threading.Event()
    try:
        with sandboxed(store, allow_read=allow_read, limits=limits) as con:
            store.check_version(con)
            return bounded(con, lambda: _stream(con, statement, params, sink, expired), limits, expired)
    except duckdb.Error as exc:
        raise query_error(store, exc, limits) from None


def run_user_query(store: Database, sql: str, params: dict[str, Any] | None = None, *,
                   allow_read: Sequence[Path] = (), limits: QueryLimits | None = None) -> QueryResult:
    """Run one read-only user statement in the sandbox (see the module); ``allow_read``: files
    and folders it may read besides the database; ``limits``: its time, memory and disk
    (the defaults of :class:`QueryLimits` when not given)."""
    limits = limits or QueryLimits()
    statement = user_statement(sql)
    try:
        with sandboxed(store, allow_read=allow_read, limits=limits) as con:
            store.check_version(con)
            return bounded(con, lambda: _fetch(con, statement, params), limits)
    except duckdb.Error as exc:
        raise query_error(store, exc, limits) from None
