"""Parquet output of queries and of whole tables, straight from DuckDB (no pandas/pyarrow).

Both run in the query sandbox (:func:`claims.store.queries.sandboxed`): the only file a
user's statement's rows can go to is the ``--out`` file, and a table export writes only
into the folder it was given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from claims.errors import QueryError
from claims.store.connection import Database
from claims.store.queries import query_error, sandboxed, user_statement

__all__ = ["query_to_parquet", "export_parquet"]


def _quote_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def query_to_parquet(store: Database, sql: str, out: Path, params: dict[str, Any] | None = None,
                     *, allow_read: tuple[Path, ...] = ()) -> int:
    """Write the rows of one read-only query to a Parquet file; returns the row count."""
    statement = user_statement(sql)
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with sandboxed(store, allow_read=allow_read, write_to=[out]) as con:
        try:
            store.check_version(con)
            relation = con.sql(statement, params=params or None)
            if relation is None:
                raise QueryError("the statement returns no rows to write: give a SELECT")
            relation.write_parquet(str(out))
            return int(con.execute(f"SELECT count(*) FROM read_parquet({_quote_path(out)})").fetchall()[0][0])
        except duckdb.Error as exc:
            raise query_error(store, exc) from None


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
                target = folder / f"{table}.parquet"
                con.execute(f'COPY "{table}" TO {_quote_path(target)} (FORMAT parquet)')
                counts[table] = int(con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0])
        except duckdb.Error as exc:
            raise query_error(store, exc) from None
    return counts
