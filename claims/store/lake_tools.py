"""A DuckLake store seen from outside claims' own commands: the lines that attach it in a
plain DuckDB shell on this machine (:func:`attach_lines`), and its tables' names by catalog
id (:func:`table_names`: DuckLake's snapshots name the tables they changed by id).

The shell lines load the extension files installed with claims (the PyPI packages
``duckdb-extension-ducklake`` and ``duckdb-extension-postgres-scanner``, built for the pinned
duckdb), so that nothing is downloaded, and name the catalog without its password: a
password belongs in PostgreSQL's ``PGPASSWORD`` or ``~/.pgpass``, not in a line that is
copied, pasted and kept in a shell's history.
"""

from __future__ import annotations

import duckdb

from claims.redact import scrub_text
from claims.store.lake import ALIAS, LakeDatabase
from claims.store.lake import _extension as extension_file  # the files the store itself loads

__all__ = ["attach_lines", "table_names", "without_password"]

def without_password(spec: str) -> str:
    """The catalog string ``spec`` with its password (and any other credential) left out, in
    each form PostgreSQL takes one: ``password=...`` among the keywords (quoted with either
    quote or not), ``user:...@`` in a URI, or ``?password=...`` in a URI's query
    (:func:`claims.redact.scrub_text`)."""
    return scrub_text(spec, drop=True)


def _quote(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def attach_lines(store: LakeDatabase) -> list[str]:
    """The lines that open ``store`` read-only in a plain DuckDB shell (the ``duckdb``
    program, of the same version as the installed duckdb package) on this machine,
    comments first: the extension files loaded by path, the catalog attached without its
    password, and a query to start from."""
    packages = [("duckdb_extension_ducklake", "ducklake")]
    if store.on_postgres:
        packages.insert(0, ("duckdb_extension_postgres_scanner", "postgres_scanner"))
    lines = [(f"-- in a plain DuckDB {duckdb.__version__} shell (duckdb): the extension files installed "
              "with claims, loaded by path (nothing is downloaded)")]
    if store.on_postgres:
        lines.append("-- the catalog's password is not printed: start the shell as PGPASSWORD=... duckdb, "
                     "or put it in ~/.pgpass")
    lines += [f"LOAD {_quote(extension_file(package, name))};" for package, name in packages]
    catalog = without_password(store.spec)
    lines += [f"ATTACH {_quote(catalog)} AS {ALIAS} (DATA_PATH {_quote(store.data_path)}, READ_ONLY);",
              f"USE {ALIAS};",
              "SELECT claim, label, confidence, rationale FROM latest_verdicts ORDER BY claim;"]
    return lines


def table_names(store: LakeDatabase) -> dict[str, str]:
    """The lake's tables by catalog id (as text, as DuckLake's snapshots list them): the
    name, with its schema when that is not ``main`` (``lake_internal.guard_claims``)."""
    with store.connect(read_only=True) as con:
        rows = con.execute(
            f"SELECT i.table_id, t.schema_name, i.table_name FROM ducklake_table_info({_quote(ALIAS)}) AS i "
            "LEFT JOIN (SELECT schema_name, table_name, count(*) OVER (PARTITION BY table_name) AS n "
            f"           FROM duckdb_tables() WHERE database_name = {_quote(ALIAS)}) AS t "
            "  ON t.table_name = i.table_name AND t.n = 1").fetchall()
    return {str(table_id): name if schema in (None, "main") else f"{schema}.{name}"
            for table_id, schema, name in rows}
