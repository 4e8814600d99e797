"""Parquet output of queries and of whole tables, straight from DuckDB (no pandas/pyarrow)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from claims.errors import QueryError
from claims.store.connection import Database

__all__ = ["query_to_parquet", "export_parquet"]


def _quote_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def query_to_parquet(store: Database, sql: str, out: Path, params: dict[str, Any] | None = None) -> int:
    """Write the rows of one read-only query to a Parquet file; returns the row count."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with store.connect(read_only=True) as con:
        store.check_version(con)
        try:
            relation = con.sql(sql, params=params or None)
            if relation is None:
                raise QueryError("the statement returns no rows to write: give a SELECT")
            relation.write_parquet(str(out))
            return int(con.execute(f"SELECT count(*) FROM read_parquet({_quote_path(out)})").fetchall()[0][0])
        except duckdb.Error as exc:
            raise QueryError(f"query failed: {str(exc).splitlines()[0]}") from None


def export_parquet(store: Database, folder: Path) -> dict[str, int]:
    """Every table of the database as ``folder/<table>.parquet``; returns rows per table."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with store.connect(read_only=True) as con:
        store.check_version(con)
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' ORDER BY table_name").fetchall()]
        for table in tables:
            target = folder / f"{table}.parquet"
            con.execute(f'COPY "{table}" TO {_quote_path(target)} (FORMAT parquet)')
            counts[table] = int(con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0])
    return counts
