"""The DuckDB file: connections, transactions and migrations (the tables' SQL is in the
sibling modules, one per concern, mixed into :class:`claims.store.Store`).

Concurrency design. DuckDB lets one process at a time open a file for writing. The
pipeline therefore never holds a connection for the length of a run: every write is a
short transaction on a connection opened for it (:meth:`Store.transaction`), and opening
is retried with exponential backoff and jitter while another process holds the lock, up
to ``lock_timeout`` seconds. Overlapping runs thus interleave their writes instead of
failing. Everything that makes a verdict visible (the verdict row and its evidence rows)
is written in one transaction, so a run killed at any point leaves either all of a
claim's verdict or none of it.

Damage. A truncated or corrupt file is refused before anything is written to it: opening
the database for writing (:meth:`Database.migrate`) first opens it read-only (DuckDB checks
its headers and replays its write-ahead log in memory, checksum by checksum) and then, under
that connection's shared lock, reads the whole file and checks every header and every block
in use against its checksum (:mod:`claims.store.integrity`), whatever its size or the size of
the cut. A damage error met later, in any transaction (the disk failing during the run),
rolls that transaction back and becomes the same one-line
:class:`~claims.errors.DatabaseDamagedError` (the run's row is then not closed: that would
be a write).

A new file. DuckDB creates a file (0 bytes), then locks it, then writes its headers, so a
process that opens it in between finds it empty ("not a valid DuckDB database file"), and its
failed open can leave the file empty for good. Files are therefore created one process at a
time, under a lock of this machine's (:meth:`Database._create`), never called damaged for
being new (issue 34: four writers starting together under load were told to restore a
healthy file from a backup).

Within one process, connections to a file are opened one at a time (an in-process lock
per file, held for the connection's short life). DuckDB would share one database
instance between them, and concurrent use of it fails in two ways seen here: two
transactions writing the same keys at once make DuckDB fail one of them (a constraint
conflict), and a Python-object scan (``register``) while another thread opens or closes a
connection intermittently fails with "pandas_scan does not exist" (seen with duckdb 2.0.1,
the engine before 1.5.5). Threads (a flow's task runner) therefore take turns, as processes do.

A full disk. A write that finds no room (ENOSPC, a quota, or EFBIG past a file size limit)
is rolled back and becomes one :class:`~claims.errors.DiskFullError` line; what was committed
before is kept. A run keeps room for recording its own end (:mod:`claims.store.space`).

Engine. duckdb 1.5.5 is pinned: the DuckLake and postgres_scanner extension packages on
PyPI exist only for that version. It cannot read a file written by DuckDB 2.0 (storage
version 999; 1.5.5 reads 64-68), which earlier checkouts of claims wrote with duckdb 2.0.1:
opening one gives a one-line :class:`~claims.errors.StoreError` that says to export it with
the newer DuckDB or move it away (:func:`newer_engine`).
"""

from __future__ import annotations

import errno
import fcntl
import functools
import hashlib
import json
import logging
import os
import random
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import duckdb
import numpy as np

from claims.errors import (
    DatabaseDamagedError,
    DatabaseLockedError,
    DiskFullError,
    SchemaVersionError,
    StoreError,
)
from claims.models import utcnow
from claims.store.integrity import BLOCK_START, file_damage
from claims.store.space import SpaceReserve

__all__ = ["SCHEMA_VERSION", "Database", "damaged", "disk_full", "insert_json", "insert_rows", "insert_scanned", "is_conflict",
           "is_damage", "is_disk_full", "newer_engine", "retry_on_conflict", "row_count", "rows_as_dicts",
           "vector_text"]

log = logging.getLogger(__name__)

_MIGRATION_RE = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


def migration_files() -> list[tuple[int, str, str]]:
    folder = resources.files("claims.store").joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_RE.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


SCHEMA_VERSION = max(v for v, _, _ in migration_files())


def views_sql() -> str:
    path = resources.files("claims.store").joinpath("views.sql")
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def views_digest() -> str:
    """What the store keeps to tell whether its views are those of views.sql (and the schema)."""
    return "views " + hashlib.sha256(f"{SCHEMA_VERSION}\n{views_sql()}".encode()).hexdigest()


def _views_comment(con: duckdb.DuckDBPyConnection) -> str | None:
    rows = con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'schema_migrations' "
                       "AND database_name = current_database() AND schema_name = 'main'").fetchall()
    return str(rows[0][0]) if rows and rows[0][0] is not None else None


def _is_lock_error(exc: BaseException) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Conflicting lock" in text or "Could not set lock" in text)


# What DuckDB says when a file is shorter than its blocks or a block fails its checksum.
_DAMAGE_SIGNS = ("corrupt database file", "could not read enough bytes", "checksum",
                 "not a valid duckdb database file")


def is_damage(exc: BaseException) -> bool:
    """Whether a DuckDB error says the file is truncated or corrupt."""
    text = str(exc).lower()
    return any(sign in text for sign in _DAMAGE_SIGNS)


# What the system says when a write finds no room: a full disk, a quota, a file size limit
# (RLIMIT_FSIZE: EFBIG once SIGXFSZ is ignored). DuckDB passes the strerror on in its message.
_DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_DISK_FULL_SIGNS = ("no space left on device", "disk quota exceeded", "file too large")


def is_disk_full(exc: BaseException) -> bool:
    """Whether an error (an OSError, or DuckDB's message) says a write found no room."""
    if isinstance(exc, OSError) and exc.errno in _DISK_FULL_ERRNOS:
        return True
    text = str(exc).lower()
    return any(sign in text for sign in _DISK_FULL_SIGNS)


def disk_full(what: str, exc: BaseException) -> DiskFullError:
    """The one-line error for a write to ``what`` that found no room."""
    if isinstance(exc, OSError) and exc.strerror:
        detail = f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    else:
        detail = (str(exc).splitlines() or [exc.__class__.__name__])[0]
    return DiskFullError(f"no room to write {what} ({detail}): that write was rolled back and what was stored "
                         "before is kept; free space on that disk (or raise the file size limit) and run again")


# What DuckDB says when the file's storage version is newer than it reads (a file written by
# duckdb 2.0 opened by the 1.5.5 this project pins): "Trying to read a database file with
# version number 999, but we can only read versions between 64 and 68. The database file
# was created with an newer version of DuckDB. ..."
_NEWER_ENGINE_RE = re.compile(r"version number (\d+), but we can only read versions between (\d+) and (\d+)")


def newer_engine(path: Path, exc: BaseException) -> StoreError | None:
    """The one-line error for a file written by a newer DuckDB than this one, or None."""
    text = str(exc)
    if "newer version of duckdb" not in text.lower():
        return None
    match = _NEWER_ENGINE_RE.search(text)
    storage = (f" (storage version {match.group(1)}; claims uses duckdb {duckdb.__version__}, which reads versions "
               f"{match.group(2)}-{match.group(3)})") if match else f" than the duckdb {duckdb.__version__} claims uses"
    return StoreError(
        f"database {path} was written by a newer DuckDB{storage} and cannot be opened: export its tables with "
        "that newer DuckDB (claims export parquet DIR from the claims that wrote it, or EXPORT DATABASE) and "
        "load them into a new database, or move the file away to start a new database")


def damaged(path: Path | str, detail: str, *, written: str = "nothing was written to it") -> DatabaseDamagedError:
    """The one-line error for a truncated or corrupt database file (or write-ahead log:
    DuckDB's message names the log when its replay failed)."""
    if "wal file" in detail.lower():
        wal = f"{path}.wal"
        return DatabaseDamagedError(
            f"database {path} is damaged ({detail}); {written}: move {wal} away to open the database as it was "
            "at its last checkpoint (the writes only the log holds are lost), or restore both from a backup or "
            "rebuild the database from your Parquet export (claims export parquet)")
    return DatabaseDamagedError(
        f"database {path} is damaged ({detail}); {written}: restore it from a backup or rebuild it "
        "from your Parquet export (claims export parquet), or move it away to start a new database")


# What DuckLake says when a transaction lost to another one that committed first (its
# optimistic concurrency: the loser's whole transaction must be run again), and what its
# PostgreSQL catalog says when two commits race for the next snapshot.
_CONFLICT_SIGNS = ("transaction conflict", "failed to commit ducklake transaction", "could not serialize access",
                   "deadlock detected")


def is_conflict(exc: BaseException) -> bool:
    """Whether a DuckDB error says the transaction lost a commit race and may simply be rerun."""
    text = str(exc).lower()
    return any(sign in text for sign in _CONFLICT_SIGNS)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def retry_on_conflict(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """A store method whose transactions are run again, whole, when they lose a commit race
    (a DuckLake written by several processes at once; a DuckDB file never has one, its
    writers taking turns): up to ``write_retries`` times, with jittered exponential backoff
    of at most 5 s, then a one-line :class:`~claims.errors.StoreError`. Only for methods whose
    every write is in their own transactions: a rerun repeats the method from the start."""

    @functools.wraps(method)
    def rerun(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        store = args[0]
        assert isinstance(store, Database)
        delay = 0.05
        for attempt in range(store.write_retries + 1):
            try:
                return method(*args, **kwargs)
            except duckdb.Error as exc:
                if not is_conflict(exc):
                    raise
                if attempt == store.write_retries:
                    raise StoreError(
                        f"{store.label}: {method.__name__} lost {attempt + 1} commit races to other writers: "
                        "raise lake_write_retries, or run fewer writers at once") from None
                store.conflicts += 1
                log.debug("%s lost a commit race (attempt %d); running it again", method.__name__, attempt + 1)
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 5.0)
        raise AssertionError("unreachable")

    return rerun


@contextmanager
def _creation_lock(path: Path, deadline: float) -> Iterator[None]:
    """This machine's lock for creating the database file ``path`` (see
    :meth:`Database._create`): an ``flock`` on a file in the system's temporary folder named
    by the path's hash, so the database's own folder gets no file of it. Waited for until
    ``deadline``, then a :class:`~claims.errors.DatabaseLockedError`."""
    name = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:24]
    lock_path = Path(tempfile.gettempdir()) / f"claims-create-{name}.lock"
    with open(lock_path, "a+b") as handle:
        delay = 0.01
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DatabaseLockedError(f"database {path} is being created by another process for too long: "
                                              "wait for it to finish or raise lock_timeout") from None
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.5)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# No extension is installed or loaded when a file opens: a file of another kind (--db x.sqlite)
# would otherwise make DuckDB download its reader (sqlite_scanner) and open it.
_NO_EXTENSIONS: dict[str, Any] = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}

# The first bytes of files of other kinds that DuckDB would open through an extension.
_OTHER_KINDS = ((b"SQLite format 3\x00", "SQLite"), (b"PAR1", "Parquet"))

_PROCESS_LOCKS: dict[str, threading.RLock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


def _process_lock(path: Path) -> threading.RLock:
    """The in-process lock that makes this process's connections to one file take turns."""
    key = str(path.resolve())
    with _PROCESS_LOCKS_GUARD:
        return _PROCESS_LOCKS.setdefault(key, threading.RLock())


def vector_text(vector: Any) -> str | None:
    """A float vector as DuckDB list text ("[0.1, 0.2]"), for a parameter cast to FLOAT[]:
    DuckDB binds a Python list element by element (30 ms for 384 floats), the text in 1 ms.
    ``repr`` of each float is exact, so the cast gives back the same float32 values."""
    if vector is None:
        return None
    return "[" + ", ".join(map(repr, np.asarray(vector, dtype=np.float32).tolist())) + "]"


def insert_rows(con: duckdb.DuckDBPyConnection, head: str, rows: Sequence[Sequence[Any]], tail: str = "",
                chunk: int = 500, casts: Mapping[int, str] | None = None) -> None:
    """``head VALUES (...), (...) tail`` in statements of ``chunk`` rows: one parameter
    binding per statement, 20-30x faster than ``executemany`` (a round trip per row).
    ``casts`` maps a column's position to a type its parameter is cast to (``CAST(? AS
    FLOAT[])`` for a vector given as :func:`vector_text`)."""
    if not rows:
        return
    slot = "(" + ", ".join(f"CAST(? AS {casts[i]})" if casts and i in casts else "?"
                           for i in range(len(rows[0]))) + ")"
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        con.execute(f"{head} VALUES {', '.join([slot] * len(part))} {tail}", [v for row in part for v in row])


def insert_json(con: duckdb.DuckDBPyConnection, head: str, types: Sequence[str], rows: Sequence[Sequence[Any]],
                tail: str = "") -> None:
    """``head SELECT ... tail`` of ``rows`` sent as one JSON text and read back with
    ``from_json`` into columns of ``types`` (one DuckDB type per column, in order): one
    parameter in all. Binding each value of a wide row is what costs (90 evidence rows of
    21 columns: 0.2 s as ``VALUES`` parameters, 5 ms as JSON). Values are strings, numbers,
    None or datetimes (written as ISO text); rows holding a float that JSON cannot write
    (NaN, infinity) go through :func:`insert_rows` instead."""
    if not rows:
        return
    fields = [f"c{i}" for i in range(len(types))]
    try:
        text = json.dumps([dict(zip(fields, row, strict=True)) for row in rows], allow_nan=False,
                          default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v))
    except ValueError:
        insert_rows(con, head, rows, tail)
        return
    spec = json.dumps(dict(zip(fields, types, strict=True))).replace("'", "''")
    con.execute(f"{head} SELECT {', '.join(fields)} FROM (SELECT unnest(from_json(?, '[{spec}]'), recursive := true)) "
                f"{tail}", [text])


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """How many rows ``table`` holds (writes compare it before and after to report what they added)."""
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])


def insert_scanned(con: duckdb.DuckDBPyConnection, table: str, columns: str, select: str, meta: np.ndarray,
                   vectors: np.ndarray, tail: str = "", params: Sequence[Any] = ()) -> int:
    """``INSERT INTO table (columns) SELECT select ... tail`` from two arrays that DuckDB
    scans without Python objects: ``meta`` (object array, one row per column, read as
    ``m.column0``...) and ``vectors`` (float32, one row per item); ``{vector}`` in
    ``select`` stands for the item's vector as a list. A Python list per 384-float vector
    through ``executemany`` costs ~2 ms a row; this, 5,000 rows in 0.13 s. Returns the
    number of rows added."""
    columns_major = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32).T)  # one column per dimension
    vector = "list_value(" + ", ".join(f"v.column{i}" for i in range(columns_major.shape[0])) + ")"
    con.register("_scanned_meta", meta)
    con.register("_scanned_vectors", columns_major)
    try:
        before = row_count(con, table)
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {select.format(vector=vector)} "
                    f"FROM _scanned_meta AS m POSITIONAL JOIN _scanned_vectors AS v {tail}", list(params))
        return row_count(con, table) - before
    finally:
        con.unregister("_scanned_meta")
        con.unregister("_scanned_vectors")


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction; a rollback that fails (the transaction already ended
    with the error) must not hide the error that led to it."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error as exc:
        log.debug("rollback after a failed write: %s", exc)


def rows_as_dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The rows of an executed query as dicts keyed by column name."""
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


class Database:
    """One DuckDB file. Cheap to create; opens connections only when used."""

    #: how many times a transaction that lost a commit race is run again (a file has none)
    write_retries = 0

    def __init__(self, path: str | Path, *, lock_timeout: float = 120.0) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.conflicts = 0  # commit races lost and rerun by this object (retry_on_conflict)

    @property
    def label(self) -> str:
        """How messages name this store (no credentials)."""
        return str(self.path)

    @property
    def described(self) -> str:
        """The store as a message's subject: ``database claims.duckdb``."""
        return f"database {self.label}"

    @property
    def name(self) -> str:
        """A short name for titles (the file's name)."""
        return self.path.name

    def exists(self) -> bool:
        """Whether the store is there to be read (a file may not be yet)."""
        return self.path.exists()

    def side_path(self, suffix: str) -> Path:
        """Where files that belong to this store live (``claims.duckdb`` + ``.vectors``)."""
        return self.path.with_name(self.path.name + suffix)

    def sandbox_directories(self) -> list[Path]:
        """Folders a sandboxed reader must reach besides the database file (none for a file)."""
        return []

    # -- connections -------------------------------------------------------------------

    def _refuse_other_kinds(self) -> None:
        """A file of another database's kind (SQLite, Parquet) is refused as such: DuckDB would
        reach for the extension that reads it (downloading sqlite_scanner) and open it."""
        try:
            with self.path.open("rb") as handle:
                head = handle.read(16)
        except OSError:
            return  # missing (created by the open) or unreadable: the open says what is wrong
        kind = next((name for magic, name in _OTHER_KINDS if head.startswith(magic)), None)
        if kind is not None:
            raise StoreError(f"{self.path} is a {kind} file, not a DuckDB database: claims keeps its verdicts in "
                             "DuckDB; give --db (CLAIMS_DB) a .duckdb file, a new one to start afresh")

    def _open(self, read_only: bool, config: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
        self._refuse_other_kinds()
        deadline = time.monotonic() + self.lock_timeout
        created = self._create(read_only, config, deadline)
        if created is not None:
            return created
        delay = 0.05
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only, config={**_NO_EXTENSIONS, **(config or {})})
            except duckdb.IOException as exc:
                if is_disk_full(exc):
                    raise disk_full(self.described, exc) from None
                if is_damage(exc):
                    raise damaged(self.path, str(exc).splitlines()[0]) from None
                newer = newer_engine(self.path, exc)
                if newer is not None:
                    raise newer from None
                if not _is_lock_error(exc):
                    raise StoreError(f"cannot open database {self.path}: {str(exc).splitlines()[0]}") from None
                if time.monotonic() >= deadline:
                    raise DatabaseLockedError(
                        f"database {self.path} is locked by another process for more than "
                        f"{self.lock_timeout:.0f}s: wait for it to finish or raise lock_timeout"
                    ) from None
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 2.0)
            except duckdb.Error as exc:
                if is_disk_full(exc):
                    raise disk_full(self.described, exc) from None
                if is_damage(exc):
                    raise damaged(self.path, str(exc).splitlines()[0]) from None
                newer = newer_engine(self.path, exc)
                if newer is not None:
                    raise newer from None
                raise StoreError(
                    f"cannot open database {self.path} ({str(exc).splitlines()[0]}): "
                    "check the path, or move a damaged file away"
                ) from None

    def _short(self) -> bool:
        """Whether the file is missing or shorter than its headers (not yet, or never, written)."""
        try:
            return self.path.stat().st_size < BLOCK_START
        except FileNotFoundError:
            return True

    def _create(self, read_only: bool, config: dict[str, Any] | None,
                deadline: float) -> duckdb.DuckDBPyConnection | None:
        """Create the file, one process at a time: the connection that made it, or None when
        it needs no making (it has its headers: the usual open follows).

        DuckDB creates a file (0 bytes), then locks it, then writes its 12 KiB of headers. A
        second process that opens it between the first two steps finds it empty ("not a valid
        DuckDB database file"), and, holding DuckDB's lock while it fails, makes the creator
        fail too: both then find an empty file on every later try, which the store called
        damaged. So a process that finds the file missing or short takes this machine's
        creation lock for it (:func:`_creation_lock`) and looks again: still missing, it
        creates it (DuckDB has written the headers when ``connect`` returns); still empty,
        the creation that made it failed before writing anything (nothing is lost), and it is
        made again; short but not empty, it is damaged (the usual open says so)."""
        if not self._short():
            return None
        with _creation_lock(self.path, deadline):
            if not self._short():
                return None  # another process created it meanwhile
            try:
                empty = self.path.stat().st_size == 0
            except FileNotFoundError:
                empty = False
            if read_only or (self.path.exists() and not empty):
                return None
            if empty:
                log.info("database %s is empty (a creation that wrote nothing): creating it", self.path)
                self.path.unlink()
            try:
                return duckdb.connect(str(self.path), read_only=False, config={**_NO_EXTENSIONS, **(config or {})})
            except duckdb.Error as exc:
                if is_disk_full(exc):
                    raise disk_full(self.described, exc) from None
                raise StoreError(f"cannot create database {self.path} ({str(exc).splitlines()[0]}): "
                                 "check the path and that its folder can be written") from None

    @contextmanager
    def connect(self, *, read_only: bool = False,
                config: dict[str, Any] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for the duration of the block (read-only ones need an existing file);
        ``config``: DuckDB settings given when it opens."""
        if read_only and not self.path.exists():
            raise StoreError(f"database {self.path} does not exist: run `claims check` first or set CLAIMS_DB")
        with _process_lock(self.path):
            con = self._open(read_only, config)
            try:
                yield con
            except (duckdb.InterruptException, RuntimeError) as exc:
                # Ctrl-C while a statement ran: DuckDB turns the KeyboardInterrupt into its own
                # error ("Query interrupted"), which a handler of errors would take; it stays one
                if isinstance(exc, duckdb.InterruptException) or str(exc).startswith("Query interrupted"):
                    raise KeyboardInterrupt from None
                raise
            finally:
                con.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short write transaction: committed on success, rolled back on error (a damaged
        file's error becomes :class:`~claims.errors.DatabaseDamagedError`, a full disk's
        :class:`~claims.errors.DiskFullError`; other DuckDB errors pass as they are, for
        :func:`retry_on_conflict`)."""
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except duckdb.Error as exc:
                _rollback(con)
                raise self._write_error(exc) from None
            except BaseException:
                _rollback(con)
                raise
            try:
                con.execute("COMMIT")  # a failed commit is rolled back by DuckDB itself
            except duckdb.Error as exc:
                raise self._write_error(exc) from None

    def _write_error(self, exc: duckdb.Error) -> Exception:
        """What a failed write raises: the one-line error for damage or a full disk, else ``exc``."""
        if is_damage(exc):
            return damaged(self.path, str(exc).splitlines()[0], written="this write was rolled back")
        if is_disk_full(exc):
            return disk_full(self.described, exc)
        return exc

    def reserve_space(self, run_id: str) -> SpaceReserve:
        """Room on the database's disk for recording the end of run ``run_id`` should the
        disk fill meanwhile (see :mod:`claims.store.space`)."""
        return SpaceReserve.take(self.side_path(f".reserve-{os.getpid()}-{run_id}"))

    def check_integrity(self) -> None:
        """Refuse a truncated or corrupt file before anything is written to it. The file is
        opened read-only first: DuckDB checks its headers and replays its write-ahead log in
        memory, refusing a corrupt one (a log cut short at the end is a crash's, which DuckDB
        recovers). Then, while that connection's shared lock keeps writers out, every header and
        every block in use is read and checked against its checksum
        (:func:`claims.store.integrity.file_damage`): a cut of any size that takes anything in
        use, or a damaged byte anywhere in use, is found here, not by a write halfway through.
        Nothing is written to the file or its log."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return  # a new database (DuckDB refuses an empty file at open, as damaged)
        with self.connect(read_only=True):
            try:
                # Read after DuckDB's lock is held. (Closing this handle drops the process's
                # POSIX locks on the file, DuckDB's too: the connection is closed right after.)
                with self.path.open("rb") as handle:
                    problem = file_damage(handle, os.fstat(handle.fileno()).st_size)
            except OSError as exc:
                raise StoreError(f"cannot read database {self.path} ({exc.strerror or exc}): "
                                 "check the file, or move it away") from None
        if problem is not None:
            raise damaged(self.path, problem)

    # -- schema --------------------------------------------------------------------------

    def migrate(self) -> int:
        """Apply the migrations this file lacks; refuse a file from a newer version, and a
        damaged one before anything is written (:meth:`check_integrity`)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.check_integrity()
        with self.transaction() as con:
            con.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)"
            )
            current = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0]
            if current > SCHEMA_VERSION:
                raise SchemaVersionError(
                    f"database {self.path} has schema version {current}, newer than this claims "
                    f"({SCHEMA_VERSION}): upgrade claims or use another database file"
                )
            for version, name, sql in migration_files():
                if version <= current:
                    continue
                log.info("applying migration %03d_%s", version, name)
                con.execute(sql)
                con.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, utcnow()]
                )
            # views carry no data: recreated when views.sql changed (its digest kept as the
            # comment of schema_migrations), so that an open for writing that changes nothing
            # writes nothing
            if _views_comment(con) != views_digest():
                views = views_sql()
                if views.strip():
                    con.execute(views)
                con.execute(f"COMMENT ON TABLE schema_migrations IS '{views_digest()}'")
        return SCHEMA_VERSION

    def up_to_date(self) -> bool:
        """Whether the store has every migration and the current views, read without writing
        (a command that only reads then opens it read-only: nothing rewritten, no write lock)."""
        try:
            with self.connect(read_only=True) as con:
                version = con.execute("SELECT max(version) FROM schema_migrations").fetchall()[0][0]
                return bool(version == SCHEMA_VERSION and _views_comment(con) == views_digest())
        except (StoreError, duckdb.Error):
            return False

    def schema_version(self) -> int:
        with self.connect(read_only=True) as con:
            return int(con.execute("SELECT max(version) FROM schema_migrations").fetchall()[0][0])

    def check_version(self, con: duckdb.DuckDBPyConnection) -> None:
        try:
            version = con.execute("SELECT max(version) FROM schema_migrations").fetchall()[0][0]
        except duckdb.CatalogException:
            return
        if version is not None and version > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"{self.described} has schema version {version}, newer than this claims "
                f"({SCHEMA_VERSION}): upgrade claims or use another database"
            )
