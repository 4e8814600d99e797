"""Users' own SQL (``claims query``), in a sandbox: the statement can read the database and
nothing else, and can change nothing, there or on the machine.

* one statement, of a kind that only reads (``SELECT`` and its forms: ``FROM``, ``WITH``,
  ``DESCRIBE``, ``SHOW``, ``SUMMARIZE``, ``VALUES``, ``TABLE``; ``EXPLAIN``), by its type
  and its first word: ``COPY``, ``EXPORT``, ``IMPORT``, ``ATTACH``, ``INSTALL``, ``LOAD``,
  ``CREATE SECRET``, ``SET``, ``PRAGMA``, ``CALL`` and every write are refused before
  DuckDB runs anything (it is parsed on a connection that reaches no file);
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
* ``lock_configuration = true`` last, so the statement cannot turn any of it back on.

Errors come back as one line (:class:`~claims.errors.QueryError`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from claims.errors import QueryError, StoreError
from claims.store.connection import Database, damaged, is_damage
from claims.store.records import QueryResult

__all__ = ["READ_KEYWORDS", "READ_STATEMENTS", "query_error", "run_user_query", "sandboxed", "user_statement"]

READ_STATEMENTS = frozenset({duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN})
# The words a statement that only reads may begin with (after comments and opening brackets),
# checked besides its type: duckdb 1.5.5 parses IMPORT DATABASE into the statements of the
# folder's schema.sql and load.sql (reading them: hence the parse on a connection that reaches
# no file), and parses PRAGMA table_info as a SELECT.
READ_KEYWORDS = frozenset({"SELECT", "FROM", "WITH", "VALUES", "TABLE", "DESCRIBE", "DESC", "SHOW", "SUMMARIZE",
                           "PIVOT", "UNPIVOT", "EXPLAIN"})
_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/|\()*", re.DOTALL)
_WORD = re.compile(r"[A-Za-z_]+")

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


def _sql_list(values: Sequence[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


@contextmanager
def sandboxed(store: Database, *, allow_read: Sequence[Path] = (),
              write_to: Sequence[Path] = ()) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to ``store`` that reaches no other file and no network, except
    the files and folders of ``allow_read`` and ``write_to`` (the caller's own output: a
    folder, or a file and the ``tmp_`` file DuckDB writes beside one that exists). DuckDB
    lets a statement write where it may read: only statements that read
    (:func:`user_statement`) may run on it."""
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
        if paths:
            con.execute(f"SET allowed_paths = {_sql_list(paths)}")
        if folders:
            con.execute(f"SET allowed_directories = {_sql_list(folders)}")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        yield con


def user_statement(sql: str) -> str:
    """``sql`` if it is one statement that only reads, else a :class:`QueryError` saying
    what to do instead."""
    first = _first_word(sql)
    try:
        # parsed where no file can be reached: DuckDB's parser itself reads IMPORT DATABASE's files
        with duckdb.connect(":memory:", config={"enable_external_access": False}) as parser:
            statements = parser.extract_statements(sql)
    except duckdb.PermissionException as exc:
        if first not in READ_KEYWORDS:
            raise _not_read(first) from None
        raise QueryError(f"claims query reads only the database ({str(exc).splitlines()[0]}): "
                         "give one SELECT (or EXPLAIN) statement") from None
    except duckdb.Error as exc:
        raise QueryError(f"query failed: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1:
        raise QueryError(f"give one SQL statement ({len(statements)} given): run them one at a time")
    if statements[0].type not in READ_STATEMENTS or first not in READ_KEYWORDS:
        raise _not_read(first or statements[0].type.name)  # INSTALL, not DuckDB's LOAD type
    return sql


def _first_word(sql: str) -> str:
    """The statement's first keyword, upper-case, past comments and opening brackets ('' if none)."""
    leading = _LEADING.match(sql)  # always matches, perhaps nothing
    match = _WORD.match(sql, leading.end() if leading else 0)
    return match.group(0).upper() if match else ""


def _not_read(kind: str) -> QueryError:
    return QueryError(
        f"claims query is read-only: it runs one SELECT (or EXPLAIN) statement, not {kind}; "
        "write results with --format csv|json|parquet --out FILE or claims export, and change the "
        "database with the pipeline's commands")


def query_error(store: Database, exc: duckdb.Error) -> StoreError:
    """The one-line error for a failed user statement."""
    message = str(exc).splitlines()[0]
    if is_damage(exc):
        return damaged(store.label, message, written="it was only read")
    if isinstance(exc, duckdb.PermissionException):
        return QueryError(f"claims query reads only the database ({message}): to read your own files, "
                          "name them with --allow-read PATH")
    if "read-only" in message.lower() or "read only" in message.lower():
        return QueryError("claims query is read-only: it cannot change the database "
                          "(use the pipeline's commands to write)")
    return QueryError(f"query failed: {message}")


def run_user_query(store: Database, sql: str, params: dict[str, Any] | None = None, *,
                   allow_read: Sequence[Path] = ()) -> QueryResult:
    """Run one read-only user statement in the sandbox (see the module); ``allow_read``: files
    and folders it may read besides the database."""
    statement = user_statement(sql)
    with sandboxed(store, allow_read=allow_read) as con:
        try:
            store.check_version(con)
            cursor = con.execute(statement, params) if params else con.execute(statement)
            if cursor.description is None:
                return QueryResult([], [])
            columns = [d[0] for d in cursor.description]
            return QueryResult(columns, cursor.fetchall())
        except duckdb.Error as exc:
            raise query_error(store, exc) from None
