"""What the store holds: its tables and views with their row counts, and a relation's
columns (``claims tables``, ``claims schema``), read from DuckDB's information schema."""

from __future__ import annotations

from typing import Any

from claims.store.connection import Database, rows_as_dicts

__all__ = ["CatalogTable"]

# The store's own relations: its main schema, not the lake's internal one nor DuckDB's
_MAIN = "table_catalog = current_database() AND table_schema = current_schema()"


class CatalogTable(Database):
    """Reads of the catalog."""

    def relations(self, *, counts: bool = True) -> list[dict[str, Any]]:
        """Every table and view: name, kind (``table`` or ``view``), columns and, for a
        table when ``counts``, its rows; by kind (tables first), then name."""
        with self.connect(read_only=True) as con:
            rows = rows_as_dicts(con.execute(
                "SELECT t.table_name AS name, CASE WHEN t.table_type = 'VIEW' THEN 'view' ELSE 'table' END AS kind, "
                "(SELECT count(*) FROM information_schema.columns c WHERE c.table_name = t.table_name "
                f"AND c.table_catalog = t.table_catalog AND c.table_schema = t.table_schema) AS columns "
                f"FROM information_schema.tables t WHERE {_MAIN} ORDER BY kind, name"))
            for row in rows:
                row["rows"] = None
                if counts and row["kind"] == "table":
                    name = row["name"].replace('"', '""')
                    row["rows"] = con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0]
        return rows

    def relation_columns(self, name: str) -> list[dict[str, Any]]:
        """The columns of table or view ``name`` (name, type, nullable) in their order; empty when there is none."""
        with self.connect(read_only=True) as con:
            return rows_as_dicts(con.execute(
                "SELECT column_name AS name, data_type AS type, is_nullable = 'YES' AS nullable "
                f"FROM information_schema.columns WHERE {_MAIN} AND table_name = ? ORDER BY ordinal_position",
                [name]))
