"""Parquet output of queries and of whole tables, straight from DuckDB (no pandas/pyarrow).

Both run in the query sandbox (:func:`claims.store.queries.sandboxed`): the only file a
user's statement's rows can go to is the ``--out`` file, and a table export writes only
into the folder it was given; neither writes over the store or any DuckDB file
(:func:`claims.store.outputs.check_output_path`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from claims.errors import QueryError
from claims.store.connection import Database
from claims.store.outputs import check_output_path
from claims.store.queries import QueryLimits, bounded, query_error, sandboxed, user_statement

__all__ = ["export_parquet", "query_to_parquet"]


def _quote_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def query_to_parquet(store: Database, sql: str, out: Path, params: dict[str, Any] | None = None,
                     *, allow_read: tuple[Path, ...] = (), limits: QueryLimits | None = None) -> int:
    """Write the rows of one read-only query to a Parquet file; returns the row count. Never
    over the store or another DuckDB file (:func:`~claims.store.outputs.check_output_path`),
    the statement held to ``limits`` (:class:`~claims.store.queries.QueryLimits`' defaults
    when not given)."""
    limits = limits or QueryLimits()
    statement = user_statement(sql)
    out = check_output_path(out, store).resolve()
    scratch = check_output_path(out.with_name("tmp_" + out.name), store)  # DuckDB writes there, then renames
    left_before = scratch.exists()
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with sandboxed(store, allow_read=allow_read, write_to=[out], limits=limits) as con:
            store.check_version(con)
            return bounded(con, lambda: _write_rows(con, statement, params, out), limits)
    except duckdb.Error as exc:
        raise query_error(store, exc, limits) from None
    finally:
        if not left_before and scratch.exists():  # a write interrupted half-way
            scratch.unlink()


def _write_rows(con: duckdb.DuckDBPyConnection, statement: str, params: dict[str, Any] | None, out: Path) -> int:
    """The statement's rows written to ``out``; returns how many."""
    relation = con.sql(statement, params=params or None)
    if relation is None:
        raise QueryError("the statement returns no rows to write: give a SELECT")
    relation.write_parquet(str(out))
    return int(con.execute(f"SELECT count(*) FROM read_parquet({_quote_path(out)})").fetchall()[0][0])


def export_parquet(store: Database, folder: Path) -> dict[str, int]:
    """Every table of the database as ``folder/<table>.parquet``; returns rows per table."""
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with sandboxed(store, write_to=[folder]) as con:
        store.check_version(con)
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' ORDER BY table_name").fetchall()]
        try:
            for table in tables:
                target = check_output_path(folder / f"{table}.parquet", store)
                con.execute(f'COPY "{table}" TO {_quote_path(target)} (FORMAT parquet)')
                counts[table] = int(con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0])
        except duckdb.Error as exc:
            raise query_error(store, exc) from None
    return counts
