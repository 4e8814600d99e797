"""A DuckLake as the store: tables in Parquet files under a shared data folder, their catalog
in PostgreSQL (several machines) or in a DuckDB file (one machine), written by many
processes at once.

Chosen by the ``store`` setting (``ducklake:postgres:dbname=lake host=... user=...`` or
``ducklake:/path/catalog.ducklake``) with ``lake_data_path``; everything above the store
(pipeline, flows, CLI, views, migrations) is the same as for a DuckDB file.

What differs from a file, and how it is met here:

* **Extensions** come from their PyPI packages (``duckdb-extension-postgres-scanner``,
  ``duckdb-extension-ducklake``, built for duckdb 1.5.5), loaded by path, postgres_scanner
  first; nothing is downloaded.
* **No primary keys** in DuckLake. The migrations' ``PRIMARY KEY`` clauses are taken out
  (:func:`lake_ddl`) and remembered per table; every ``INSERT ... ON CONFLICT`` the store
  writes becomes a ``MERGE INTO`` on those keys (:func:`merge_sql`), so upserts by content
  id stay idempotent; an upsert of any other form is refused, never passed through (without
  keys it would insert duplicates silently).
* **Optimistic transactions.** Two transactions that only insert never conflict in DuckLake,
  so two writers storing the same new document at once would both insert it. Before it
  merges into a table whose keys are shared between runs (documents, passages, claims, the
  caches), a transaction therefore bumps that table's guard row
  (``lake_internal.guard_<table>``): two transactions that bump one guard conflict at
  commit, the later one is rolled back and run again whole
  (:func:`~claims.store.connection.retry_on_conflict`), and its merge then sees the
  other's rows. Tables keyed by the run (verdicts, evidence) need no guard: no two runs
  write one key.
* **One DuckDB instance per lake per process** (attaching costs a catalog round trip and
  the extensions' load), a cursor per connection the store asks for; this process's
  connections take turns, as they do on a file.
* **Views** are recreated only when the migrations or views.sql change (a hash kept in
  ``lake_internal.meta``): recreating them on every open would make every worker's start a
  catalog write that conflicts with the others'.
* **Time travel**: a store opened ``at`` a snapshot attaches that snapshot read-only.
* Credentials in the catalog string (``password=...``, or a URI's ``user:password@``)
  never reach messages: :attr:`label` and every error line quoting DuckDB mask them
  (:func:`claims.settings.redact_store`). Prefer PostgreSQL's own ``PGPASSWORD`` or ``~/.pgpass``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import random
import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import duckdb

from claims.errors import ConfigError, SchemaVersionError, StoreError
from claims.models import utcnow
from claims.settings import redact_store
from claims.store.connection import (
    SCHEMA_VERSION,
    Database,
    migration_files,
    retry_on_conflict,
    views_sql,
)
from claims.store.space import SpaceReserve

__all__ = ["LakeDatabase", "lake_ddl", "merge_sql"]

log = logging.getLogger(__name__)

ALIAS = "lake"
INTERNAL = "lake_internal"
# tables whose keys name the run: no two runs write one key, so no guard is needed
_RUN_SCOPED = frozenset({"verdicts", "evidence"})

# -- SQL for a catalog without keys ----------------------------------------------------------

_COMMENT_RE = re.compile(r"--[^\n]*")
_TABLE_RE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s*\((.*?)\)\s*;", re.IGNORECASE | re.DOTALL)
_TABLE_KEY_RE = re.compile(r",\s*PRIMARY\s+KEY\s*\(([^)]*)\)", re.IGNORECASE)
_COLUMN_KEY_RE = re.compile(r"(^|,)\s*(\w+)\s+([^,]*?)\s+PRIMARY\s+KEY\b", re.IGNORECASE)


def lake_ddl(sql: str) -> tuple[str, dict[str, list[str]]]:
    """Migration SQL as DuckLake takes it (comments and ``PRIMARY KEY`` clauses removed) and
    the keys those clauses named, per table."""
    sql = _COMMENT_RE.sub("", sql)
    keys: dict[str, list[str]] = {}

    def table(match: re.Match[str]) -> str:
        name, body = match.group(1), match.group(2)
        found = _TABLE_KEY_RE.search(body)
        if found:
            keys[name.lower()] = [c.strip().lower() for c in found.group(1).split(",")]
            body = _TABLE_KEY_RE.sub("", body)
        column = _COLUMN_KEY_RE.search(body)
        if column:
            keys[name.lower()] = [column.group(2).lower()]
            body = _COLUMN_KEY_RE.sub(lambda m: f"{m.group(1)} {m.group(2)} {m.group(3)}", body)
        return match.group(0).replace(match.group(2), body)

    return _TABLE_RE.sub(table, sql), keys


_UPSERT_RE = re.compile(
    r"^\s*INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)\s*(.*?)\s*ON\s+CONFLICT\s*(?:\(([^)]*)\))?\s*DO\s+"
    r"(NOTHING|UPDATE\s+SET\s+(.*?))\s*$", re.IGNORECASE | re.DOTALL)


# any upsert, recognised or not: without keys, one passed through unchanged would insert duplicates
_ANY_UPSERT_RE = re.compile(r"^\s*INSERT\s+(?:OR\s+(?:REPLACE|IGNORE)\b|.*\bON\s+CONFLICT\b)",
                            re.IGNORECASE | re.DOTALL)


def merge_sql(sql: str, keys: dict[str, list[str]]) -> tuple[str, str | None]:
    """An ``INSERT ... ON CONFLICT`` statement as the ``MERGE INTO`` that does the same
    without a key constraint, and the table it writes; statements that are no upserts
    unchanged (and None). Rows of the source that share a key are merged once. An upsert of
    another form (``INSERT OR REPLACE``, a ``RETURNING`` clause, ...) raises
    :class:`~claims.errors.StoreError`: on a lake, where no key stops it, it would silently
    insert duplicates."""
    match = _UPSERT_RE.match(sql)
    if match is None:
        if _ANY_UPSERT_RE.match(sql):
            raise StoreError(f"cannot write this upsert to a DuckLake (only INSERT INTO t (...) ... ON CONFLICT "
                             f"[(...)] DO NOTHING | DO UPDATE SET ... is rewritten): {' '.join(sql.split())[:200]}")
        return sql, None
    table, columns, source, target, action, sets = match.groups()
    names = [c.strip() for c in columns.split(",")]
    key = [c.strip() for c in target.split(",")] if target else keys.get(table.lower())
    if not key:
        raise StoreError(f"no key known for table {table}: cannot write it to a DuckLake")
    on = " AND ".join(f"{table}.{k} = excluded.{k}" for k in key)
    source_sql = (f"(SELECT DISTINCT ON ({', '.join(key)}) * FROM ({source}) AS s({', '.join(names)})) AS excluded")
    matched = f" WHEN MATCHED THEN UPDATE SET {sets}" if action.upper().startswith("UPDATE") else ""
    values = ", ".join("excluded." + n for n in names)
    merge = (f"MERGE INTO {table} USING {source_sql} ON {on}{matched} "
             f"WHEN NOT MATCHED THEN INSERT ({', '.join(names)}) VALUES ({values})")
    return merge, table


def _all_keys() -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {"schema_migrations": ["version"]}
    for _, _, sql in migration_files():
        keys.update(lake_ddl(sql)[1])
    return keys


class LakeConnection:
    """A cursor on the lake that writes upserts as merges and takes the guard of every table
    with shared keys it merges into (once per transaction)."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, keys: dict[str, list[str]]) -> None:
        self._cursor = cursor
        self._keys = keys
        self._guarded: set[str] = set()

    def _prepare(self, sql: str) -> str:
        if re.match(r"\s*BEGIN\b", sql, re.IGNORECASE):
            self._guarded.clear()
        merged, table = merge_sql(sql, self._keys)
        if table is not None and table.lower() not in _RUN_SCOPED and table.lower() not in self._guarded:
            self._cursor.execute(f"UPDATE {INTERNAL}.guard_{table.lower()} SET n = n + 1")
            self._guarded.add(table.lower())
        return merged

    def execute(self, sql: str, parameters: Any = None) -> duckdb.DuckDBPyConnection:
        prepared = self._prepare(sql)
        return self._cursor.execute(prepared) if parameters is None else self._cursor.execute(prepared, parameters)

    def executemany(self, sql: str, parameters: Any) -> duckdb.DuckDBPyConnection:
        return self._cursor.executemany(self._prepare(sql), parameters)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


# -- the process's instance per lake -----------------------------------------------------------

def _extension(package: str, name: str) -> str:
    spec = importlib.util.find_spec(package)
    path = (Path(spec.origin).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
            if spec is not None and spec.origin else None)
    if path is None or not path.is_file():
        raise StoreError(f"a DuckLake store needs the package {package.replace('_', '-')} built for duckdb "
                         f"{duckdb.__version__}: reinstall claims (make install)")
    return str(path)


_INSTANCES: dict[tuple[str, str, int | None], duckdb.DuckDBPyConnection] = {}
_INSTANCES_GUARD = threading.Lock()
_LOCKS: dict[str, threading.RLock] = {}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# password=VALUE among a libpq keyword string's keywords: quoted ('...', with \' and \\ inside) or bare
_KEYWORD_PASSWORD_RE = re.compile(r"""(^|(?<=[\s:]))password\s*=\s*('(?:[^'\\]|\\.)*'|(?:[^\s\\]|\\.)+)\s*""",
                                  re.IGNORECASE)
_URI_RE = re.compile(r"^(?P<head>postgres(?:ql)?://[^:/@\s]*):(?P<password>[^\s]*)@(?P<tail>.*)$", re.IGNORECASE)


def split_password(spec: str) -> tuple[str, str | None]:
    """A PostgreSQL catalog string without its password, and the password (None when it has
    none): the store hands the password to DuckDB as a temporary secret, so that the path
    DuckDB keeps for the attached catalog (shown by ``duckdb_databases()`` and in its
    ``allowed_paths``) holds none. Keywords (``password='...'``, libpq's quoting) and a URI's
    ``user:password@`` are read; a URI query's ``?password=`` is left to PostgreSQL."""
    head, _, catalog = spec.partition("postgres:")
    match = _KEYWORD_PASSWORD_RE.search(catalog)
    if match:
        value = match.group(2)
        if value.startswith("'"):
            value = value[1:-1]
        password = re.sub(r"\\(.)", r"\1", value)
        rest = (catalog[:match.start()] + " " + catalog[match.end():]).strip()
        return f"{head}postgres:{rest}", password
    if _URI_RE.match(catalog):
        return f"{head}postgres:{_uri_as_keywords(catalog)}", unquote(_URI_RE.match(catalog).group("password"))  # type: ignore[union-attr]  # matched just above
    return spec, None


def _libpq_value(value: str) -> str:
    """``value`` as a libpq keyword's value (quoted when it holds a space or a quote)."""
    if value and not re.search(r"[\s'\\]", value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _uri_as_keywords(uri: str) -> str:
    """A ``postgresql://user:password@host:port/db?k=v`` URI as libpq keywords without the
    password (PostgreSQL then takes the password from the secret; a URI it cannot take with one)."""
    parts = urlsplit(uri)
    words = {"host": parts.hostname or "", "port": str(parts.port or ""), "user": unquote(parts.username or ""),
             "dbname": unquote(parts.path.lstrip("/"))}
    words.update({k: v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() != "password"})
    return " ".join(f"{k}={_libpq_value(v)}" for k, v in words.items() if v)


def _without(message: str, password: str | None) -> str:
    """``message`` with the password and any long piece of it masked (PostgreSQL's own
    messages quote the rest of a connection string they could not parse)."""
    if not password:
        return message
    for piece in sorted({password, *re.split(r"['\"\\\s]+", password)}, key=len, reverse=True):
        if len(piece) >= 3:
            message = message.replace(piece, "***")
    return message


class LakeDatabase(Database):
    """A DuckLake (see the module). Cheap to create; attaches when first used."""

    def __init__(self, spec: str, data_path: str | Path | None = None, *, lock_timeout: float = 120.0,
                 write_retries: int = 60, at: int | None = None) -> None:
        if not spec.startswith("ducklake:"):
            raise ConfigError(f"store {redact_store(spec)!r} is not a DuckLake: give ducklake:postgres:... "
                              "or ducklake:/path/catalog.ducklake, or leave store unset for the local file")
        self.spec = spec
        catalog = spec[len("ducklake:"):]
        self.on_postgres = catalog.startswith("postgres:")
        if not self.on_postgres and ":" in catalog.split("/")[0]:
            raise ConfigError(f"store {redact_store(spec)!r}: the catalog is PostgreSQL (ducklake:postgres:...) "
                              "or a DuckDB file (ducklake:/path/catalog.ducklake)")
        if data_path is None:
            if self.on_postgres:
                raise ConfigError("a DuckLake on PostgreSQL needs lake_data_path (CLAIMS_LAKE_DATA_PATH): "
                                  "the shared folder its Parquet files go to")
            data_path = Path(catalog).with_name(Path(catalog).name + ".files")
        self.data_path = str(data_path) if "://" in str(data_path) else str(Path(data_path).resolve())
        if not self.data_path.endswith("/"):
            self.data_path += "/"
        if not self.on_postgres:
            spec = "ducklake:" + str(Path(catalog).resolve())
            self.spec = spec
        self.at = at
        super().__init__(Path(catalog) if not self.on_postgres else Path("ducklake"), lock_timeout=lock_timeout)
        self.write_retries = write_retries
        self._keys = _all_keys()

    # -- naming ---------------------------------------------------------------------------------

    @property
    def label(self) -> str:
        return f"DuckLake {redact_store(self.spec)}"

    @property
    def described(self) -> str:
        return self.label

    @property
    def name(self) -> str:
        return "DuckLake"

    def exists(self) -> bool:
        return True  # attaching creates an empty lake; a missing catalog server is an error there

    def side_path(self, suffix: str) -> Path:
        return Path(self.data_path.rstrip("/")) / suffix.lstrip(".")

    def sandbox_directories(self) -> list[Path]:
        return [] if "://" in self.data_path else [Path(self.data_path)]

    def reserve_space(self, run_id: str) -> SpaceReserve:
        """None kept: the lake's catalog and data live on servers and shared folders."""
        return SpaceReserve(None)

    # -- connections ----------------------------------------------------------------------------

    def _attach(self, con: duckdb.DuckDBPyConnection, *, read_only: bool) -> None:
        spec, password = self.spec, None
        if self.on_postgres:
            con.execute(f"LOAD {_quote(_extension('duckdb_extension_postgres_scanner', 'postgres_scanner'))}")
            spec, password = split_password(self.spec)
            if password is not None:  # given to PostgreSQL as a secret, not in the path DuckDB shows
                con.execute(f"CREATE TEMPORARY SECRET (TYPE postgres, PASSWORD {_quote(password)})")
        con.execute(f"LOAD {_quote(_extension('duckdb_extension_ducklake', 'ducklake'))}")
        options = [f"DATA_PATH {_quote(self.data_path)}"]
        if read_only or self.at is not None:
            options.append("READ_ONLY")
        if self.at is not None:
            options.append(f"SNAPSHOT_VERSION {int(self.at)}")
        if "://" not in self.data_path and not read_only:
            Path(self.data_path).mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.1
        while True:
            try:
                con.execute(f"ATTACH {_quote(spec)} AS {ALIAS} ({', '.join(options)})")
                con.execute(f"USE {ALIAS}")
                return
            except duckdb.Error as exc:
                message = _without(redact_store(str(exc).splitlines()[0]), password)
                # two processes creating one new lake's catalog at once: the later one retries
                racing = "duplicate key" in message.lower() or "already exists" in message.lower()
                locked = "lock" in message.lower() and not self.on_postgres
                if (racing or locked) and time.monotonic() < deadline:
                    time.sleep(delay * (0.5 + random.random()))
                    delay = min(delay * 2, 2.0)
                    continue
                if "does not exist" in message and "creating a new ducklake" in message.lower():
                    raise StoreError(f"{self.label} holds nothing yet: run claims check first (writing creates it), "
                                     "or check the store and lake_data_path settings") from None
                if self.at is not None and "snapshot" in message.lower():
                    raise StoreError(f"{self.label} has no snapshot {self.at}: list them with claims lake snapshots") from None
                hint = ("check that its PostgreSQL catalog is running and reachable (make lake starts one to try) "
                        "and the store setting" if self.on_postgres else "check the store setting")
                raise StoreError(f"cannot open {self.label} ({message}): {hint}") from None

    def _instance(self) -> duckdb.DuckDBPyConnection:
        key = (self.spec, self.data_path, self.at)
        with _INSTANCES_GUARD:
            con = _INSTANCES.get(key)
            if con is None:
                con = duckdb.connect()
                try:
                    self._attach(con, read_only=False)
                except BaseException:
                    con.close()
                    raise
                _INSTANCES[key] = con
            return con

    def _lock(self) -> threading.RLock:
        with _INSTANCES_GUARD:
            return _LOCKS.setdefault(f"{self.spec}\0{self.data_path}", threading.RLock())

    @contextmanager
    def connect(self, *, read_only: bool = False,
                config: dict[str, Any] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the lake for the block. ``config``: a separate instance with those
        settings, attached read-only (the query sandbox). A PostgreSQL-catalog lake keeps one
        instance per process; a catalog file is attached for each connection and let go
        after, so that other processes on the machine can take their turn (DuckDB locks the
        file, as it does the store's own file)."""
        with self._lock():
            if config is not None or not self.on_postgres:
                con = duckdb.connect(config=config or {})
                try:
                    self._attach(con, read_only=config is not None or read_only)
                    wrapped = con if config is not None else LakeConnection(con, self._keys)
                    yield wrapped  # type: ignore[misc]  # LakeConnection: a duck-typed cursor
                finally:
                    con.close()
                return
            cursor = self._instance().cursor()
            try:
                cursor.execute(f"USE {ALIAS}")
                yield LakeConnection(cursor, self._keys)  # type: ignore[misc]  # duck-typed
            finally:
                cursor.close()

    def check_integrity(self) -> None:
        """Nothing to check at open: the Parquet files are checked as they are read."""

    def up_to_date(self) -> bool:
        """Whether the lake has every migration and the current views (read only)."""
        digest = hashlib.sha256(f"{SCHEMA_VERSION}\n{views_sql()}".encode()).hexdigest()
        try:
            with self.connect(read_only=True) as con:
                version = con.execute("SELECT max(version) FROM schema_migrations").fetchall()[0][0]
                stored = con.execute(f"SELECT value FROM {INTERNAL}.meta WHERE key = 'views'").fetchall()
        except (StoreError, duckdb.Error):
            return False
        return bool(version == SCHEMA_VERSION and stored and stored[0][0] == digest)

    # -- schema ---------------------------------------------------------------------------------

    @retry_on_conflict
    def migrate(self) -> int:
        """Apply the migrations this lake lacks (keys taken out, see :func:`lake_ddl`), make the
        guard tables, and recreate the views when they changed. Workers that start together
        race here: the losers run it again and find it done."""
        if self.at is not None:
            raise StoreError(f"{self.label} is opened at snapshot {self.at}, read-only: it cannot be migrated")
        views = views_sql()
        digest = hashlib.sha256(f"{SCHEMA_VERSION}\n{views}".encode()).hexdigest()
        with self.transaction() as con:
            con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER, name VARCHAR, "
                        "applied_at TIMESTAMP)")
            current = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0]
            if current > SCHEMA_VERSION:
                raise SchemaVersionError(
                    f"{self.label} has schema version {current}, newer than this claims ({SCHEMA_VERSION}): "
                    "upgrade claims or use another database")
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {INTERNAL}")
            con.execute(f"CREATE TABLE IF NOT EXISTS {INTERNAL}.meta (key VARCHAR, value VARCHAR)")
            for version, name, sql in migration_files():
                if version <= current:
                    continue
                log.info("applying migration %03d_%s to the lake", version, name)
                con.execute(lake_ddl(sql)[0])
                con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, utcnow()])
            for table in sorted(set(self._keys) - _RUN_SCOPED):
                if con.execute(f"SELECT count(*) FROM duckdb_tables() WHERE database_name = '{ALIAS}' "
                               f"AND schema_name = '{INTERNAL}' AND table_name = 'guard_{table}'").fetchall()[0][0]:
                    continue
                con.execute(f"CREATE TABLE {INTERNAL}.guard_{table} (n BIGINT)")
                con.execute(f"INSERT INTO {INTERNAL}.guard_{table} VALUES (0)")
            stored = con.execute(f"SELECT value FROM {INTERNAL}.meta WHERE key = 'views'").fetchall()
            if not stored or stored[0][0] != digest:
                if views.strip():
                    con.execute(views)
                con.execute(f"DELETE FROM {INTERNAL}.meta WHERE key = 'views'")
                con.execute(f"INSERT INTO {INTERNAL}.meta VALUES ('views', ?)", [digest])
        return SCHEMA_VERSION

    # -- maintenance ----------------------------------------------------------------------------

    def snapshots(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The lake's snapshots, newest first: id, time, schema version, what changed."""
        with self.connect(read_only=True) as con:
            rows = con.execute(f"SELECT snapshot_id, snapshot_time, schema_version, changes "
                               f"FROM {ALIAS}.snapshots() ORDER BY snapshot_id DESC"
                               + (f" LIMIT {int(limit)}" if limit else "")).fetchall()
        return [{"snapshot": r[0], "time": r[1], "schema_version": r[2], "changes": r[3]} for r in rows]

    def compact(self) -> dict[str, int]:
        """Move inlined rows into Parquet files and merge small adjacent files (DuckLake's own
        maintenance calls); snapshots stay, so time travel still works. Returns the data files
        before, after the inlined rows were written out (``files_flushed``), and after."""
        counts: dict[str, int] = {}
        with self.connect() as con:
            counts["files_before"] = self._file_count(con)
            for call, counted in (("ducklake_flush_inlined_data", "files_flushed"),
                                  ("ducklake_merge_adjacent_files", "files_after")):
                for attempt in range(self.write_retries + 1):
                    try:
                        con.execute(f"CALL {call}('{ALIAS}')").fetchall()
                        break
                    except duckdb.Error as exc:
                        if "conflict" not in str(exc).lower() or attempt == self.write_retries:
                            raise StoreError(f"{self.label}: {call} failed "
                                             f"({redact_store(str(exc).splitlines()[0])})") from None
                        time.sleep(0.2 * (1 + random.random()))
                counts[counted] = self._file_count(con)
            return counts

    @staticmethod
    def _file_count(con: duckdb.DuckDBPyConnection) -> int:
        tables: Sequence[tuple[str, str]] = con.execute(
            f"SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = '{ALIAS}'").fetchall()
        total = 0
        for schema, table in tables:
            total += len(con.execute(f"FROM ducklake_list_files('{ALIAS}', '{table}', schema => '{schema}')").fetchall())
        return total
