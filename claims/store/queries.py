"""Users' own SQL (``claims query``): one statement on a read-only connection, so that a
write is refused by DuckDB itself, with errors as one line."""

from __future__ import annotations

from typing import Any

import duckdb

from claims.errors import QueryError
from claims.store.connection import Database
from claims.store.records import QueryResult

__all__ = ["run_user_query"]


def run_user_query(store: Database, sql: str, params: dict[str, Any] | None = None) -> QueryResult:
    """Run one user query on a read-only connection; writes are refused."""
    with store.connect(read_only=True) as con:
        store.check_version(con)
        try:
            cursor = con.execute(sql, params or None) if params else con.execute(sql)
        except duckdb.Error as exc:
            message = str(exc).splitlines()[0]
            if "read-only" in message.lower() or "read only" in message.lower():
                raise QueryError(
                    "claims query is read-only: it cannot change the database (use the pipeline's commands to write)"
                ) from None
            raise QueryError(f"query failed: {message}") from None
        if cursor.description is None:
            return QueryResult([], [])
        columns = [d[0] for d in cursor.description]
        return QueryResult(columns, cursor.fetchall())
