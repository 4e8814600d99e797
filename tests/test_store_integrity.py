"""The check before the first write (``Database.check_integrity``, :mod:`claims.store.integrity`):
a damaged store file is refused with one ``Error:`` line, and not one byte of it (or of its
write-ahead log) changes; an intact one, and free space DuckDB itself cut off, are accepted.

A file cut by 1 byte to 256 KiB used to pass the check (the last block held a primary-key
index, which no read-only look touched) and then get 76,905 bytes rewritten, from the header
on, before a write met the cut and was "rolled back". Every case runs the real ``claims``
command in a subprocess under a memory limit and a timeout (``tests.test_hostile_input``),
against a copy of a small real store written through the Store's own write path
(``build_history``: no model is loaded).

    .venv/bin/pytest tests/test_store_integrity.py -q
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from claims.errors import DatabaseDamagedError
from claims.store import Store
from claims.store.connection import Database
from claims.store.integrity import BLOCK_START, HEADER_SIZE, blocks_in_use, file_damage
from tests.conftest import cli_env, copy_db, one_error
from tests.test_hostile_input import ARTICLE, claims
from tests.test_report_views import build_history

KiB = 1024
CUTS = [1, 4 * KiB, 100 * KiB, 256 * KiB, 300 * KiB, 512 * KiB, 1024 * KiB]
WAL_INSERTS = 5
# A writer that dies (os._exit, as kill -9 would) with its commits in the write-ahead log only.
_LEAVE_A_LOG = f"""
import os, sys
import duckdb
con = duckdb.connect(sys.argv[1])
con.execute("SET checkpoint_threshold = '100GB'")
con.execute("PRAGMA disable_checkpoint_on_shutdown")
con.execute("CREATE TABLE scratch (n INTEGER)")
for n in range({WAL_INSERTS}):
    con.execute("INSERT INTO scratch VALUES (?)", [n])
os._exit(0)
"""


@pytest.fixture(scope="module")
def history_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real store (two runs over one claim), written once for the module."""
    path = tmp_path_factory.mktemp("integrity") / "history.duckdb"
    build_history(path)
    assert not _wal(path).exists()
    return path


@pytest.fixture
def store_db(history_db: Path, tmp_path: Path) -> Path:
    """A copy of :func:`history_db` for one test to damage."""
    return copy_db(history_db, tmp_path, "claims.duckdb")


@pytest.fixture
def env(store_db: Path, prefect_home: Path) -> dict[str, str]:
    return cli_env(store_db, prefect_home)


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def _flip(path: Path, offset: int, count: int = 1) -> None:
    """Invert ``count`` bytes of ``path`` from ``offset`` on."""
    with open(path, "r+b") as handle:
        handle.seek(offset)
        data = handle.read(count)
        handle.seek(offset)
        handle.write(bytes(b ^ 0xFF for b in data))


def _in_use(path: Path) -> list[int]:
    with open(path, "rb") as handle:
        return blocks_in_use(handle, path.stat().st_size)


def _duckdb_blocks(path: Path) -> tuple[dict[str, int], set[int], set[int]]:
    """DuckDB's own account of the file: its block counts (``PRAGMA database_size``), the
    blocks its tables' column segments are in, and its metadata blocks."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute("SELECT total_blocks, used_blocks, free_blocks, block_size FROM pragma_database_size()"
                          ).fetchall()[0]
        counts = dict(zip(("total", "used", "free", "block_size"), (int(v) for v in row)))
        tables: set[int] = set()
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            for block, extra in con.execute("SELECT block_id, additional_block_ids FROM pragma_storage_info(?) "
                                            "WHERE block_id >= 0", [table]).fetchall():
                tables.add(int(block))
                tables.update(int(b) for b in extra or [])
        metadata = {int(r[0]) for r in con.execute("SELECT block_id FROM pragma_metadata_info()").fetchall()}
        return counts, tables, metadata
    finally:
        con.close()


def _refused(args: list[str], env: dict[str, str], db: Path) -> str:
    """Run ``claims args``; assert one ``Error:`` line saying the store is damaged and that
    the file and its log are as they were, byte for byte; the line."""
    before = _digest(db), _digest(_wal(db))
    line = one_error(claims(args, env))
    assert f"database {db} is damaged (" in line and "nothing was written to it" in line, line
    assert "backup" in line and "claims export parquet" in line, line
    assert (_digest(db), _digest(_wal(db))) == before  # not one byte written, no log left behind
    return line


# -- cuts -------------------------------------------------------------------------------------


@pytest.mark.parametrize("cut", CUTS, ids=[f"{c // KiB}KiB" if c >= KiB else f"{c}B" for c in CUTS])
def test_a_cut_of_any_size_is_refused_before_a_byte_is_written(
        cut: int, store_db: Path, env: dict[str, str], article: Path) -> None:
    size = store_db.stat().st_size
    if size - cut < BLOCK_START:
        pytest.skip(f"the store is {size:,} bytes, too small for a cut of {cut:,}")
    with open(store_db, "r+b") as handle:
        handle.truncate(size - cut)
    line = _refused(["check", str(article)], env, store_db)
    # found by DuckDB's read-only open when the cut takes a block it reads there (the catalog's)
    assert "it was cut short" in line or "Could not read enough bytes" in line, line


def test_a_cut_into_the_headers_is_refused(store_db: Path, env: dict[str, str], article: Path) -> None:
    with open(store_db, "r+b") as handle:
        handle.truncate(BLOCK_START - 100)
    _refused(["check", str(article)], env, store_db)


# -- damaged bytes ----------------------------------------------------------------------------


def _damage_at(db: Path, where: str) -> int:
    """The offset of a byte inside ``where`` in the store file ``db``."""
    counts, tables, metadata = _duckdb_blocks(db)
    block_size = counts["block_size"]
    used = set(_in_use(db))
    if where == "main header":
        return 60  # in the version string, after the magic bytes
    if where == "first database header":
        return HEADER_SIZE + 24  # in the free list pointer
    if where == "second database header":
        return 2 * HEADER_SIZE + 1000  # past the fields, still under the header's checksum
    if where == "table block":
        block = max(tables)  # the last column segment written, not the first rows a read would touch
    elif where == "catalog block":
        block = min(metadata)
    else:  # an index: in use, yet in no table's segments and no metadata
        indexes = sorted(used - tables - metadata)
        assert indexes, (sorted(used), sorted(tables), sorted(metadata))
        block = indexes[-1]
    assert block in used
    return BLOCK_START + block * block_size + block_size // 2


@pytest.mark.parametrize("where", ["main header", "first database header", "second database header",
                                   "table block", "catalog block", "index block"])
def test_a_damaged_byte_in_use_is_refused_before_a_byte_is_written(
        where: str, store_db: Path, env: dict[str, str], article: Path) -> None:
    _flip(store_db, _damage_at(store_db, where))
    line = _refused(["check", str(article)], env, store_db)
    assert "checksum" in line or "Corrupt" in line, line


# -- the write-ahead log ----------------------------------------------------------------------


def _leave_a_log(db: Path) -> Path:
    """Commit WAL_INSERTS rows to a new table of ``db`` and die before any checkpoint."""
    subprocess.run([sys.executable, "-c", _LEAVE_A_LOG, str(db)], check=True, timeout=120)
    assert _wal(db).stat().st_size > 0
    return _wal(db)


def test_a_corrupt_write_ahead_log_is_refused_before_it_is_replayed(
        store_db: Path, env: dict[str, str], article: Path) -> None:
    wal = _leave_a_log(store_db)
    _flip(wal, wal.stat().st_size // 2)
    line = _refused(["check", str(article)], env, store_db)
    assert "WAL" in line and "checksum" in line and f"move {wal} away" in line, line


def test_a_write_ahead_log_cut_short_by_a_crash_is_recovered(store_db: Path, env: dict[str, str],
                                                             tmp_path: Path) -> None:
    """The end of the log torn off (a writer killed in mid-write) is DuckDB's own recovery:
    the commits before it are kept, the torn one is dropped, and the store is used."""
    wal = _leave_a_log(store_db)
    with open(wal, "r+b") as handle:
        handle.truncate(wal.stat().st_size - 10)
    result = claims(["report", "--out", str(tmp_path / "report.html")], env)
    assert result.returncode == 0, result.stderr
    con = duckdb.connect(str(store_db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM scratch").fetchall() == [(WAL_INSERTS - 1,)]
    finally:
        con.close()
    with open(store_db, "rb") as handle:
        assert file_damage(handle, store_db.stat().st_size) is None


# -- what is not damage -----------------------------------------------------------------------


def test_an_intact_store_is_accepted_and_only_read_by_the_check(store_db: Path, env: dict[str, str],
                                                                tmp_path: Path) -> None:
    before = _digest(store_db)
    Store(store_db).check_integrity()
    assert _digest(store_db) == before and not _wal(store_db).exists()
    result = claims(["report", "--out", str(tmp_path / "report.html")], env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "report.html").stat().st_size > 0


def test_free_blocks_are_not_damage(store_db: Path, env: dict[str, str], tmp_path: Path) -> None:
    """A free block's bytes are never read (DuckDB writes the block whole when it uses it
    again), and a block cut short past those the header counts is one a crash left while
    the file grew: neither is refused, and the next write leaves an intact file."""
    counts, _, _ = _duckdb_blocks(store_db)
    free = sorted(set(range(counts["total"])) - set(_in_use(store_db)))
    assert len(free) == counts["free"] > 0, (free, counts)
    _flip(store_db, BLOCK_START + free[0] * counts["block_size"] + 5000, 64)
    with open(store_db, "ab") as handle:
        handle.write(b"\0" * 1000)  # part of block `total`, past the header's count
    Store(store_db).check_integrity()
    result = claims(["report", "--out", str(tmp_path / "report.html")], env)
    assert result.returncode == 0, result.stderr
    with open(store_db, "rb") as handle:
        assert file_damage(handle, store_db.stat().st_size) is None


def test_free_blocks_duckdb_cut_off_itself_are_not_damage(tmp_path: Path) -> None:
    """After a checkpoint DuckDB cuts the free blocks at the end off the file, after writing a
    header that still counts them: a file shorter than its header says is not always damaged.
    (Where DuckDB puts the new metadata varies between runs: a table is made and dropped until
    the freed blocks are the last ones, which is at the first try nearly always.)"""
    path = tmp_path / "shrunk.duckdb"
    duckdb.connect(str(path)).execute("CREATE TABLE keep AS SELECT range AS n FROM range(1000)").close()
    for _ in range(10):
        con = duckdb.connect(str(path))
        try:
            con.execute("CREATE TABLE big AS SELECT range AS n, md5(range::VARCHAR) AS m FROM range(300000)")
            con.execute("CHECKPOINT")
            con.execute("DROP TABLE big")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        counts, _, _ = _duckdb_blocks(path)
        if path.stat().st_size < BLOCK_START + counts["total"] * counts["block_size"]:
            break  # the header counts blocks the file no longer holds
    else:
        pytest.fail("DuckDB never cut the free blocks at the end off the file")
    before = _digest(path)
    Database(path).check_integrity()
    assert _digest(path) == before


# -- the block map agrees with DuckDB ---------------------------------------------------------


def _long_free_list(path: Path) -> None:
    """A file of 16 KiB blocks with hundreds of free ones: its free list spans many metadata pieces."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{path}' AS f (BLOCK_SIZE 16384)")
        con.execute("CREATE TABLE f.keep AS SELECT range AS n, md5(range::VARCHAR) AS m FROM range(20000)")
        con.execute("CREATE TABLE f.big AS SELECT range AS n, md5(range::VARCHAR) AS m FROM range(300000)")
        con.execute("CREATE UNIQUE INDEX keep_n ON f.keep (n)")
        con.execute("CHECKPOINT f")
        con.execute("DROP TABLE f.big")
        con.execute("CHECKPOINT f")
    finally:
        con.close()


@pytest.mark.parametrize("kind", ["store", "long free list"])
def test_the_blocks_in_use_are_those_duckdb_counts(kind: str, store_db: Path, tmp_path: Path) -> None:
    path = store_db
    if kind == "long free list":
        path = tmp_path / "free.duckdb"
        _long_free_list(path)
    counts, tables, metadata = _duckdb_blocks(path)
    used = _in_use(path)
    assert len(used) == counts["used"], (len(used), counts)
    assert tables | metadata <= set(used)
    if kind == "long free list":
        assert counts["free"] > 300, counts
    with open(path, "rb") as handle:
        assert file_damage(handle, path.stat().st_size) is None


def test_damage_found_in_process_is_the_one_line_error(store_db: Path) -> None:
    with open(store_db, "r+b") as handle:
        handle.truncate(store_db.stat().st_size - 1)
    before = _digest(store_db)
    with pytest.raises(DatabaseDamagedError, match="it was cut short"):
        Store(store_db).migrate()
    assert _digest(store_db) == before and not _wal(store_db).exists()
