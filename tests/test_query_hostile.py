"""``claims query`` (and every ``--out``) against a hostile user: issue 26's holes.

As in ``tests/test_hostile_input.py``, every case runs the real command in a subprocess
under a memory limit (``RLIMIT_AS``, 3 GiB) and a timeout, here against a copy of a small
seeded database (:func:`tests.test_report_views.build_history`). A refused statement or
output gets one ``Error:`` line and a non-zero exit, and the database is byte for byte what
it was (SHA-256 before and after).

* DuckLake's maintenance functions (``ducklake_merge_adjacent_files`` wrote new files into
  a read-only lake each time; ``ducklake_set_option`` crashed the process) and every table
  function off the sandbox's list are refused before DuckDB runs anything, whatever the
  case, quotes, schema or comments;
* comments nest as DuckDB nests them: ``/* /* */ SELECT */ COPY ...`` is a COPY;
* Ctrl-C stops a running query (a cross join ran on after it), and so do the time and
  memory limits, each with one line naming its setting;
* ``--format json`` is JSON: no ``Infinity`` or ``NaN``;
* no ``--out`` replaces the database, its write-ahead log or another DuckDB file, and a
  folder as ``--out`` is one line, not a traceback;
* DuckDB's hints stay in the one line (``Did you mean "latest_verdicts"?``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from claims.errors import QueryError
from claims.settings import load_settings
from claims.store import open_store, run_user_query
from claims.store.lake import LakeDatabase
from claims.store.queries import TABLE_FUNCTIONS, user_statement
from tests.conftest import cli_env, one_error
from tests.test_report_views import build_history

MEMORY_LIMIT = 3 << 30
EXE = shutil.which("claims", path=str(Path(sys.executable).parent)) or "claims"
SLOW_JOIN = "select count(*) from range(1000000) a, range(1000000) b"  # runs for hours


def _child() -> None:
    """In the child before it runs: the memory limit, and Ctrl-C as a terminal delivers it
    (a shell starts background jobs with SIGINT ignored, and the child would inherit that)."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def claims(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real command, its memory limited and its time bounded (a hang fails the test)."""
    return subprocess.run([EXE, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False,
                          stdin=subprocess.DEVNULL, preexec_fn=_child)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seeded") / "claims.duckdb"
    build_history(path)
    return path


@pytest.fixture
def db(seeded: Path, tmp_path: Path) -> Path:
    """A copy of the seeded database for one test, in a folder of its own."""
    copy = tmp_path / "store" / "claims.duckdb"
    copy.parent.mkdir()
    shutil.copyfile(seeded, copy)
    return copy


@pytest.fixture
def env(db: Path, tmp_path: Path) -> dict[str, str]:
    return cli_env(db, tmp_path / "prefect")


# -- 1. table functions: an allow-list; DuckLake's maintenance only through claims lake --------

LAKE_CALLS = [
    "select * from ducklake_merge_adjacent_files('lake')",
    "SELECT * FROM DUCKLAKE_SET_OPTION('lake', 'target_file_size', '1KB')",
    "select * from main.\"DuckLake_Expire_Snapshots\"('lake', older_than => now())",
    "select * from lake.main.ducklake_cleanup_old_files('lake', cleanup_all => true)",
    "select * from /* x */ ducklake_rewrite_data_files /* y */ ('lake')",
    "with s as (select * from ducklake_snapshots('lake')) select count(*) from s",
    "select 1 where 1 in (select 1 from ducklake_flush_inlined_data('lake'))",
    "explain analyze select * from ducklake_delete_orphaned_files('lake')",
    "explain (format json) select * from ducklake_merge_adjacent_files('lake')",
    "summarize select * from ducklake_list_files('lake', 'claims')",
    "select ducklake_x(1)",
]
OTHER_CALLS = {
    "select * from query('select 1')": "query()",
    "select * from QUERY_TABLE('claims')": "query_table()",
    "select * from checkpoint()": "checkpoint()",
    "select * from json_execute_serialized_sql('{}')": "json_execute_serialized_sql()",
    "select * from postgres_execute('lake', 'drop table x')": "postgres_execute()",
    "from (from \"Enable_Logging\"())": "enable_logging()",
}
ALLOWED = [
    "select count(*) from range(3)",
    "from generate_series(1, 3) t(x), lateral (select * from unnest([x, x]))",
    "select * from json_each('{\"a\": 1}')",
    "select count(*) > 0 from duckdb_tables()",
    "select * from pragma_table_info('claims')",
    "describe claims",
    "explain (format json) select * from range(2)",
    "select 1 from range(2) ducklake_alias(x)",  # a name, not a call
]


def test_lake_and_side_effect_functions_are_refused_before_running(env: dict[str, str], db: Path) -> None:
    before = digest(db)
    for sql in LAKE_CALLS[:3]:  # through the command: one line, nothing run
        line = one_error(claims(["query", sql], env))
        assert "claims lake" in line and "ducklake_" in line, (sql, line)
    line = one_error(claims(["query", "select * from query('select 1')"], env))
    assert "does not run the table function query()" in line
    assert claims(["query", "select count(*) as n from range(3)", "--format", "csv"], env).stdout.split() == ["n", "3"]
    assert digest(db) == before
    for sql in LAKE_CALLS:  # the rest through the library's check, which the command runs first
        with pytest.raises(QueryError, match="claims lake"):
            user_statement(sql)
    for sql, name in OTHER_CALLS.items():
        with pytest.raises(QueryError, match=f"does not run the table function {name}"):
            user_statement(sql)
    for sql in ALLOWED:
        assert user_statement(sql) == sql
    assert not any(name.startswith(("ducklake_", "query", "postgres_")) for name in TABLE_FUNCTIONS)


def test_lake_maintenance_writes_nothing_into_a_lake(tmp_path: Path, prefect_home: Path) -> None:
    lake = open_store(load_settings(store=f"ducklake:{tmp_path / 'catalog.ducklake'}"))
    assert isinstance(lake, LakeDatabase)
    lake_env = cli_env(tmp_path / "unused.duckdb", prefect_home, CLAIMS_STORE=f"ducklake:{tmp_path / 'catalog.ducklake'}")
    data = Path(lake.data_path)
    files = {p: digest(p) for p in data.rglob("*") if p.is_file()}
    catalog = digest(tmp_path / "catalog.ducklake")
    for sql in ("select * from ducklake_merge_adjacent_files('lake')",
                "select * from ducklake_set_option('lake', 'target_file_size', '1KB')"):
        assert "claims lake" in one_error(claims(["query", sql], lake_env))
    line = one_error(claims(["query", "select 1", "--format", "parquet", "--out", str(tmp_path / "catalog.ducklake")],
                            lake_env))
    assert "is the DuckLake" in line
    line = one_error(claims(["query", "select 1", "--format", "parquet", "--out", str(data / "x.parquet")], lake_env))
    assert "inside the data folder" in line
    assert {p: digest(p) for p in data.rglob("*") if p.is_file()} == files
    assert digest(tmp_path / "catalog.ducklake") == catalog
    assert not (tmp_path / "unused.duckdb").exists()
    assert run_user_query(lake, "select count(*) from schema_migrations").rows[0][0] > 0


# -- 2. comments are read as DuckDB reads them ---------------------------------------------------

def test_nested_comments_hide_neither_a_copy_nor_a_select(env: dict[str, str], db: Path, tmp_path: Path) -> None:
    target = tmp_path / "copied.csv"
    before = digest(db)
    line = one_error(claims(["query", f"/* /* */ SELECT */ COPY (select * from claims) TO '{target}'"], env))
    assert "not COPY" in line  # it said "not SELECT"
    assert not target.exists()
    result = claims(["query", "/* a /* nested */ COPY */ -- and a line\n SELECT 42 AS answer", "--format", "csv"], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["answer", "42"]
    assert digest(db) == before


# -- 3. Ctrl-C, the time limit, the memory limit -------------------------------------------------

def _opened(pid: int, path: Path) -> bool:
    """Whether process ``pid`` holds ``path`` open (its query connection is up)."""
    try:
        links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except OSError:
        return False
    return str(path) in links


def test_ctrl_c_stops_a_running_query(env: dict[str, str], db: Path) -> None:
    before = digest(db)
    proc = subprocess.Popen([EXE, "query", SLOW_JOIN], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=_child)  # noqa: PLW1509 - setrlimit and a signal's disposition only, in the child
    try:
        deadline = time.monotonic() + 60
        while not _opened(proc.pid, db) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # the cross join is running
        assert proc.poll() is None, proc.communicate()
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert time.monotonic() - sent < 10
    line = one_error(subprocess.CompletedProcess(proc.args, proc.returncode, out, err), code=130)
    assert "stopped (Ctrl-C)" in line
    assert digest(db) == before


def test_the_time_limit_stops_a_query_and_names_its_setting(env: dict[str, str], db: Path) -> None:
    before = digest(db)
    started = time.monotonic()
    line = one_error(claims(["query", SLOW_JOIN], {**env, "CLAIMS_QUERY_TIMEOUT_SECONDS": "1"}))
    assert "query_timeout_seconds (1 s)" in line and "CLAIMS_QUERY_TIMEOUT_SECONDS" in line
    assert time.monotonic() - started < 30
    assert digest(db) == before


def test_the_memory_and_disk_limits_stop_a_query_and_name_their_settings(env: dict[str, str], db: Path) -> None:
    before = digest(db)
    sql = "select count(distinct i::varchar || 'padding to make every key long') from range(20000000) t(i)"
    line = one_error(claims(["query", sql], {**env, "CLAIMS_QUERY_MEMORY_LIMIT": "20MB",
                                             "CLAIMS_QUERY_TEMP_LIMIT": "20MB"}))
    assert "query_memory_limit (20MB)" in line or "query_temp_limit (20MB)" in line, line
    spilling = ("select max(s) from (select md5(i::varchar) || md5((i + 1)::varchar) as s from range(3000000) t(i) "
                "order by s offset 1)")  # a sort past the memory limit spills to disk, up to its own limit
    line = one_error(claims(["query", spilling], {**env, "CLAIMS_QUERY_MEMORY_LIMIT": "60MB",
                                                  "CLAIMS_QUERY_TEMP_LIMIT": "30MB"}))
    assert "query_temp_limit (30MB)" in line and "CLAIMS_QUERY_TEMP_LIMIT" in line and "PRAGMA" not in line
    assert not Path(str(db) + ".tmp").exists()  # the spill is gone with the query
    line = one_error(claims(["query", "select 1"], {**env, "CLAIMS_QUERY_MEMORY_LIMIT": "plenty"}))
    assert "query_memory_limit" in line and "is not a size" in line
    assert digest(db) == before


# -- 4. JSON output is JSON ----------------------------------------------------------------------

INFINITE = "select 'inf'::double as a, '-inf'::double as b, 'nan'::double as c, [1.5, 'inf'::double] as d"


def _strict(text: str) -> Any:
    def refuse(token: str) -> Any:
        raise AssertionError(f"{token} is not JSON")
    return json.loads(text, parse_constant=refuse)


def test_json_output_has_no_infinity_or_nan(env: dict[str, str]) -> None:
    result = claims(["query", INFINITE, "--format", "json"], env)
    assert result.returncode == 0, result.stderr
    assert _strict(result.stdout) == [{"a": None, "b": None, "c": None, "d": [1.5, None]}]
    result = claims(["query", INFINITE, "--format", "csv"], env)
    assert result.returncode == 0, result.stderr
    assert list(csv.reader(io.StringIO(result.stdout))) == [["a", "b", "c", "d"], ["inf", "-inf", "nan", "[1.5, null]"]]
    result = claims(["query", INFINITE], env)
    assert result.returncode == 0 and "inf" in result.stdout and "Traceback" not in result.stderr


# -- 5. no output over the database, another DuckDB file, or a folder ----------------------------

@pytest.mark.slow
def test_no_out_replaces_the_database_or_another_duckdb_file(env: dict[str, str], db: Path, tmp_path: Path,
                                                             seeded: Path) -> None:
    other = tmp_path / "other.db"  # a DuckDB file by its content, whatever its name
    shutil.copyfile(seeded, other)
    link = tmp_path / "link.parquet"
    link.symlink_to(db)
    before, others = digest(db), digest(other)
    cases = {
        ("query", "select 1", "--format", "parquet", "--out", str(db)): "it is the database",
        ("query", "select 1", "--format", "csv", "--out", str(db) + ".wal"): "write-ahead log of database",
        ("query", "select 1", "--format", "json", "--out", str(link)): "it is the database",
        ("query", "select 1", "--format", "table", "--out", str(other)): "it is a DuckDB database",
        ("query", "select 1", "--format", "csv", "--out", str(tmp_path)): "it is a folder",
        ("report", "--out", str(db)): "it is the database",
        ("report", "--out", str(tmp_path)): "it is a folder",
        ("export", "claimreview", "--out", str(other)): "it is a DuckDB database",
    }
    for args, why in cases.items():
        line = one_error(claims(list(args), env))
        assert why in line and "Traceback" not in line, (args, line)
    assert digest(db) == before and digest(other) == others
    assert not Path(str(db) + ".wal").exists() and link.is_symlink()
    written = tmp_path / "out" / "rows.parquet"
    result = claims(["query", "select 1 as one", "--format", "parquet", "--out", str(written)], env)
    assert result.returncode == 0 and written.is_file(), result.stderr


# -- 6. DuckDB's hints stay in the one line -----------------------------------------------------

def test_duckdbs_hints_are_kept_in_the_one_line(env: dict[str, str]) -> None:
    line = one_error(claims(["query", "select * from latest_verdict"], env))
    assert 'Did you mean "latest_verdicts"?' in line
    line = one_error(claims(["query", "select claim_i from latest_verdicts"], env))
    assert "Candidate bindings" in line and '"claim_id"' in line
